"""The headless command line, run as a user runs it: in a subprocess, on a real data directory."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import threading
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from common.timeutil import slot_start
from tests.helpers.damage import make_damaged_database
from tests.helpers.full_disk import TRIGGER
from tests.helpers.old_database import OLD_CONTRACT, made_at
from tests.helpers.rows import live_blocks
from tests.helpers.wayland import Stack, gnome_stack, require, sway_stack
from tests.tracker.capture.test_input import settles_at, xdotool
from tests.tracker.capture.test_screen import RED, close, rgb
from tracker import cli as cli_module
from tracker.capture.xrecord import X11RecordInput
from tracker.cli import build_parser
from tracker.diary import Diary
from tracker.engine import Tracker
from tracker.storage import Database

ROOT = Path(__file__).resolve().parents[2]
HEADLESS = ("--no-input", "--no-screenshots")
LIBFAKETIME = f"/usr/lib/{sysconfig.get_config_var('MULTIARCH')}/faketime/libfaketime.so.1"
# A wall clock that starts at 09:09:45 on a Monday (its week's blocks are listed) and goes on from
# there. Not through the faketime command: it leaves a semaphore named by its PID behind when the
# stack is killed, and a later stack's faketime with the same PID refuses to start. The monotonic
# clock stays real: Python waits on it with deadlines the kernel compares with the real one.
FAKE_WALL_CLOCK = {
    "LD_PRELOAD": LIBFAKETIME,
    "FAKETIME": "@2026-11-23 09:09:45",
    "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    "PYTHONPATH": f"{ROOT}:{ROOT / 'tests' / 'helpers' / 'libfaketime'}",
}


def cli(data_dir, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--data-dir", str(data_dir), "--tz", "UTC", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def add_contract(data_dir, *args):
    return cli(data_dir, "contract", "add", "--title", "Website", "--rate", "40", *args).stdout.strip()


def test_an_agency_members_contract_is_listed_without_a_rate(data_dir):
    database = Database(data_dir)
    Diary(database).add_contract("Agency work", now=datetime.now(UTC), agency_member=True)
    database.close()
    listed = json.loads(cli(data_dir, "contract", "list", "--json").stdout)
    text = cli(data_dir, "contract", "list").stdout
    assert [(c["title"], c["hourly_rate"]) for c in listed] == [("Agency work", None)]
    assert "(paid by the agency, no limit)" in text


def test_contracts_manual_time_memos_and_removal(data_dir):
    contract = add_contract(data_dir, "--weekly-limit", "20")
    listed = json.loads(cli(data_dir, "contract", "list", "--json").stdout)
    assert listed == [
        {
            "id": contract,
            "title": "Website",
            "client": "",
            "kind": "hourly",
            "status": "active",
            "hourly_rate": "40.00",
            "currency": "USD",
            "weekly_limit_hours": 20.0,
            "manual_time_allowed": True,
        }
    ]
    start = slot_start(datetime.now(UTC)) - timedelta(minutes=30)
    if start.weekday() == 0 and start.hour == 0 and start.minute < 30:
        start += timedelta(minutes=30)  # stay inside this work week
    ids = cli(
        data_dir,
        "add-time",
        "--contract",
        contract,
        "--start",
        f"{start:%Y-%m-%d %H:%M}",
        "--end",
        f"{start + timedelta(minutes=20):%Y-%m-%d %H:%M}",
        "--memo",
        "Client call",
    ).stdout.split()
    assert len(ids) == 2
    cli(data_dir, "memo", "--text", "Kick-off call", ids[0])
    cli(data_dir, "remove", ids[1])
    week = json.loads(cli(data_dir, "blocks", "--week", f"{start:%Y-%m-%d}", "--json").stdout)
    (block,) = week["blocks"]
    assert block["id"] == ids[0]
    assert (block["memo"], block["source"], block["seconds"], block["start"]) == (
        "Kick-off call",
        "manual",
        600,
        start.isoformat(),
    )
    assert block["activity"] == {
        "source": "input_counts",
        "minutes_tracked": 10,
        "active_minutes": 0,
        "active_share": 0.0,
        "per_minute": [],
    }
    status = json.loads(cli(data_dir, "status", "--json").stdout)
    assert (status[0]["week_seconds"], status[0]["tracking"]) == (600, False)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["blocks", "--week", "2026-13-01"], 2, "not a date"),
        (
            ["add-time", "--contract", "nope", "--start", "2026-11-23 09:00", "--end", "2026-11-23 09:10"],
            1,
            "no contract 'nope'",
        ),
        (["add-time", "--contract", "X", "--start", "yesterday", "--end", "today"], 2, "not a date and time"),
        (["remove", "no-such-block"], 1, "no time block"),
        (["--tz", "Mars/Olympus", "status"], 2, "unknown time zone"),
        (["contract", "add", "--title", " "], 1, "needs a title"),
        (["contract", "add", "--title", "x", "--rate", "lots"], 2, "not a number"),
        (["track"], 1, "no contract to track"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(data_dir, args, code, message):
    result = cli(data_dir, *args, check=False)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_rule_violation_changes_nothing(data_dir):
    contract = add_contract(data_dir, "--no-manual-time")
    result = cli(
        data_dir,
        "add-time",
        "--contract",
        contract,
        "--start",
        "2026-11-23 09:00",
        "--end",
        "2026-11-23 09:10",
        check=False,
    )
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "workdiary: The contract “Website” does not allow manual time.",
    )
    assert json.loads(cli(data_dir, "blocks", "--week", "2026-11-23", "--json").stdout)["blocks"] == []


def wait_for(condition, timeout=30.0):
    """Poll a real process's effect until it shows, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        pause.wait(0.05)


def tracked_blocks(data_dir):
    with sqlite3.connect(data_dir / "workdiary.sqlite3") as connection:
        return connection.execute(
            'SELECT id, start, "end", is_open FROM blocks WHERE NOT deleted ORDER BY start'
        ).fetchall()


@pytest.fixture
def start_tracking():
    """Starts ``track`` processes whose stderr lines are collected; all are gone after the test."""
    started = []

    def start(data_dir, contract, *options, module="tracker", **env):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                module,
                "--data-dir",
                str(data_dir),
                "track",
                "--contract",
                contract,
                *options,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stderr=subprocess.PIPE,
            text=True,
        )
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
        reader.start()
        started.append((process, reader))
        return process, lines

    yield start
    for process, reader in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        reader.join(timeout=30)
        process.stderr.close()


@pytest.mark.x11
def test_sigterm_stops_cleanly_and_saves(data_dir, start_tracking):
    contract = add_contract(data_dir)
    process, lines = start_tracking(data_dir, contract)
    wait_for(lambda: any("Tracking since" in line for line in lines))
    started = time.time()
    wait_for(lambda: time.time() - started > 3)
    process.send_signal(signal.SIGTERM)
    signalled = time.time()
    assert process.wait(timeout=30) == 0
    blocks = tracked_blocks(data_dir)
    assert blocks and not any(is_open for *_, is_open in blocks)
    tracked = sum(end - start for _, start, end, _ in blocks)
    assert signalled - started - 2 <= tracked <= signalled - started + 2


@pytest.mark.x11
def test_the_tracking_process_loads_the_work_diary_only_when_tracking_is_over(tmp_path, start_tracking):
    """The headless tracker keeps its memory for tracking: the Work Diary is read only for the
    summary printed at the end, and SQLAlchemy's ORM (a sixth of its memory) never, not even by
    the migrations of a database that an older version made."""
    data_dir = made_at("0001", tmp_path / "old", OLD_CONTRACT)
    process, lines = start_tracking(data_dir, "c1", PYTHONPROFILEIMPORTTIME="1")
    wait_for(lambda: tracked_blocks(data_dir))  # migrated, started, ticked and saved
    while_tracking = _imported(lines)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    wait_for(lambda: any(line.startswith("saved ") for line in lines))
    assert {"alembic.command", "tracker.engine", "sqlalchemy.dialects.sqlite"} <= while_tracking
    assert "tracker.diary" not in while_tracking
    assert "tracker.diary" in _imported(lines)  # for the summary
    assert "sqlalchemy.orm" not in _imported(lines)


def _imported(stderr_lines: list[str]) -> set[str]:
    """The modules ``-X importtime`` (PYTHONPROFILEIMPORTTIME) reported as imported."""
    return {line.split("|")[-1].strip() for line in list(stderr_lines) if line.startswith("import time:")}


@pytest.mark.x11
def test_a_hard_kill_loses_at_most_ten_seconds_and_duplicates_nothing(data_dir, start_tracking):
    contract = add_contract(data_dir)
    process, lines = start_tracking(data_dir, contract)
    wait_for(lambda: tracked_blocks(data_dir))
    first_start = tracked_blocks(data_dir)[0][1]
    kill_after = random.uniform(6, 24)
    wait_for(lambda: time.time() - first_start >= kill_after)
    process.kill()
    process.wait(timeout=30)
    killed_at = time.time()
    before = tracked_blocks(data_dir)
    lost = (killed_at - first_start) - sum(end - start for _, start, end, _ in before)
    assert lost <= 10, f"lost {lost:.1f} s of tracked time"

    process, lines = start_tracking(data_dir, contract)
    wait_for(lambda: any("Tracking since" in line for line in lines))
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    wait_for(lambda: any("stopped at" in line for line in lines))
    # (killed in the second between a block's close at a slot boundary and the next one's open,
    # there is nothing to recover)
    if any(is_open for *_, is_open in before):
        assert any("recovered the interrupted block" in line for line in lines)
    after = tracked_blocks(data_dir)
    ids = [block_id for block_id, *_ in after]
    assert len(ids) == len(set(ids))
    assert {b[0] for b in before} <= set(ids)
    assert all(a[2] <= b[1] for a, b in pairwise(after)), "overlapping blocks"
    assert not any(is_open for *_, is_open in after)
    with sqlite3.connect(data_dir / "workdiary.sqlite3") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert os.stat(data_dir / "workdiary.sqlite3").st_mode & 0o077 == 0


def test_status_counts_the_block_being_tracked_to_the_second(data_dir, start_tracking):
    contract = add_contract(data_dir)
    start_tracking(data_dir, contract, "--no-input", "--no-screenshots")
    wait_for(lambda: tracked_blocks(data_dir))
    first_start = tracked_blocks(data_dir)[0][1]
    wait_for(lambda: time.time() - first_start >= 8.5)  # saved at 5 s, the next save at 10 s
    asked = time.time()
    (row,) = json.loads(cli(data_dir, "status", "--json").stdout)
    answered = time.time()
    assert row["tracking"]
    assert asked - first_start - 1 <= row["today_seconds"] <= answered - first_start + 1
    assert row["week_seconds"] == row["today_seconds"]
    line = cli(data_dir, "status").stdout.strip()
    assert line.startswith("Website: tracking, today 0:00:")


@pytest.fixture
def quiet_x11_tracker(database, clock, contract):
    """An engine counting real X input, ticked once without input, its clock a millisecond before a
    whole second (so the wait for that second is a millisecond), a spy on its ticks, and the socket
    pair a signal wakes the command line's wait through."""
    source = X11RecordInput()
    source.start()
    tracker = Tracker(database, clock, input_source=source)
    tracker.start(contract.id)
    assert settles_at(source, (0, 0))
    clock.advance(0.999)
    tracker.tick()
    assert tracker.quiet
    ticks = []
    tick = tracker.tick
    tracker.tick = lambda read_input=True: (ticks.append(read_input), tick(read_input))
    wake, waker = socket.socketpair()
    with wake, waker:
        yield tracker, source, ticks, wake, waker
    source.stop()


@pytest.mark.x11
def test_a_quiet_wait_ends_at_the_first_input_which_is_left_for_the_next_tick(quiet_x11_tracker, clock):
    tracker, source, ticks, wake, _ = quiet_x11_tracker
    xdotool("key", "a")
    cli_module._wait_for_next_tick(tracker, clock, source.input_fd(), wake)  # else 5 s, no tick
    assert ticks == [False]
    clock.advance(1)
    tracker.tick()
    assert not tracker.quiet
    tracker.stop()
    (block,) = live_blocks(tracker.db)
    assert [minute[1:] for minute in block.activity] == [[1, 0, 1]]


@pytest.mark.x11
def test_a_signal_cuts_a_quiet_wait_short(quiet_x11_tracker, clock):
    tracker, source, ticks, wake, waker = quiet_x11_tracker
    waker.send(b"\0")
    xdotool("key", "a")
    cli_module._wait_for_next_tick(tracker, clock, source.input_fd(), wake)  # else a tick for the key
    assert ticks == []


def test_a_second_tracker_on_the_same_folder_is_refused_and_takes_over_after_a_kill(data_dir, start_tracking):
    contract = add_contract(data_dir)
    first, first_lines = start_tracking(data_dir, contract, *HEADLESS)
    wait_for(lambda: any("Tracking since" in line for line in first_lines))
    wait_for(lambda: tracked_blocks(data_dir))
    asked = time.monotonic()
    second = cli(data_dir, "track", "--contract", contract, *HEADLESS, check=False)
    print(f"\nthe second tracker was refused after {time.monotonic() - asked:.2f} s")
    assert second.returncode == 1
    assert second.stderr.startswith(f"workdiary: python -m tracker track (process {first.pid}, since ")
    assert "is already tracking time with the data folder" in second.stderr
    assert "recovered" not in second.stderr and "Traceback" not in second.stderr
    # The first one's block is still open: nobody "recovered" it. (Its time may have crossed a slot
    # boundary meanwhile, on the wall clock: then a closed block comes before it.)
    (block,) = [b for b in tracked_blocks(data_dir) if b[3]]
    wait_for(lambda: tracked_blocks(data_dir)[-1][2] > block[2])  # and the first goes on saving it

    first.kill()  # kill -9: the operating system lets go of the lock
    first.wait(timeout=30)
    firsts = tracked_blocks(data_dir)
    first_ids = {b[0] for b in firsts}
    third, lines = start_tracking(data_dir, contract, *HEADLESS)
    wait_for(lambda: any(b[0] not in first_ids and b[2] > b[1] for b in tracked_blocks(data_dir)))
    third.send_signal(signal.SIGTERM)
    assert third.wait(timeout=30) == 0
    wait_for(lambda: any(line.startswith("saved ") for line in lines))
    # (killed in the second between a block's close at a slot boundary and the next one's open,
    # or after that open before any of its time was saved, there is nothing to recover: an empty
    # open block is dropped)
    for interrupted, start, end, is_open in firsts:
        assert (f"recovered the interrupted block {interrupted}\n" in lines) == bool(is_open and end > start)
    after = tracked_blocks(data_dir)
    assert not any(is_open for *_, is_open in after)
    assert all(a[2] <= b[1] for a, b in pairwise(after)), "overlapping blocks"
    mine = [b for b in after if b[0] not in first_ids]  # the blocks the third one saved
    said = next(line for line in lines if line.startswith("saved "))
    seconds = sum(end - start for _, start, end, _ in mine)
    assert said.startswith(f"saved 0:00:{seconds:02d} on “Website” in ")
    assert (" in 1 block, " if len(mine) == 1 else f" in {len(mine)} blocks, ") in said


def test_a_full_disk_is_told_at_once_and_what_is_lost_is_said_exactly(data_dir, start_tracking):
    contract = add_contract(data_dir)
    process, lines = start_tracking(data_dir, contract, *HEADLESS, module="tests.helpers.full_disk")
    wait_for(lambda: tracked_blocks(data_dir))
    (data_dir / TRIGGER).touch()
    filled = time.monotonic()
    wait_for(lambda: any("database or disk is full" in line for line in lines))
    print(f"\nthe full disk was told {time.monotonic() - filled:.1f} s after it filled")
    assert time.monotonic() - filled <= 8  # the open block is saved every 5 s
    (told,) = [line for line in lines if "database or disk is full" in line]
    assert told.startswith("workdiary: Could not save to ") and "Tracking goes on" in told
    wait_for(lambda: time.monotonic() - filled > 3)
    saved_before = tracked_blocks(data_dir)
    process.send_signal(signal.SIGTERM)
    stopped = time.time()
    assert process.wait(timeout=30) == 3
    wait_for(lambda: any("is lost" in line for line in lines))
    (lost,) = [line for line in lines if "is lost" in line]
    assert lost.startswith("workdiary: 0:00:") and "could not be saved and is lost (" in lost
    assert lost.rstrip().endswith("database or disk is full. The time saved before is kept.")
    lost_seconds = int(lost[len("workdiary: 0:00:") :][:2])
    after = tracked_blocks(data_dir)
    (block,) = after
    assert block[:3] == saved_before[0][:3]  # what was saved stays
    assert block[3] == 0  # closed where it was last saved: not left open
    assert abs(block[2] + lost_seconds - stopped) <= 2  # and the rest is what was said to be lost
    status = json.loads(cli(data_dir, "status", "--json").stdout)
    assert status[0]["tracking"] is False


@pytest.mark.parametrize("command", [["status"], ["blocks", "--week", "2026-11-24"], ["track", *HEADLESS]])
def test_a_damaged_database_is_reported_in_one_line_and_left_alone(data_dir, command):
    path = make_damaged_database(data_dir, datetime(2026, 11, 24, 15, tzinfo=UTC))
    damaged = path.read_bytes()
    result = cli(data_dir, *command, check=False)
    assert (result.returncode, result.stderr) == (
        1,
        f"workdiary: The database {path} cannot be opened (database disk image is malformed). It was left "
        "as it is: restore it from a backup, or move it aside to start a new one.\n",
    )
    assert path.read_bytes() == damaged
    assert not (data_dir / "tracking.lock").exists()


def test_track_refusing_on_a_new_folder_makes_nothing(data_dir):
    result = cli(data_dir, "track", *HEADLESS, check=False)
    assert (result.returncode, result.stderr) == (
        1,
        "workdiary: There is no contract to track yet: add one with 'contract add --title …'.\n",
    )
    assert not data_dir.exists()


def test_a_memo_over_500_characters_is_refused(data_dir):
    add_contract(data_dir)
    result = cli(data_dir, "track", *HEADLESS, "--memo", "x" * 501, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("workdiary: A memo holds at most 500 characters")


def test_blocks_piped_into_head_ends_quietly(database, make_tracker, clock, contract):
    from tracker.simulation import simulate

    tracker = make_tracker()
    tracker.start(contract.id)
    simulate(tracker, clock, 8 * 3600)
    tracker.stop()
    head = subprocess.run(
        f"{sys.executable} -m tracker --data-dir {database.data_dir} blocks --week 2026-11-23 --json"
        " | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (head.stdout, head.stderr) == ("{\n", "")
    one = cli(database.data_dir, "blocks", "--week", "2026-11-23", "--contract", "nope").stdout
    assert one == "0 blocks, 0:00\n"


def test_one_block_is_said_so(data_dir):
    contract = add_contract(data_dir)
    start = slot_start(datetime.now(UTC)) - timedelta(minutes=10)
    if start.weekday() == 0 and start.hour == 0 and start.minute < 10:
        start += timedelta(minutes=10)
    moment = f"{start:%Y-%m-%d %H:%M}"
    end = f"{start + timedelta(minutes=10):%Y-%m-%d %H:%M}"
    (block,) = cli(
        data_dir, "add-time", "--contract", contract, "--start", moment, "--end", end
    ).stdout.split()
    assert cli(data_dir, "blocks", "--week", f"{start:%Y-%m-%d}").stdout.endswith("\n1 block, 0:10\n")
    assert cli(data_dir, "memo", "--text", "Call", block).stdout == "memo changed on 1 block\n"


def test_the_help_is_plain_text_with_every_option_explained():
    parser = build_parser()
    parsers = [parser]
    for parent in parsers:
        for action in parent._actions:
            if action.choices and isinstance(action.choices, dict):
                parsers.extend(action.choices.values())
    undocumented = [
        f"{p.prog} {'/'.join(a.option_strings) or a.dest}"
        for p in parsers
        for a in p._actions
        if not a.help and not (a.choices and isinstance(a.choices, dict))
    ]
    assert undocumented == []
    texts = [p.format_help() for p in parsers]
    assert len(parsers) > 8 and not [t for t in texts if "``" in t]


def test_blocks_with_activity_from_idle_time_say_so_and_have_no_counts(database, clock, contract):
    from tracker.engine import Tracker
    from tracker.simulation import SimulatedIdleTime, simulate

    tracker = Tracker(database, clock, input_source=SimulatedIdleTime())
    tracker.start(contract.id, "On Wayland")
    simulate(tracker, clock, 120, every=2)
    tracker.stop()
    (block,) = json.loads(cli(database.data_dir, "blocks", "--week", "2026-11-23", "--json").stdout)["blocks"]
    assert block["activity"] == {
        "source": "idle_time",
        "minutes_tracked": 2,
        "active_minutes": 2,
        "active_share": 0.5,
        "per_minute": [
            {"minute": minute, "keyboard": None, "mouse": None, "active_seconds": 30} for minute in (0, 1)
        ],
    }
    listing = cli(database.data_dir, "blocks", "--week", "2026-11-23").stdout
    assert "2/2 active  On Wayland  [activity from idle time]" in listing


def tracker_in(stack: Stack, data_dir: Path, *args: str, **env: str) -> list[str]:
    """``python -m tracker`` on ``data_dir`` run inside ``stack`` as the session's user, in the
    session's environment changed by ``env``."""
    tracker = [sys.executable, "-m", "tracker", "--data-dir", str(data_dir), "--tz", "UTC", *args]
    return stack.command(tracker, **{"PYTHONPATH": str(ROOT)} | env)


def blocks_in(stack: Stack, data_dir: Path, *args: str) -> list[dict]:
    done = subprocess.run(
        tracker_in(stack, data_dir, "blocks", "--json", *args), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)["blocks"]


def contract_in(stack: Stack, data_dir: Path) -> str:
    add = tracker_in(stack, data_dir, "contract", "add", "--title", "Website", "--rate", "40")
    return subprocess.run(add, capture_output=True, text=True, check=True).stdout.strip()


def active_seconds(block: dict) -> int:
    return sum(minute["active_seconds"] for minute in block["activity"]["per_minute"])


def test_in_a_sway_session_the_headless_tracker_takes_activity_from_the_compositors_idle_time():
    """``track`` run inside a headless sway (tests/helpers/wayland.py) as the session's user: typing
    injected with wtype becomes active seconds of a block whose activity comes from idle time."""
    with sway_stack() as stack:
        data_dir = stack.folder("data")

        def typed_seconds() -> int:
            stack.run(["wtype", "a"])
            return sum(active_seconds(block) for block in blocks_in(stack, data_dir))

        contract = contract_in(stack, data_dir)
        track = subprocess.Popen(
            tracker_in(stack, data_dir, "track", "--contract", contract, "--no-screenshots"),
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: typed_seconds() > 0, timeout=90)  # saved every 5 s, or at the minute's end
            (block,) = blocks_in(stack, data_dir)
        finally:
            stack.stop()  # ends the tracker too (nsenter would not pass a SIGTERM on)
            _, stderr = track.communicate(timeout=30)
    assert block["activity"]["source"] == "idle_time", block
    assert b"without activity" not in stderr, stderr


def test_in_a_gnome_session_the_headless_tracker_stores_a_block_with_activity_and_a_screenshot():
    """``track`` inside a headless gnome-shell (the portal's screenshot permission given) whose wall
    clock (libfaketime) starts 15 s before a slot ends: the slot's screenshot
    is taken at a random moment of those seconds, as in any slot. Keys typed meanwhile through
    mutter's RemoteDesktop become its active seconds; the next block's start ends the test."""
    require({LIBFAKETIME: "libfaketime"})
    with gnome_stack(background=RED) as stack:
        data_dir = stack.folder("data")
        press = stack.command([sys.executable, "-m", "tests.helpers.mutter"], PYTHONPATH=str(ROOT))

        def typed_until_the_next_block() -> bool:
            subprocess.run(press, check=True, timeout=30)
            return len(blocks_in(stack, data_dir, "--week", "2026-11-23")) > 1

        contract = contract_in(stack, data_dir)
        track = subprocess.Popen(
            tracker_in(stack, data_dir, "track", "--contract", contract, **FAKE_WALL_CLOCK),
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(typed_until_the_next_block, timeout=60)
            block, _ = blocks_in(stack, data_dir, "--week", "2026-11-23")
        finally:
            stack.stop()  # ends the tracker too
            _, stderr = track.communicate(timeout=30)
        with sqlite3.connect(data_dir / "workdiary.sqlite3") as connection:
            (path,) = connection.execute(
                "SELECT path FROM screenshot_images WHERE screenshot_id = ?", (block["screenshot"]["id"],)
            ).fetchone()
        shot = QImage(str(data_dir / path))
    assert block["start"] >= "2026-11-23T09:09:45" and block["end"] == "2026-11-23T09:10:00+00:00", block
    assert block["activity"]["source"] == "idle_time", block
    assert active_seconds(block) > 0, block
    assert block["capture_note"] == "private apps are not recognised on this system", block
    assert (shot.width(), shot.height()) == (1280, 720)
    assert close(rgb(shot, 640, 360), RED)  # gnome-shell's overview shows the background in the middle
    assert b"without activity" not in stderr, stderr
