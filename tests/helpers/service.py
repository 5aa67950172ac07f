"""The real contract service on a loopback port, for the service's tests and the sync tests.

with running_service(tmp_path, FakeClock(MONDAY)) as service:
    freelancer = service.add_user("ann@example.test", "freelancer")
    contract = service.add_contract("Website", "ann@example.test", client_email)
    token = service.sign_in("ann@example.test")
    requests.get(f"{service.url}/api/v1/me", headers=bearer(token))
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from common.wire import API_PREFIX as API
from service.admin import create_contract, create_user
from service.api import ServiceContext
from service.app import create_app
from service.config import ServiceConfig
from service.models import Blob, Block, Contract, Screenshot
from service.schemas import BlockOut
from tests.helpers.postgres import PostgresCluster, postgres_cluster, server_binaries

PASSWORD = "correct horse battery"
TEST_PASSWORD_COST = 2**10  # scrypt's n: the service's password_cost in the tests


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class _Server(uvicorn.Server):
    """A uvicorn server that says when it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@dataclass
class ServiceHandle:
    url: str  # e.g. http://127.0.0.1:40123 (the API is under /api/v1)
    config: ServiceConfig
    clock: object
    app: FastAPI

    @property
    def api(self) -> str:
        return self.url + API

    @property
    def _context(self) -> ServiceContext:
        return self.app.state.service

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
        **settings: object,
    ) -> str:
        """A contract (hourly, active, no limit, manual time allowed unless ``settings`` say otherwise)."""
        with self._context.database.writing() as session:
            started = started_at or self.clock.now() - timedelta(days=90)
            return create_contract(
                session, freelancer_email, client_email, started, title=title, **settings
            ).id

    def update_contract(self, contract_id: str, **fields: object) -> None:
        """Change a contract's settings (status, limit, …) as an admin would."""
        with self._context.database.writing() as session:
            contract = session.get(Contract, contract_id)
            for name, value in fields.items():
                setattr(contract, name, value)

    def sign_in(self, email: str, password: str = PASSWORD, device_name: str = "test") -> str:
        answer = requests.post(
            f"{self.api}/auth/sign-in",
            json={"email": email, "password": password, "device_name": device_name},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()["token"]

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
        """The blobs the blob store holds (a file each)."""
        return {
            path.name for path in Path(self.config.storage_dir).glob("*/*") if not path.name.startswith(".")
        }


@contextmanager
def running_service(
    directory: Path, clock: object, database_url: str | None = None, **config_fields: object
) -> Iterator[ServiceHandle]:
    """The service on a fresh SQLite file in ``directory`` (or on ``database_url``), served on a
    loopback port until the block ends. ``config_fields`` override ServiceConfig's defaults, and
    passwords are hashed with scrypt n=2**10 unless they say otherwise, which keeps the tests quick."""
    config = ServiceConfig(
        database_url=database_url or f"sqlite:///{Path(directory) / 'service.sqlite3'}",
        storage_dir=Path(directory) / "blobs",
        **{"password_cost": TEST_PASSWORD_COST, **config_fields},
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
        yield ServiceHandle(f"http://127.0.0.1:{port}", config, clock, app)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def service(tmp_path: Path, clock: object) -> Iterator[ServiceHandle]:
    """The service on a fresh SQLite database, driven by the test's FakeClock (``clock``)."""
    with running_service(tmp_path, clock) as handle:
        yield handle


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the session (skips where PostgreSQL is not installed)."""
    if server_binaries() is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_service(tmp_path: Path, clock: object, postgres: PostgresCluster) -> Iterator[ServiceHandle]:
    """The service on a fresh PostgreSQL database."""
    with running_service(tmp_path, clock, database_url=postgres.create_database()) as handle:
        yield handle
