"""A service worker killed in the middle of a streamed upload to the S3 store leaves no row pointing
at a missing object, and nothing of the upload in the bucket."""

from __future__ import annotations

import os
import signal
import tempfile
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from service.database import Database
from service.local import free_port, serve_in_background
from service.models import Blob
from service.storage import blob_store
from tests.helpers.service import API, PASSWORD, blob_variables, running_service, s3_settings
from tests.helpers.thread import sha
from tests.service.conftest import ANN
from tests.service.test_attachments import raw_upload
from tests.tracker.capture.test_input import wait_until
from tracker.simulation import SimulatedClock

UPLOAD_BYTES = 4 * 1024 * 1024


def spooling(pid: int) -> bool:
    """Whether the process holds an upload's nameless temporary file with bytes in it."""
    folder = Path(f"/proc/{pid}/fd")
    for descriptor in folder.iterdir():
        try:
            target, size = os.readlink(descriptor), descriptor.stat().st_size
        except FileNotFoundError:  # closed meanwhile
            continue
        if target.startswith(tempfile.gettempdir()) and target.endswith("(deleted)") and size > 0:
            return True
    return False


def test_a_worker_killed_mid_upload_leaves_no_row_without_its_object(
    tmp_path: Path, clock: SimulatedClock, s3_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = s3_settings(s3_server, f"{uuid.uuid4().hex}/")
    with running_service(tmp_path, clock, **settings) as prepared:
        prepared.add_user(ANN)  # with a cheap password hash, in the database the worker serves
        config = prepared.config
    for name, value in blob_variables(config).items():
        monkeypatch.setenv(name, value)
    port = free_port()
    worker = serve_in_background("127.0.0.1", port, folder=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        signed_in = requests.post(
            f"{url}{API}/auth/sign-in", json={"email": ANN, "password": PASSWORD}, timeout=10
        )
        token = signed_in.json()["token"]
        kept = b"%PDF-1.4 sent whole"
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.put(f"{url}{API}/files/{sha(kept)}", data=kept, headers=headers, timeout=10).ok
        cut = os.urandom(UPLOAD_BYTES)
        connection = raw_upload(url, token, sha(cut), len(cut))
        connection.sendall(cut[: UPLOAD_BYTES // 2])
        # the worker is writing the upload out (its open files say so)
        assert wait_until(lambda: spooling(worker.pid), timeout=10), (
            "the worker never started spooling the upload"
        )

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        connection.close()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    database = Database(config.database_url)
    with database.reading() as session:
        rows = set(session.scalars(select(Blob.sha256)))
    database.close()
    objects = set(blob_store(config).hashes())
    assert rows == objects == {sha(kept)}
