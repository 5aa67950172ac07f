"""The real contract service on a loopback port (``service.local``), for the service's tests and
the sync tests, with cheap password hashing.

with running_service(tmp_path, SimulatedClock(MONDAY)) as service:
    freelancer = service.add_user("ann@example.test", "freelancer")
    contract = service.add_contract("Website", "ann@example.test", client_email)
    token = service.sign_in("ann@example.test")
    requests.get(f"{service.api}/me", headers=bearer(token))
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from sqlalchemy import text

from common.wire import API_PREFIX as API
from common.wire import bearer
from service import local
from service.config import ENVIRONMENT_PREFIX, FROM_ENVIRONMENT, ServiceConfig
from service.database import Database
from service.demo import PASSWORD
from service.local import LocalService
from service.postgres_cluster import PostgresCluster, postgres_cluster, server_binaries

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["API", "PASSWORD", "LocalService", "bearer", "running_service"]

TEST_PASSWORD_COST = 2**10  # scrypt's n: the service's password_cost in the tests
S3_BUCKET = "workdiary-tests"
BLOB_STORES = ["local", "s3"]
S3_REGION, S3_KEY = "us-east-1", "moto"  # moto takes any key


def running_service(
    directory: Path, clock: object, database_url: str | None = None, **config_fields: object
) -> AbstractContextManager[LocalService]:
    """``service.local.running_service`` with passwords hashed with scrypt n=2**10 and no scheduled
    work of its own (a test runs ``service.scheduled.run_due_work`` when its clock says) unless
    ``config_fields`` say otherwise, which keeps the tests quick and their outcome theirs."""
    defaults = {"password_cost": TEST_PASSWORD_COST, "due_work_every": None}
    return local.running_service(directory, clock, database_url, **{**defaults, **config_fields})


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server on a loopback port for the session, with the tests' bucket: its URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        pytest.fail("moto[server] is not installed: the S3 blob store's tests run on its S3 server")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    s3_client(url).create_bucket(Bucket=S3_BUCKET)
    yield url
    server.stop()


def s3_settings(url: str, prefix: str) -> dict[str, Any]:
    """The service's settings for the tests' bucket on the moto server at ``url``, under ``prefix``."""
    return {
        "s3_bucket": S3_BUCKET,
        "s3_prefix": prefix,
        "s3_endpoint_url": url,
        "s3_region": S3_REGION,
        "s3_access_key_id": S3_KEY,
        "s3_secret_access_key": S3_KEY,
    }


def blob_variables(config: ServiceConfig) -> dict[str, str]:
    """The environment variables that give a ``workdiary-service`` command the S3 bucket of
    ``config``, if it has one (a local folder is given by --storage-dir)."""
    settings = config.model_dump(include={name for name in FROM_ENVIRONMENT if name.startswith("s3_")})
    if config.s3_secret_access_key is not None:
        settings["s3_secret_access_key"] = config.s3_secret_access_key.get_secret_value()
    return {
        f"{ENVIRONMENT_PREFIX}{name.upper()}": str(value)
        for name, value in settings.items()
        if value is not None
    }


def s3_client(url: str) -> S3Client:
    return boto3.client(
        "s3", endpoint_url=url, region_name=S3_REGION, aws_access_key_id=S3_KEY, aws_secret_access_key=S3_KEY
    )


@pytest.fixture
def blob_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The settings of the service's blob store: its folder ("local", unless a module's tests run on
    both with ``on_both_blob_stores``) or a prefix of its own in the moto server's bucket ("s3")."""
    if getattr(request, "param", "local") == "local":
        return {}
    return s3_settings(request.getfixturevalue("s3_server"), f"{uuid.uuid4().hex}/")


def on_both_blob_stores(metafunc: pytest.Metafunc) -> None:
    """A module's ``pytest_generate_tests``: its tests on the service run with each blob store."""
    if "blob_settings" in metafunc.fixturenames:
        metafunc.parametrize("blob_settings", BLOB_STORES, indirect=True)


@pytest.fixture
def service(tmp_path: Path, clock: object, blob_settings: dict[str, Any]) -> Iterator[LocalService]:
    """The service on a fresh SQLite database, driven by the test's SimulatedClock (``clock``)."""
    with running_service(tmp_path, clock, **blob_settings) as handle:
        yield handle


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the session (skips where PostgreSQL is not installed)."""
    if server_binaries() is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_service(
    tmp_path: Path, clock: object, postgres: PostgresCluster, blob_settings: dict[str, Any]
) -> Iterator[LocalService]:
    """The service on a fresh PostgreSQL database."""
    with running_service(tmp_path, clock, database_url=postgres.create_database(), **blob_settings) as handle:
        yield handle


def waiting_for_a_lock(database: Database) -> int:
    """How many PostgreSQL sessions wait for a lock."""
    with database.engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))


def wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Poll ``condition`` until it holds (another thread's progress, not time, is awaited)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        threading.Event().wait(0.01)
