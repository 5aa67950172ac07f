"""Fixtures of the service's tests: the service itself (tests.helpers.service) and a small world of
two freelancers, a client and their contracts, signed in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import requests

from tests.helpers.service import API, LocalService, bearer

ANN = "ann@example.test"  # freelancer
BOB = "bob@example.test"  # another freelancer
CARA = "cara@example.test"  # their client
_NAMES = uuid.UUID("6f1d2f3e-2b7a-4c59-9d1e-0c8a7b6e5d4f")


def uid(name: str) -> str:
    """The id a test calls ``name``: a UUID, the same one each time (every id the service takes is a
    UUID, as the app makes them)."""
    return str(uuid.uuid5(_NAMES, name))


DEVICE = uid("device-1")


@dataclass
class World:
    service: LocalService
    ann: str  # tokens
    bob: str
    cara: str
    website: str  # Ann's hourly contract with Cara (manual time allowed, no limit)
    logo: str  # Ann's second contract with Cara
    bobs: str  # Bob's contract with Cara

    def call(
        self, method: str, path: str, token: str | None, headers: dict | None = None, **kwargs: object
    ) -> requests.Response:
        headers = {**(bearer(token) if token else {}), **(headers or {})}
        return requests.request(
            method, f"{self.service.url}{API}{path}", headers=headers, timeout=10, **kwargs
        )

    def put_block(self, token: str, block_id: str, body: dict) -> requests.Response:
        return self.call("PUT", f"/blocks/{block_id}", token, json=body)


def block_body(
    contract_id: str,
    start: datetime,
    minutes: float = 10,
    updated_at: datetime | None = None,
    device_id: str = DEVICE,
    **fields: object,
) -> dict:
    """A tracked block's wire form (``fields`` override any of it)."""
    end = start + timedelta(minutes=minutes)
    body = {
        "contract_id": contract_id,
        "device_id": device_id,
        "start": wire_time(start),
        "end": wire_time(end),
        "activity": [[0, 12, 30, 55]],
        "memo": "Header layout",
        "source": "tracked",
        "deleted": False,
        "updated_at": wire_time(updated_at or end),
    }
    return {**body, **fields}


def wire_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_world(handle: LocalService) -> World:
    for email, role in ((ANN, "freelancer"), (BOB, "freelancer"), (CARA, "client")):
        handle.add_user(email, role)
    return World(
        service=handle,
        ann=handle.sign_in(ANN),
        bob=handle.sign_in(BOB),
        cara=handle.sign_in(CARA),
        website=handle.add_contract("Website", ANN, CARA),
        logo=handle.add_contract("Logo", ANN, CARA),
        bobs=handle.add_contract("Bob's app", BOB, CARA),
    )


@pytest.fixture
def world(service: LocalService) -> World:
    return make_world(service)


@pytest.fixture(params=["service", "postgres_service"], ids=["sqlite", "postgresql"])
def either_world(request) -> World:
    """The world on the service with SQLite, then with PostgreSQL."""
    return make_world(request.getfixturevalue(request.param))
