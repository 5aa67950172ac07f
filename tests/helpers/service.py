"""The real contract service on a loopback port (``service.local``), for the service's tests and
the sync tests, with cheap password hashing.

with running_service(tmp_path, SimulatedClock(MONDAY)) as service:
    freelancer = service.add_user("ann@example.test", "freelancer")
    contract = service.add_contract("Website", "ann@example.test", client_email)
    token = service.sign_in("ann@example.test")
    requests.get(f"{service.api}/me", headers=bearer(token))
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from common.wire import API_PREFIX as API
from common.wire import bearer
from service import local
from service.demo import PASSWORD
from service.local import LocalService
from service.postgres_cluster import PostgresCluster, postgres_cluster, server_binaries

__all__ = ["API", "PASSWORD", "LocalService", "bearer", "running_service"]

TEST_PASSWORD_COST = 2**10  # scrypt's n: the service's password_cost in the tests


def running_service(
    directory: Path, clock: object, database_url: str | None = None, **config_fields: object
) -> AbstractContextManager[LocalService]:
    """``service.local.running_service`` with passwords hashed with scrypt n=2**10 and no scheduled
    work of its own (a test runs ``service.scheduled.run_due_work`` when its clock says) unless
    ``config_fields`` say otherwise, which keeps the tests quick and their outcome theirs."""
    defaults = {"password_cost": TEST_PASSWORD_COST, "due_work_every": None}
    return local.running_service(directory, clock, database_url, **{**defaults, **config_fields})


@pytest.fixture
def service(tmp_path: Path, clock: object) -> Iterator[LocalService]:
    """The service on a fresh SQLite database, driven by the test's SimulatedClock (``clock``)."""
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
def postgres_service(tmp_path: Path, clock: object, postgres: PostgresCluster) -> Iterator[LocalService]:
    """The service on a fresh PostgreSQL database."""
    with running_service(tmp_path, clock, database_url=postgres.create_database()) as handle:
        yield handle
