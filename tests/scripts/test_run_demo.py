"""``make run`` on a fresh data folder: this computer's demo week, beside the other computer's
time the service holds, against the real demo service on a loopback port."""

from __future__ import annotations

from collections import Counter

from common.timeutil import WEEK, SystemClock, week_start
from scripts import run_demo
from service import demo
from sync.client import ServiceClient
from sync.worker import Syncer
from tests.helpers.service import running_service
from tracker.demo.week import PRIVATE_APP
from tracker.diary import Diary
from tracker.storage import Database


def test_a_fresh_data_folder_gets_a_week_with_screenshots_that_the_service_takes(qtbot, tmp_path):
    clock = SystemClock()  # the demo is of this week: the service's clock is the real one too
    with running_service(tmp_path / "service", clock) as service:
        with service._context.database.writing() as session:
            demo.seed(session, service._context.blobs, clock.now())
        token = ServiceClient(service.url).sign_in(demo.FREELANCER, demo.PASSWORD, "test").token
        client = ServiceClient(service.url, token)
        database = Database(tmp_path / "app")
        try:
            assert run_demo.seed_first_week(database, client)
            diary = Diary(database)
            now = clock.now()
            week = week_start(now)
            mine = [
                b
                for b in diary.blocks_between(week - WEEK, week + WEEK)
                if b.contract_id == next(c.id for c in diary.contracts() if c.title == "Website rebuild")
            ]
            kinds = Counter(
                "manual"
                if b.source == "manual"
                else "redacted"
                if b.redacted
                else "private"
                if PRIVATE_APP in b.capture_note
                else "screenshot"
                if b.screenshot_id
                else "none"
                for b in mine
            )
            assert kinds["manual"] == 3 and kinds["redacted"] == 1
            assert kinds["private"] >= 1 and kinds["screenshot"] >= 10
            assert all(
                path.exists()
                for path in diary.thumbnail_paths([b.screenshot_id for b in mine if b.screenshot_id]).values()
            )
            report = Syncer(database, client, clock, hold=WEEK * 0).run_once()
            assert report.sent_blocks == len(mine) and report.sent_screenshots == sum(
                1 for b in mine if b.screenshot_id
            )
            assert not run_demo.seed_first_week(database, client)  # once: a folder with time keeps it
        finally:
            database.close()
