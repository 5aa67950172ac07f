"""What a pass brings back into the app's database: the blocks of the user's other devices."""

from __future__ import annotations

from datetime import timedelta

from common.wire import wire_time
from sync import inbox
from tests.conftest import MONDAY

PRIVATE_APP_NOTE = "No screenshot: KeePassXC was on screen (a private app)."


def laptop_block(contract_id: str, activity: list[list[int | None]], updated_after: timedelta) -> dict:
    return {
        "id": "b-laptop",
        "contract_id": contract_id,
        "device_id": "laptop",
        "start": wire_time(MONDAY),
        "end": wire_time(MONDAY + timedelta(minutes=10)),
        "activity": activity,
        "memo": "On the laptop",
        "capture_note": PRIVATE_APP_NOTE,
        "source": "tracked",
        "over_limit": False,
        "deleted": False,
        "updated_at": wire_time(MONDAY + updated_after),
    }


def test_a_pulled_block_brings_its_activity_and_the_summary_the_work_diary_shows(database, diary, contract):
    minutes = [[0, 12, 30, 45], [1, 0, 0, 0], [2, 0, 8, 20]]
    blocks = [laptop_block(contract.id, minutes, timedelta(minutes=10))]
    assert inbox.store_other_devices_blocks(database, "desktop", blocks) == 1
    (view,) = diary.day_blocks(MONDAY.date())
    assert (view.activity, view.active_minutes, view.active_seconds) == (minutes, 2, 65)
    assert view.capture_note == PRIVATE_APP_NOTE  # the laptop's reason for its missing screenshot
    assert view.activity_source == "input_counts"  # a service of before activity sources says nothing

    edited = [laptop_block(contract.id, minutes[:1], timedelta(minutes=20))]  # idle time taken back there
    assert inbox.store_other_devices_blocks(database, "desktop", edited) == 1
    (view,) = diary.day_blocks(MONDAY.date())
    assert (view.activity, view.active_minutes, view.active_seconds) == (minutes[:1], 1, 45)


def test_a_pulled_block_from_idle_time_has_active_minutes_and_no_counts(database, diary, contract):
    minutes = [[0, None, None, 45], [1, None, None, 0], [2, None, None, 20]]
    block = laptop_block(contract.id, minutes, timedelta(minutes=10)) | {"activity_source": "idle_time"}
    assert inbox.store_other_devices_blocks(database, "desktop", [block]) == 1
    (view,) = diary.day_blocks(MONDAY.date())
    assert (view.activity_source, view.activity) == ("idle_time", minutes)
    assert (view.active_minutes, view.active_seconds) == (2, 65)
