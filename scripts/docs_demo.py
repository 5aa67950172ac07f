"""The demo both docs renderers stand on: the contract service with its demo data on a loopback
port, and this computer's demo week (tracker/demo/week.py) sent to it through the real sync."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from service import demo
from service.local import LocalService, running_service
from tracker.simulation import SimulatedClock

ZONE = "Europe/Berlin"
NOW = datetime(2026, 11, 26, 14, 7, 30, tzinfo=UTC)  # a Thursday afternoon
CONTRACT = "Website rebuild"


@contextmanager
def demo_service(folder: Path) -> Iterator[LocalService]:
    with running_service(folder, SimulatedClock(NOW)) as service:
        with service.database.writing() as session:
            demo.seed(session, service.app.state.service.blobs, NOW)
        yield service


def sync_this_computers_week(service: LocalService, folder: Path) -> None:
    """The demo freelancer's app database in ``folder``: the service's contracts and workrooms,
    and this computer's demo week on CONTRACT, synced."""
    from PySide6.QtGui import QGuiApplication

    from sync.client import ServiceClient
    from sync.worker import Syncer
    from tracker.demo.week import seed_this_computer
    from tracker.diary import Diary
    from tracker.storage import Database

    application = QGuiApplication.instance() or QGuiApplication(["workdiary-docs"])  # noqa: F841
    database = Database(folder)
    clock = SimulatedClock(NOW)
    syncer = Syncer(
        database, ServiceClient(service.url, service.sign_in(demo.FREELANCER)), clock, timedelta(0)
    )
    syncer.run_once()  # brings the contracts in
    site = next(c for c in Diary(database).contracts() if c.title == CONTRACT)
    seed_this_computer(database, site.id, NOW, ZoneInfo(ZONE))
    for _ in range(10):
        if syncer.run_once().sent_blocks == 0:
            break
    database.close()
