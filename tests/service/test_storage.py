"""The local blob store and the service's settings."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from service.config import ServiceConfig
from service.storage import LocalBlobStore

SHA = "ab" + "0" * 62


def test_blobs_are_written_whole_and_readable_by_the_service_alone(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")

    store.put(SHA, b"image bytes")

    path = tmp_path / "blobs" / "ab" / SHA
    assert store.exists(SHA) and store.get(SHA) == b"image bytes"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        stat.S_IMODE((tmp_path / "blobs").stat().st_mode) == stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    )
    assert [entry.name for entry in path.parent.iterdir()] == [SHA]  # no temporary file left behind


def test_a_deleted_blob_is_gone_and_deleting_it_again_is_harmless(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    store.put(SHA, b"x")

    store.delete(SHA)
    store.delete(SHA)

    assert not store.exists(SHA)
    with pytest.raises(FileNotFoundError):
        store.get(SHA)


def files_in(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_a_received_blob_is_hashed_as_it_streams_and_kept_under_its_hash(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = b"file bytes " * 10_000
    sha256 = hashlib.sha256(data).hexdigest()

    with store.receive() as incoming:
        for start in range(0, len(data), 4096):
            incoming.write(data[start : start + 4096])
        assert (incoming.size, incoming.sha256()) == (len(data), sha256)
        incoming.keep(sha256)
        store.delete(sha256)  # removed meanwhile (a prune), and kept again
        incoming.keep(sha256)

    with store.open(sha256) as stream:
        assert stream.read() == data
    assert stat.S_IMODE((tmp_path / sha256[:2] / sha256).stat().st_mode) == 0o600
    assert files_in(tmp_path) == {f"{sha256[:2]}/{sha256}"}  # no temporary file left behind


def test_a_blob_received_but_not_kept_leaves_nothing(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)

    with pytest.raises(ConnectionError), store.receive() as incoming:
        incoming.write(b"half a fi")
        assert len(files_in(tmp_path)) == 1  # being received
        raise ConnectionError("the client went away")
    with store.receive() as incoming:
        incoming.write(b"a file whose hash is not the one announced")

    assert files_in(tmp_path) == set()


def test_settings_come_from_the_environment_and_flags_win(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("WORKDIARY_SERVICE_DATABASE_URL", raising=False)
    monkeypatch.delenv("WORKDIARY_SERVICE_STORAGE_DIR", raising=False)
    defaults = ServiceConfig()
    monkeypatch.setenv("WORKDIARY_SERVICE_DATABASE_URL", "postgresql+psycopg://db/workdiary")
    monkeypatch.setenv("WORKDIARY_SERVICE_STORAGE_DIR", str(tmp_path / "env-blobs"))
    monkeypatch.setenv("WORKDIARY_SERVICE_PASSWORD_COST", "16")  # not a deployment's to lower

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
