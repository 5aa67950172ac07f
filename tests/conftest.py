from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.helpers.fakes import FakeCapturer
from tracker.diary import Diary
from tracker.engine import Tracker, TrackerConfig
from tracker.simulation import SimulatedClock, SimulatedInput
from tracker.storage import Database

# Fixtures of the helpers, for every test folder: the contract service (SQLite and PostgreSQL), OS
# keyrings, something on the screen for a self-test's grab.
pytest_plugins = ["tests.helpers.service", "tests.helpers.keyrings", "tests.helpers.self_test"]

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path / "data")
    yield db
    db.close()


@pytest.fixture
def clock():
    return SimulatedClock(MONDAY)


@pytest.fixture
def diary(database):
    return Diary(database, zone=UTC)


@pytest.fixture
def contract(diary, clock):
    return diary.add_contract("Website rebuild", now=clock.now(), client_name="Acme", hourly_rate=Decimal(50))


@pytest.fixture
def make_tracker(database, clock):
    def make(events=None, config=None, capturer=None):
        return Tracker(
            database,
            clock,
            input_source=SimulatedInput(),
            capturer=capturer if capturer is not None else FakeCapturer(),
            rng=random.Random(7),
            config=config or TrackerConfig(),
            on_event=(events.append if events is not None else lambda event: None),
        )

    return make
