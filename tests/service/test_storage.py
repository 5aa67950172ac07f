"""The blob stores (the local folder and an S3 bucket on moto's server), one contract for both,
and the service's settings."""

from __future__ import annotations

import hashlib
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from service.config import ServiceConfig
from service.storage import BlobStore, LocalBlobStore, S3BlobStore, blob_store
from tests.helpers.service import on_both_blob_stores, s3_settings

SHA = "ab" + "0" * 62
pytest_generate_tests = on_both_blob_stores


@pytest.fixture
def store(tmp_path: Path, blob_settings: dict[str, Any]) -> BlobStore:
    return blob_store(ServiceConfig(storage_dir=tmp_path / "blobs", **blob_settings))


def everything_in(store: BlobStore) -> set[str]:
    """Whatever the store holds: every file of its folder (temporary ones too), or every object
    under its prefix."""
    if isinstance(store, LocalBlobStore):
        return {
            path.relative_to(store.folder).as_posix() for path in store.folder.rglob("*") if path.is_file()
        }
    return set(store.hashes())


def test_a_blob_put_is_there_whole_and_nothing_else_is(store: BlobStore) -> None:
    store.put(SHA, b"image bytes")

    assert store.exists(SHA) and store.get(SHA) == b"image bytes"
    assert set(store.hashes()) == {SHA}
    assert len(everything_in(store)) == 1  # no temporary file left behind
    assert not store.exists("cd" + "0" * 62)


def test_local_blobs_are_readable_by_the_service_alone(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")

    store.put(SHA, b"image bytes")

    path = tmp_path / "blobs" / "ab" / SHA
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        stat.S_IMODE((tmp_path / "blobs").stat().st_mode) == stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    )


def test_a_deleted_blob_is_gone_and_deleting_it_again_is_harmless(store: BlobStore) -> None:
    store.put(SHA, b"x")

    store.delete(SHA)
    store.delete(SHA)

    assert not store.exists(SHA) and everything_in(store) == set()
    with pytest.raises(FileNotFoundError):
        store.get(SHA)
    with pytest.raises(FileNotFoundError):
        store.open(SHA)


def test_a_received_blob_is_hashed_as_it_streams_and_kept_under_its_hash(store: BlobStore) -> None:
    data = b"file bytes " * 10_000
    sha256 = hashlib.sha256(data).hexdigest()

    with store.receive() as incoming:
        for start in range(0, len(data), 4096):
            incoming.write(data[start : start + 4096])
        assert (incoming.size, incoming.sha256()) == (len(data), sha256)
        assert not store.exists(sha256)  # not before it is kept
        incoming.keep(sha256)
        store.delete(sha256)  # removed meanwhile (a prune), and kept again
        incoming.keep(sha256)

    with store.open(sha256) as stream:
        assert stream.read() == data
    assert set(store.hashes()) == {sha256}
    assert len(everything_in(store)) == 1  # no temporary file left behind


def test_a_received_local_blob_is_readable_by_the_service_alone(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)

    with store.receive() as incoming:
        incoming.write(b"file bytes")
        incoming.keep(incoming.sha256())

    assert stat.S_IMODE(next(tmp_path.glob("*/*")).stat().st_mode) == 0o600


def test_a_blob_received_but_not_kept_leaves_nothing(store: BlobStore) -> None:
    with pytest.raises(ConnectionError), store.receive() as incoming:
        incoming.write(b"half a fi")
        raise ConnectionError("the client went away")
    with store.receive() as incoming:
        incoming.write(b"a file whose hash is not the one announced")
        with pytest.raises(ValueError, match="not " + SHA):
            incoming.keep(SHA)
        assert not store.exists(incoming.sha256()) and not store.exists(SHA)

    assert everything_in(store) == set()


def test_a_local_blob_being_received_is_a_temporary_file_of_the_folder(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)

    with store.receive() as incoming:
        incoming.write(b"half a fi")
        assert [path.name.startswith(".upload-") for path in tmp_path.iterdir()] == [True]

    assert list(tmp_path.iterdir()) == []


def test_downloads_from_a_bucket_are_presigned_for_a_minute_with_their_type_and_name(
    store: BlobStore,
) -> None:
    store.put(SHA, b"%PDF-1.4 report")
    disposition = "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"

    url = store.download_url(SHA, "application/octet-stream", disposition)

    if isinstance(store, LocalBlobStore):
        assert url is None  # the service serves it
        return
    assert url is not None
    answer = requests.get(url, timeout=10)
    assert (answer.status_code, answer.content) == (200, b"%PDF-1.4 report")
    assert (answer.headers["Content-Type"], answer.headers["Content-Disposition"]) == (
        "application/octet-stream",
        disposition,
    )
    # moto's server enforces neither a presigned URL's signature nor its expiry (it answers the
    # URL after X-Amz-Expires too), so the expiry is checked as the URL states it to S3.
    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - signed_at) < timedelta(minutes=1)
    assert (query["X-Amz-Expires"], query["X-Amz-Algorithm"]) == ("60", "AWS4-HMAC-SHA256")


def test_an_operator_may_have_the_service_stream_a_buckets_downloads(tmp_path: Path, s3_server: str) -> None:
    settings = s3_settings(s3_server, "streamed/")
    streamed = blob_store(ServiceConfig(storage_dir=tmp_path, s3_stream_downloads=True, **settings))
    presigned = blob_store(ServiceConfig(storage_dir=tmp_path, s3_download_seconds=5, **settings))

    assert (
        isinstance(streamed, S3BlobStore) and streamed.download_url(SHA, "image/jpeg", "attachment") is None
    )
    url = presigned.download_url(SHA, "image/jpeg", "attachment")
    assert url is not None and parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["5"]


def test_settings_come_from_the_environment_and_flags_win(tmp_path: Path, monkeypatch) -> None:
    for name in ("DATABASE_URL", "STORAGE_DIR", "S3_BUCKET", "S3_DOWNLOAD_SECONDS"):
        monkeypatch.delenv(f"WORKDIARY_SERVICE_{name}", raising=False)
    defaults = ServiceConfig()
    monkeypatch.setenv("WORKDIARY_SERVICE_DATABASE_URL", "postgresql+psycopg://db/workdiary")
    monkeypatch.setenv("WORKDIARY_SERVICE_STORAGE_DIR", str(tmp_path / "env-blobs"))
    monkeypatch.setenv("WORKDIARY_SERVICE_PASSWORD_COST", "16")  # not a deployment's to lower
    monkeypatch.setenv("WORKDIARY_SERVICE_S3_BUCKET", "diaries")
    monkeypatch.setenv("WORKDIARY_SERVICE_S3_DOWNLOAD_SECONDS", "30")

    from_environment = ServiceConfig()
    from_flags = ServiceConfig(database_url="sqlite:///x.db", storage_dir=tmp_path / "flag-blobs")

    assert (from_environment.database_url, from_environment.storage_dir) == (
        "postgresql+psycopg://db/workdiary",
        tmp_path / "env-blobs",
    )
    assert (from_flags.database_url, from_flags.storage_dir) == ("sqlite:///x.db", tmp_path / "flag-blobs")
    assert defaults.database_url.startswith("sqlite:///") and defaults.database_url.endswith(
        "workdiary-service.sqlite3"
    )
    assert defaults.storage_dir.name == "blobs" and defaults.token_lifetime.days == 30
    assert from_environment.password_cost == defaults.password_cost == 2**17
    assert (defaults.s3_bucket, defaults.s3_download_seconds, defaults.s3_stream_downloads) == (
        None,
        60,
        False,
    )
    assert (from_environment.s3_bucket, from_environment.s3_download_seconds) == ("diaries", 30)
    assert isinstance(blob_store(defaults), LocalBlobStore)
