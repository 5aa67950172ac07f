"""The contract service on this machine: in a child process (``make run``, the app's memory
benchmark) or in a thread of this process (the tests, the benchmarks, the docs renderer), which
also gives the admin's calls and a look at what is stored.

with running_service(folder, clock) as service:
    service.add_user("ann@example.test", "freelancer")
    contract_id = service.add_contract("Website", "ann@example.test", "bob@example.test")
    token = service.sign_in("ann@example.test")
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from common.timeutil import Clock
from common.wire import API_PREFIX
from service.admin import create_contract, create_user
from service.api.deps import ServiceContext
from service.app import create_app
from service.config import ServiceConfig
from service.database import Database
from service.demo import PASSWORD
from service.models import Blob, Block, Contract, Screenshot
from service.schemas import BlockOut

START_TIMEOUT_S = 30


class ServiceDidNotStart(RuntimeError):
    pass


def answers(url: str) -> bool:
    """Whether a Workdiary contract service answers at ``url``."""
    try:
        with urllib.request.urlopen(f"{url}{API_PREFIX}/openapi.json", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def serve_in_background(
    host: str,
    port: int,
    *,
    demo: bool = False,
    folder: Path | None = None,
    options: Sequence[str] = (),
    program: Sequence[str] = (sys.executable, "-m", "service"),
) -> subprocess.Popen:
    """``workdiary-service serve`` (with ``--demo``: its demo data first; ``options``: more of serve's
    options) until it answers; its database and images in ``folder``, or in the service's default place.
    ``program`` is the command line that runs workdiary-service (by default this Python's service)."""
    command = list(program)
    if folder is not None:
        command += [
            "--database-url",
            f"sqlite:///{folder / 'service.sqlite3'}",
            "--storage-dir",
            str(folder / "blobs"),
        ]
    command += ["serve", "--host", host, "--port", str(port), *options] + (["--demo"] if demo else [])
    process = subprocess.Popen(command)
    wait_until_answering(process, f"http://{host}:{port}")
    return process


def wait_until_answering(process: subprocess.Popen, url: str) -> None:
    """Until the service ``process`` started answers at ``url``; ServiceDidNotStart (and the process
    ended) if it ends or does not answer within START_TIMEOUT_S."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.terminate()
            process.wait()
            raise ServiceDidNotStart(f"The contract service did not start on {url}; see its messages above.")
        time.sleep(0.1)  # a launcher waiting for its child process to listen


class _Server(uvicorn.Server):
    """A uvicorn server that says when it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@dataclass
class LocalService:
    url: str  # e.g. http://127.0.0.1:40123 (the API is under API_PREFIX)
    config: ServiceConfig
    clock: Clock
    app: FastAPI

    @property
    def api(self) -> str:
        return self.url + API_PREFIX

    @property
    def _context(self) -> ServiceContext:
        return self.app.state.service

    @property
    def database(self) -> Database:
        return self._context.database

    def add_user(self, email: str, role: str = "freelancer", password: str = PASSWORD, name: str = "") -> str:
        """A user; their password hash has the service's cost (a cheap one, see running_service)."""
        name = name or email.split("@")[0].title()
        with self._context.database.writing() as session:
            return create_user(
                session, email, name, role, password, self.clock.now(), self.config.password_cost
            ).id

    def add_contract(
        self,
        title: str,
        freelancer_email: str,
        client_email: str,
        started_at: datetime | None = None,
        **settings: Any,
    ) -> str:
        """A contract (hourly, active, no limit, manual time allowed unless ``settings`` say otherwise)."""
        with self._context.database.writing() as session:
            started = started_at or self.clock.now() - timedelta(days=90)
            return create_contract(
                session, freelancer_email, client_email, started, title=title, **settings
            ).id

    def update_contract(self, contract_id: str, **fields: Any) -> None:
        """Change a contract's settings (status, limit, …) as an admin would."""
        with self._context.database.writing() as session:
            contract = session.get(Contract, contract_id)
            for name, value in fields.items():
                setattr(contract, name, value)

    def sign_in(self, email: str, password: str = PASSWORD, device_name: str = "local") -> str:
        """A token of ``email``'s, signed in through the API."""
        request = urllib.request.Request(
            f"{self.api}/auth/sign-in",
            data=json.dumps({"email": email, "password": password, "device_name": device_name}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)["token"]

    def stored_blocks(self, contract_id: str | None = None) -> list[BlockOut]:
        """Every stored block (tombstones included), as the API would answer them."""
        with self._context.database.reading() as session:
            query = select(Block).options(selectinload(Block.screenshot).selectinload(Screenshot.images))
            if contract_id is not None:
                query = query.where(Block.contract_id == contract_id)
            blocks = session.scalars(query.order_by(Block.start, Block.id))
            return [BlockOut.model_validate(block) for block in blocks]

    def stored_block(self, block_id: str) -> BlockOut | None:
        return next((block for block in self.stored_blocks() if block.id == block_id), None)

    def stored_blob_hashes(self) -> set[str]:
        """The blobs the database knows."""
        with self._context.database.reading() as session:
            return set(session.scalars(select(Blob.sha256)))

    def blob_files(self) -> set[str]:
        """The blobs the blob store holds (a file or an object each)."""
        return set(self._context.blobs.hashes())


@contextmanager
def running_service(
    directory: Path, clock: Clock, database_url: str | None = None, **config_fields: Any
) -> Iterator[LocalService]:
    """The service on a fresh SQLite file in ``directory`` (or on ``database_url``), served on a
    loopback port until the block ends. ``config_fields`` override ServiceConfig's defaults."""
    config = ServiceConfig(
        database_url=database_url or f"sqlite:///{Path(directory) / 'service.sqlite3'}",
        storage_dir=Path(directory) / "blobs",
        **config_fields,
    )
    app = create_app(config, clock)
    # Port 0 through uvicorn's own binding: a socket bound here and handed over answers each request
    # about 40 ms late (measured), which would slow every test and benchmark using this.
    server = _Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            log_level="warning",
            ws="none",
            lifespan="on",
            **config.server_options(),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True, name="service")
    thread.start()
    try:
        if not server.ready.wait(timeout=15):
            raise RuntimeError("the contract service did not start within 15 s")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield LocalService(f"http://127.0.0.1:{port}", config, clock, app)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
