"""The production layout of `make serve-prod` (scripts/serve_prod.py, docs/deploy.md) with two
workers, used as a client would: over HTTPS through nginx, the screenshots in the S3 bucket."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import select

from common.wire import MAX_FILE_BYTES, MAX_UPLOAD_BYTES
from service.admin import create_contract, create_user
from service.config import ServiceConfig
from service.database import Database
from service.local import free_port
from service.models import SignInFailure
from service.schemas import MAX_JSON_BYTES
from service.storage import blob_store
from tests.helpers.service import API, PASSWORD, TEST_PASSWORD_COST, bearer, s3_settings
from tests.service.conftest import ANN, CARA, block_body, uid, wire_time
from tests.service.test_screenshots import screenshot_body, sha
from tracker.demo.images import jpeg

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "serve_prod.py"
OUTSIDER = "127.0.0.2"  # the address the tests' requests come from: another loopback address than nginx's
FORGED = "203.0.113.7"

pytestmark = pytest.mark.timeout(120)


@dataclass
class Layout:
    process: subprocess.Popen
    folder: Path
    url: str  # nginx, https
    redirect_url: str  # nginx, http
    certificate: Path
    database_url: str
    s3_url: str
    workers: dict[int, int]  # port: pid
    pids: list[int]  # the workers', nginx's and the S3 server's

    def config(self) -> ServiceConfig:
        return ServiceConfig(
            database_url=self.database_url, **{**s3_settings(self.s3_url, ""), "s3_bucket": "workdiary"}
        )

    def ports(self) -> list[int]:
        database_port = int(printed(r"port=(\d+)", self.database_url))
        addresses = [self.url, self.redirect_url, self.s3_url]
        return [*self.workers, database_port, *(int(url.rpartition(":")[2]) for url in addresses)]


class FromAddress(HTTPAdapter):
    """Connects from a given local address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layout]:
    if shutil.which("nginx", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin") is None:
        pytest.fail("nginx is not installed (scripts/install-system-deps installs Debian's nginx-light)")
    folder = tmp_path_factory.mktemp("prod")
    https_port, http_port = free_port(), free_port()
    command = [sys.executable, str(SCRIPT), "--workers", "2", "--folder", str(folder)]
    command += ["--https-port", str(https_port), "--http-port", str(http_port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if line.startswith("Workdiary is up on"):
            break
    else:
        pytest.fail(f"serve-prod did not start:\n{''.join(output)}")
    text = "".join(output)
    workers = {
        int(port): int(pid)
        for pid, port in re.findall(r"worker \d \(pid (\d+)\): http://127.0.0.1:(\d+)", text)
    }
    try:
        yield Layout(
            process=process,
            folder=folder,
            url=f"https://127.0.0.1:{https_port}",
            redirect_url=f"http://127.0.0.1:{http_port}",
            certificate=Path(printed(r"^certificate: (\S+)", text)),
            database_url=printed(r"^database: (\S+)", text),
            s3_url=printed(r"bucket workdiary at (\S+)", text),
            workers=workers,
            pids=[*workers.values(), *map(int, re.findall(r"(?:nginx|S3 server) \(pid (\d+)\)", text))],
        )
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)
        process.stdout.close()


def printed(pattern: str, text: str) -> str:
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"“{pattern}” is not in serve-prod's output:\n{text}"
    return found[1]


def https(layout: Layout) -> requests.Session:
    """A client from OUTSIDER trusting the layout's certificate alone."""
    session = requests.Session()
    session.trust_env = False  # or REQUESTS_CA_BUNDLE would be trusted instead of the certificate
    session.verify = str(layout.certificate)
    session.mount("https://", FromAddress(OUTSIDER))
    return session


def sign_in(layout: Layout, email: str) -> str:
    answer = https(layout).post(
        f"{layout.url}{API}/auth/sign-in", json={"email": email, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def test_a_screenshot_goes_through_nginx_to_the_bucket_and_back_by_a_presigned_redirect(
    layout: Layout,
) -> None:
    database = Database(layout.database_url)
    with database.writing() as session:
        now = datetime.now(UTC)
        create_user(session, ANN, "Ann", "freelancer", PASSWORD, now, TEST_PASSWORD_COST)
        create_user(session, CARA, "Cara", "client", PASSWORD, now, TEST_PASSWORD_COST)
        contract = create_contract(session, ANN, CARA, now - timedelta(days=90), title="Website").id
    database.close()
    client = https(layout)
    ann = bearer(sign_in(layout, ANN))
    start = now.replace(minute=now.minute // 10 * 10, second=0, microsecond=0) - timedelta(minutes=20)
    image, thumbnail = jpeg(1), jpeg(2)
    block = client.put(
        f"{layout.url}{API}/blocks/{uid('block')}", json=block_body(contract, start), headers=ann
    )
    assert block.status_code == 200, block.text
    for data in (image, thumbnail):
        stored = client.put(
            f"{layout.url}{API}/blobs/{sha(data)}", data=data, headers={**ann, "Content-Type": "image/jpeg"}
        )
        assert stored.status_code == 200, stored.text
    shot = screenshot_body(uid("shot"), image, thumbnail, taken_at=wire_time(start + timedelta(minutes=4)))
    attached = client.put(f"{layout.url}{API}/blocks/{uid('block')}/screenshot", json=shot, headers=ann)
    assert attached.status_code == 200, attached.text
    assert set(blob_store(layout.config()).hashes()) == {sha(image), sha(thumbnail)}

    download = client.get(f"{layout.url}{API}/blobs/{sha(image)}", headers=bearer(sign_in(layout, CARA)))
    [redirect] = download.history
    assert redirect.status_code == 307 and redirect.headers["Location"].startswith(layout.s3_url)
    assert download.status_code == 200 and download.content == image


def test_plain_http_is_sent_to_https(layout: Layout) -> None:
    answer = requests.get(f"{layout.redirect_url}{API}/openapi.json", allow_redirects=False, timeout=10)
    assert (answer.status_code, answer.headers["Location"]) == (301, f"{layout.url}{API}/openapi.json")


@pytest.mark.parametrize(
    ("path", "content_type", "limit", "said"),
    [
        ("/files/{sha256}", "application/octet-stream", MAX_FILE_BYTES, "a file 25 MB"),
        ("/blobs", "multipart/form-data; boundary=x", MAX_UPLOAD_BYTES, "one upload of images 20 MB"),
    ],
    ids=["file", "images"],
)
def test_nginx_refuses_a_request_over_the_services_limit_with_413_and_passes_one_at_it(
    layout: Layout, path: str, content_type: str, limit: int, said: str
) -> None:
    headers = {**bearer(sign_in(layout, ANN)), "Content-Type": content_type}
    client = https(layout)
    for size in (limit, limit + 1):
        body = b"x" * size
        answer = client.put(f"{layout.url}{API}{path.format(sha256=sha(body))}", data=body, headers=headers)
        if size == limit:  # the service's own answer
            assert answer.status_code != 413 and said not in answer.text
        else:
            assert answer.status_code == 413 and said in answer.json()["detail"]


def test_nginx_passes_a_json_request_at_the_services_limit_on_from_memory(layout: Layout) -> None:
    """Not spilled to a temporary file, which nginx sends on in a second write that waits out the
    worker's delayed ACK (40 ms on each page of blocks)."""
    errors = layout.folder / "nginx-error.log"
    logged = errors.stat().st_size
    body = b" " * MAX_JSON_BYTES
    answer = https(layout).put(
        f"{layout.url}{API}/blocks",
        data=body,
        headers={**bearer(sign_in(layout, ANN)), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text  # the service's own answer: no JSON in it
    assert "temporary file" not in errors.read_bytes()[logged:].decode()


def test_a_forged_forwarded_for_is_not_believed(layout: Layout) -> None:
    """Through nginx, the workers count a sign-in under the address nginx saw; straight to a worker
    (not from nginx), under the connection's."""
    body = {"email": ANN, "password": "wrong"}
    through_nginx = https(layout).post(
        f"{layout.url}{API}/auth/sign-in", json=body, headers={"X-Forwarded-For": FORGED}
    )
    direct = requests.Session()
    direct.mount("http://", FromAddress(OUTSIDER))
    worker = next(iter(layout.workers))
    straight = direct.post(
        f"http://127.0.0.1:{worker}{API}/auth/sign-in", json=body, headers={"X-Forwarded-For": FORGED}
    )
    assert (through_nginx.status_code, straight.status_code) == (401, 401)
    database = Database(layout.database_url)
    with database.reading() as session:
        addresses = list(session.scalars(select(SignInFailure.address).order_by(SignInFailure.id)))
    database.close()
    assert addresses == [OUTSIDER, OUTSIDER]


def test_requests_land_on_both_workers(layout: Layout) -> None:
    for _ in range(4):
        assert https(layout).get(f"{layout.url}{API}/openapi.json").status_code == 200
    upstreams = set(
        re.findall(r"upstream=127\.0\.0\.1:(\d+)", (layout.folder / "nginx-access.log").read_text())
    )
    assert {int(port) for port in upstreams} == set(layout.workers)


def test_stopping_leaves_no_process_and_no_port_open(layout: Layout) -> None:
    layout.process.send_signal(signal.SIGTERM)
    assert layout.process.wait(timeout=60) == 0
    for pid in layout.pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    for port in layout.ports():
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
