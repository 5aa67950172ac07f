"""Syncing with the real contract service: a week tracked offline with the real engine, edits in
flight, refusals, redactions and deletions before upload, other devices, and signing out."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC

import pytest
import requests
from sqlalchemy import update

from common.errors import EnvironmentProblem
from common.wire import MAX_BATCH, MAX_CAPTURE_NOTE_CHARS, MAX_UPLOAD_BYTES, MAX_UPLOAD_IMAGES
from sync import worker
from sync.client import ServiceClient
from sync.outbox import summary
from sync.worker import Syncer
from tests.helpers.fakes import FakeCapturer
from tests.helpers.rows import row_by_id
from tests.helpers.service import running_service
from tests.sync.conftest import (
    CLIENT,
    HOLD,
    Account,
    assert_service_holds_local,
    bearer,
    open_account,
    shots_of,
    sync_until_done,
    track_days,
)
from tracker.diary import Diary
from tracker.engine import Tracker
from tracker.simulation import SimulatedClock, SimulatedIdleTime, simulate
from tracker.storage import Database
from tracker.tables import blocks, screenshots


@pytest.fixture(params=["sqlite", "postgresql"])
def account_on_either_database(request, tmp_path, clock) -> Iterator[Account]:
    url = request.getfixturevalue("postgres").create_database() if request.param == "postgresql" else None
    with running_service(tmp_path / "service", clock, database_url=url) as handle:
        yield open_account(handle)


def test_a_week_tracked_offline_reaches_the_service_exactly(
    database, account_on_either_database, tracker, clock
):
    account = account_on_either_database
    syncer = Syncer(database, account.client(), clock, HOLD)
    syncer.run_once()
    track_days(tracker, clock, account.contract_id, days=5, minutes=60)
    clock.advance(-14 * 3600)  # Friday evening of the same week: the hold periods are long over

    report = syncer.run_once()

    assert report.error is None and report.rejected == []
    assert (report.sent_blocks, report.sent_screenshots) == (30, 30)
    assert_service_holds_local(database, account)


def test_replaying_the_whole_sync_sends_nothing_new(database, syncer, account, tracker, clock):
    track_days(tracker, clock, account.contract_id, days=1, minutes=30)
    sync_until_done(syncer)
    before = account.service.stored_blocks()
    with database.transaction() as connection:
        connection.execute(update(blocks).values(sync_state="pending"))
        connection.execute(update(screenshots).values(sync_state="pending"))

    report = syncer.run_once()

    assert (report.sent_blocks, report.sent_screenshots, report.rejected) == (3, 3, [])
    assert account.service.stored_blocks() == before
    assert syncer.run_once().sent_blocks == 0


class EditingInFlight(ServiceClient):
    """Changes the memo of the first block while its request is in flight."""

    def __init__(self, diary: Diary, clock: SimulatedClock, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.diary, self.clock, self.edited = diary, clock, None

    def put_blocks(self, blocks: list[dict]) -> list[dict]:
        answers = super().put_blocks(blocks)
        if self.edited is None:
            self.edited = blocks[0]["id"]
            self.diary.edit_memo([self.edited], "Changed while it was being sent", self.clock.now())
        return answers


@pytest.mark.parametrize("later", [0, 1], ids=["within-the-same-second", "a-second-later"])
def test_an_edit_made_while_a_block_is_in_flight_is_sent_again(
    database, diary, syncer, account, tracker, clock, later
):
    track_days(tracker, clock, account.contract_id, days=1, minutes=10)
    clock.advance(-24 * 3600 + 10 * 60 + later)  # the edit's time: the block's last write, or a second on
    syncer.client = EditingInFlight(diary, clock, account.service.url, account.token)

    assert syncer.run_once().sent_blocks == 0  # the service took it, the row no longer holds it
    sync_until_done(syncer)

    assert account.service.stored_block(syncer.client.edited).memo == "Changed while it was being sent"
    clock.advance(HOLD.total_seconds())
    sync_until_done(syncer)
    assert_service_holds_local(database, account)


def test_a_refused_block_is_set_aside_with_its_reason_and_the_others_go_through(
    database, diary, syncer, account, tracker, clock
):
    track_days(tracker, clock, account.contract_id, days=1, minutes=30)
    clock.advance(-24 * 3600 + 30 * 60)
    first = min(diary.week_blocks(clock.now().date()), key=lambda block: block.start)
    overlapping = {  # the same minutes, logged on another computer and already on the service
        "contract_id": account.contract_id,
        "device_id": str(uuid.uuid4()),  # another computer
        "start": "2026-11-23T09:02:00Z",
        "end": "2026-11-23T09:04:00Z",
        "source": "tracked",
        "updated_at": "2026-11-23T09:04:00Z",
    }
    answer = requests.put(
        f"{account.service.api}/blocks/{uuid.uuid4()}",
        json=overlapping,
        headers=bearer(account.token),
        timeout=10,
    )
    assert answer.status_code == 200

    report = syncer.run_once()

    assert report.sent_blocks == 2 and len(report.rejected) == 1
    assert "overlaps time already logged on another computer" in report.rejected[0]
    assert account.service.stored_block(first.id) is None
    (rejected,) = summary(database, clock.now(), HOLD).rejected
    assert (rejected.kind, rejected.item_id, rejected.start) == ("block", first.id, first.start)
    assert rejected.contract_title == "Website rebuild" and "overlaps" in rejected.reason
    assert syncer.run_once().rejected == []  # set aside: not sent again until it changes

    diary.remove_time([first.id], clock.now())  # the user resolves it: removing the time sends a tombstone
    assert syncer.run_once().sent_blocks == 1
    assert summary(database, clock.now(), HOLD).rejected == []
    assert row_by_id(database, blocks, first.id).sync_error == ""


def test_a_screenshot_redacted_before_upload_uploads_only_the_redacted_image(
    database, diary, syncer, account, tracker, clock
):
    track_days(tracker, clock, account.contract_id, days=1, minutes=10)
    clock.advance(-24 * 3600 + 10 * 60)
    (shot,) = shots_of(database)
    original = shot.images[0].sha256
    syncer.run_once()  # the block goes; its screenshot waits for the end of its hold period

    diary.redact_screenshot(shot.id, clock.now())
    clock.advance(HOLD.total_seconds())
    report = syncer.run_once()

    assert (report.sent_blocks, report.sent_screenshots) == (1, 1)
    (redacted,) = shots_of(database)
    assert redacted.images[0].sha256 != original
    assert original not in account.service.stored_blob_hashes()
    assert account.service.stored_block(shot.block_id).screenshot.redacted
    assert_service_holds_local(database, account)


def test_a_screenshot_deleted_before_upload_never_leaves_the_machine(
    database, diary, syncer, account, tracker, clock
):
    track_days(tracker, clock, account.contract_id, days=1, minutes=20)
    clock.advance(-24 * 3600 + 20 * 60)
    shots = shots_of(database)
    assert syncer.run_once().sent_screenshots == 1  # the first one's hold period is over; not the second's
    clock.advance(120)

    diary.delete_screenshot(shots[1].id, clock.now())
    clock.advance(HOLD.total_seconds())
    report = syncer.run_once()

    assert (report.sent_blocks, report.sent_screenshots) == (1, 0)
    assert shots[1].images[0].sha256 not in account.service.stored_blob_hashes()
    assert account.service.stored_block(shots[1].block_id).deleted
    assert_service_holds_local(database, account)


def test_contracts_and_other_devices_blocks_are_pulled_into_the_work_diary(
    tmp_path, database, diary, syncer, account, tracker, clock
):
    account.service.update_contract(account.contract_id, hourly_rate_cents=6000, weekly_limit_minutes=1200)
    laptop = Database(tmp_path / "laptop")
    laptop_syncer = Syncer(laptop, account.client(), clock, HOLD)
    laptop_syncer.run_once()
    laptop_tracker = Tracker(laptop, clock)
    laptop_tracker.start(account.contract_id, "On the laptop")
    clock.advance(600)
    laptop_tracker.tick()
    laptop_tracker.stop()
    assert laptop_syncer.run_once().sent_blocks == 1
    track_days(tracker, clock, account.contract_id, days=1, minutes=10, memo="On the desktop")
    clock.advance(-24 * 3600 + 10 * 60)

    report = syncer.run_once()

    assert (report.changed_contracts, report.changed_blocks, report.sent_blocks) == (1, 1, 1)
    again = syncer.run_once()
    assert (again.changed_contracts, again.changed_blocks) == (0, 0)  # the same contract and block
    contract = diary.contract(account.contract_id)
    assert (contract.origin, contract.title, contract.hourly_rate_cents, contract.weekly_limit_minutes) == (
        "service",
        "Website rebuild",
        6000,
        1200,
    )
    memos = [block.memo for block in diary.week_blocks(clock.now().date(), account.contract_id)]
    assert memos == ["On the laptop", "On the desktop"]

    laptop_block = diary.week_blocks(clock.now().date())[0]
    Diary(laptop, zone=UTC).remove_time([laptop_block.id], clock.now())
    laptop_syncer.run_once()
    account.service.update_contract(account.contract_id, status="ended")
    report = syncer.run_once()
    assert (report.changed_contracts, report.changed_blocks) == (1, 1)  # ended; the laptop's removed
    assert [block.memo for block in diary.week_blocks(clock.now().date())] == ["On the desktop"]
    assert diary.contract(account.contract_id).status == "ended"
    laptop.close()


def test_a_block_without_a_screenshot_reaches_the_service_and_other_devices_with_the_apps_reason(
    tmp_path, database, syncer, account, make_tracker, clock
):
    tracker = make_tracker(capturer=FakeCapturer(private_app="KeePassXC"))
    track_days(tracker, clock, account.contract_id, days=1, minutes=10)
    clock.advance(-24 * 3600 + 10 * 60)

    sync_until_done(syncer)

    (held,) = account.service.stored_blocks()
    note = "No screenshot: KeePassXC was on screen (a private app)."
    assert (held.screenshot, held.capture_note) == (None, note)
    assert_service_holds_local(database, account)
    laptop = Database(tmp_path / "laptop")
    Syncer(laptop, account.client(), clock, HOLD).run_once()
    (pulled,) = Diary(laptop, zone=UTC).week_blocks(clock.now().date())
    assert pulled.capture_note == note
    laptop.close()


def test_a_block_from_idle_time_reaches_the_service_and_other_devices_without_counts(
    tmp_path, database, diary, syncer, account, clock
):
    """A computer in a Wayland session tracks from the compositor's idle time; the service and
    another computer hold its active seconds with the counts absent, and say so."""
    wayland = Database(tmp_path / "wayland")
    wayland_syncer = Syncer(wayland, account.client(), clock, HOLD)
    wayland_syncer.run_once()
    wayland_tracker = Tracker(wayland, clock, input_source=SimulatedIdleTime())
    wayland_tracker.start(account.contract_id, "On Wayland")
    simulate(wayland_tracker, clock, 120, every=4)  # 15 seconds with input in each of two minutes
    wayland_tracker.stop()
    assert wayland_syncer.run_once().sent_blocks == 1
    assert summary(wayland, clock.now(), HOLD).pending_blocks == 0  # acknowledged: the service holds it

    (held,) = account.service.stored_blocks()
    assert (held.activity_source, held.activity) == ("idle_time", [[0, None, None, 15], [1, None, None, 15]])
    week = requests.get(
        f"{account.service.url}/api/v1/contracts/{account.contract_id}/blocks", headers=bearer(account.token)
    ).json()
    assert [block["activity"] for block in week] == [[[0, None, None, 15], [1, None, None, 15]]]

    assert syncer.run_once().changed_blocks == 1
    (pulled,) = diary.week_blocks(clock.now().date())
    assert (pulled.memo, pulled.activity_source, pulled.activity) == (
        "On Wayland",
        "idle_time",
        [[0, None, None, 15], [1, None, None, 15]],
    )
    assert (pulled.active_minutes, pulled.active_seconds, pulled.minutes_tracked) == (2, 30, 2)
    week_of = ("--week", f"{clock.now():%Y-%m-%d}")
    listing = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--data-dir",
            str(database.data_dir),
            "--tz",
            "UTC",
            "blocks",
            *week_of,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "2/2 active  On Wayland  [activity from idle time]" in listing
    wayland.close()


def test_a_long_capture_note_is_cut_to_what_the_service_takes(database, syncer, account, make_tracker, clock):
    problem = EnvironmentProblem(
        f"Could not write the screenshot to /home/ann/{'deep/' * 60}", "Free some space."
    )
    tracker = make_tracker(capturer=FakeCapturer(problem=problem))
    track_days(tracker, clock, account.contract_id, days=1, minutes=10)
    clock.advance(-24 * 3600 + 10 * 60)

    sync_until_done(syncer)

    (held,) = account.service.stored_blocks()
    assert len(held.capture_note) == MAX_CAPTURE_NOTE_CHARS
    assert held.capture_note.startswith("No screenshot: Could not write the screenshot to /home/ann/deep/")
    assert held.capture_note.endswith("…")


def test_local_contracts_never_sync(database, diary, syncer, account, tracker, clock):
    local = diary.add_contract("Personal project", now=clock.now())
    track_days(tracker, clock, local.id, days=1, minutes=20)
    clock.advance(-24 * 3600 + 3600)

    report = syncer.run_once()

    assert (report.sent_blocks, report.sent_screenshots) == (0, 0)
    assert account.service.stored_blocks() == []
    assert summary(database, clock.now(), HOLD).pending_blocks == 0


def test_a_revoked_token_means_signed_out(database, syncer, account):
    account.client().sign_out()

    report = syncer.run_once()

    assert report.signed_out and "sign in again" in report.error


def test_an_unreachable_service_is_reported_not_raised(database, clock):
    with_nothing_listening = ServiceClient("http://127.0.0.1:9", "token", timeout=(1, 1))

    report = Syncer(database, with_nothing_listening, clock, HOLD).run_once()

    assert report.error.startswith("The contract service at http://127.0.0.1:9 did not answer")
    assert not report.signed_out


def test_contracts_the_user_hired_for_are_not_pulled(database, diary, account, clock):
    as_client = ServiceClient(account.service.url, account.service.sign_in(CLIENT))

    report = Syncer(database, as_client, clock, HOLD).run_once()

    assert report.error is None and report.changed_contracts == 0
    assert diary.contracts() == []


def test_a_page_and_an_upload_stay_within_what_the_service_takes() -> None:
    assert worker.PAGE <= MAX_BATCH
    assert worker.UPLOAD_IMAGES <= MAX_UPLOAD_IMAGES and worker.UPLOAD_BYTES < MAX_UPLOAD_BYTES


def test_an_agency_member_syncs_their_contracts_without_money_and_offers_stay_on_the_service(
    database, diary, account, tracker, clock
):
    service = account.service
    service.add_user("mia@example.test", "agency_member")
    agency_work = service.add_contract("Agency work", "mia@example.test", CLIENT, agency_member=True)
    service.add_contract("An offer", "mia@example.test", CLIENT, status="offered", agency_member=True)
    mia = ServiceClient(service.url, service.sign_in("mia@example.test"))
    assert all("hourly_rate_cents" not in contract for contract in mia.contracts())  # absent, not 0

    report = Syncer(database, mia, clock, HOLD).run_once()

    assert report.error is None and report.changed_contracts == 1
    contract = diary.contract(agency_work)
    assert (contract.title, contract.agency_member, contract.hourly_rate_cents) == ("Agency work", True, 0)
    assert [c.title for c in diary.contracts()] == ["Agency work"]
    track_days(tracker, clock, agency_work, days=1, minutes=10)
    assert diary.totals(agency_work, clock.now()).week_earnings is None
    assert Syncer(database, mia, clock, HOLD).run_once().sent_blocks == 1
