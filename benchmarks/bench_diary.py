"""Work Diary queries on a 5-year database: the week, its day totals, the month's dots, the totals.

The database holds five years of a freelancer's work (weekdays and some Saturdays, 6–8 h a day in
10-minute blocks on a few contracts, with activity, memos and a screenshot per block: about 57,000
blocks) and, in the current work week, a full week of 7 × 144 blocks. The week queries read an
index range and hardly depend on the history's size; ``totals`` grows with it (3× at 250,000).
The database is generated once, with bare executemany in one transaction, and kept in
benchmarks/results/cache/ under a key naming the generator version, the schema revision and the
current week. Each figure is the median of ``RUNS`` calls after a warm-up.

    python -m benchmarks --only diary
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from common.timeutil import SLOT, WEEK, to_epoch, week_of_date
from tracker import migrations
from tracker.diary import Diary
from tracker.storage import DATABASE_NAME, Database
from tracker.tables import ActivitySummary, pack_activity, unpack_activity

GENERATOR_VERSION = "3"
YEARS = 5
WARM_UP = 3
RUNS = 25
WEEK_QUERY_BAR_MS = 5.0
OPEN_WEEK_BAR_MS = 150.0
CACHE_DIR = Path(__file__).parent / "results" / "cache"
MEMOS = ["Checkout flow", "Code review", "Bug triage", "API design", "Meeting with client", "Docs", ""]

BLOCK_COLUMNS = (
    'id, contract_id, device_id, start, "end", activity, active_minutes, active_seconds, memo, source, '
    "is_open, over_limit, deleted, capture_note, sync_state, updated_at"
)


def _activity(rng: random.Random, minutes: int) -> tuple[bytes, int, int]:
    """The activity columns of a block with one entry per minute: [minute, keyboard events,
    mouse events, active seconds]."""
    per_minute = [[m, rng.randint(0, 300), rng.randint(0, 900), rng.randint(20, 60)] for m in range(minutes)]
    return pack_activity(per_minute), *ActivitySummary.of(per_minute)


class _Rows:
    """Rows for the blocks, screenshots and screenshot_images tables."""

    def __init__(self, device_id: str, seed: int = 20) -> None:
        self.rng = random.Random(seed)
        self.device_id = device_id
        self.blocks: list[tuple] = []
        self.screenshots: list[tuple] = []
        self.images: list[tuple] = []

    def block(self, contract_id: str, start: datetime, seconds: int, synced: bool) -> None:
        rng, block_id = self.rng, str(uuid.uuid4())
        begin, end = to_epoch(start), to_epoch(start) + seconds
        deleted = synced and rng.random() < 0.01  # a few removed blocks (tombstones) in the history
        state = "synced" if synced else "pending"
        self.blocks.append(
            (block_id, contract_id, self.device_id, begin, end, *_activity(rng, (seconds + 59) // 60),
             rng.choice(MEMOS), "tracked", 0, 0, int(deleted), "", state, end)
        )  # fmt: skip
        if deleted or rng.random() < 0.03:
            return
        shot_id = str(uuid.uuid4())
        taken = begin + rng.randint(0, seconds - 1)
        self.screenshots.append((shot_id, block_id, taken, int(rng.random() < 0.02), 0, state))
        folder = f"screenshots/{start:%Y/%m/%d}"
        self.images.append(
            (shot_id, 1, f"{folder}/{shot_id}-m1.webp", f"{folder}/{shot_id}-m1-thumb.webp",
             uuid.uuid4().hex * 2, rng.randint(40_000, 110_000), 1920, 1080)
        )  # fmt: skip

    def work_day(self, day: datetime, contracts: list[str]) -> None:
        """6–8 h from a morning start, a lunch break, one contract before and maybe another after."""
        rng = self.rng
        start = day + timedelta(hours=7) + rng.randint(0, 12) * SLOT
        slots = rng.randint(36, 48)
        lunch_at = rng.randint(slots // 3, 2 * slots // 3)
        morning, afternoon = rng.choice(contracts), rng.choice(contracts)
        for i in range(slots):
            slot = start + i * SLOT + (6 * SLOT if i >= lunch_at else timedelta(0))
            seconds = rng.randint(60, 599) if i == slots - 1 else 600  # the day ends inside a slot
            self.block(morning if i < lunch_at else afternoon, slot, seconds, synced=True)

    def full_week(self, monday: datetime, contract_id: str) -> None:
        for i in range(7 * 144):
            self.block(contract_id, monday + i * SLOT, 600, synced=False)


def generate(data_dir: Path, this_week: datetime) -> None:
    """Create the database of five years of history plus the current full week in ``data_dir``."""
    first_week = this_week - YEARS * 52 * WEEK
    database = Database(data_dir)
    diary = Diary(database, UTC)
    contracts = [
        diary.add_contract(title, now=first_week, hourly_rate=Decimal(rate), weekly_limit_hours=limit).id
        for title, rate, limit in (
            ("Website rebuild", 50, 40),
            ("Mobile app", 65, None),
            ("Data pipeline", 45, 20),
            ("Support retainer", 40, 10),
        )
    ]
    rows = _Rows(database.device_id())
    database.close()
    week = first_week
    while week < this_week:
        for weekday in range(6):
            if weekday < 5 or rows.rng.random() < 0.1:
                rows.work_day(week + timedelta(days=weekday), contracts)
        week += WEEK
    rows.full_week(this_week, contracts[0])
    with sqlite3.connect(data_dir / DATABASE_NAME) as connection:
        placeholders = ", ".join("?" * 16)
        connection.executemany(f"INSERT INTO blocks ({BLOCK_COLUMNS}) VALUES ({placeholders})", rows.blocks)
        connection.executemany(
            "INSERT INTO screenshots (id, block_id, taken_at, redacted, deleted, sync_state) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows.screenshots,
        )
        connection.executemany(
            "INSERT INTO screenshot_images (screenshot_id, monitor, path, thumbnail_path, sha256, "
            "size_bytes, width, height) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows.images,
        )
    connection.close()


def cached_database(this_week: datetime) -> tuple[Path, float | None]:
    """The generated database for this week (made now if missing) and the seconds it took to make."""
    key = f"diary-g{GENERATOR_VERSION}-r{migrations.HEAD}-{this_week:%Y-%m-%d}"
    folder = CACHE_DIR / key
    if (folder / DATABASE_NAME).exists():
        return folder / DATABASE_NAME, None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        generate(Path(work) / "data", this_week)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for old in CACHE_DIR.glob("diary-*"):
            shutil.rmtree(old)
        folder.mkdir()
        with (
            sqlite3.connect(Path(work) / "data" / DATABASE_NAME) as source,
            sqlite3.connect(folder / DATABASE_NAME) as target,
        ):
            source.backup(target)  # one self-contained file, WAL folded in
        source.close()
        target.close()
    return folder / DATABASE_NAME, time.perf_counter() - started


def median_ms(call: Callable[[], object]) -> float:
    for _ in range(WARM_UP):
        call()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def row(name: str, value: float | int | None, unit: str, bar: str | None = None, ok: bool | None = None):
    return {"name": f"diary: {name}", "value": value, "unit": unit, "bar": bar, "ok": ok}


def at_most(name: str, value: float, unit: str, bar: float) -> dict:
    return row(name, value, unit, f"≤ {bar:g} {unit}", value <= bar)


def run() -> list[dict]:
    now = datetime.now(UTC)
    today = now.date()
    this_week = week_of_date(today)
    cached, generation_s = cached_database(this_week)
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(cached, Path(work) / DATABASE_NAME)
        database = Database(Path(work))
        try:
            return _measure(database, today, now, generation_s)
        finally:
            database.close()


def _measure(database: Database, today: date, now: datetime, generation_s: float | None) -> list[dict]:
    diary = Diary(database)  # the local zone, as the app uses
    contract_id = next(c.id for c in diary.contracts() if c.title == "Website rebuild")
    with database.engine.connect() as connection:
        total = connection.exec_driver_sql("SELECT count(*) FROM blocks").scalar()
    week = diary.week_blocks(today)
    timings = {
        "week_blocks": median_ms(lambda: diary.week_blocks(today)),
        "week_days": median_ms(lambda: diary.week_days(today)),
        "day_blocks": median_ms(lambda: diary.day_blocks(today)),
        "month_days": median_ms(lambda: diary.month_days(today.year, today.month)),
        "totals": median_ms(lambda: diary.totals(contract_id, now)),
    }
    bare = sqlite3.connect(database.path)
    sql_ms = median_ms(lambda: _bare_week_rows(bare, week_of_date(today)))
    activities = [r[10] for r in _bare_week_rows(bare, week_of_date(today))]
    bare.close()
    decoding_ms = median_ms(lambda: [unpack_activity(a) for a in activities])
    opening = timings["week_blocks"] + timings["week_days"] + timings["month_days"] + timings["totals"]
    return [
        row("blocks in the database", total, "blocks"),
        row("database generation (– when cached)", generation_s, "s"),
        row("blocks in the current week", len(week), "blocks", "7 × 144 = 1008", len(week) == 1008),
        at_most("week_blocks (week query)", timings["week_blocks"], "ms", WEEK_QUERY_BAR_MS),
        row("  of which: its SQL alone, bare sqlite3 (reference)", sql_ms, "ms"),
        row("  reference: decoding its per-minute activity (only when asked)", decoding_ms, "ms"),
        row("week_days", timings["week_days"], "ms"),
        row("day_blocks (today)", timings["day_blocks"], "ms"),
        row("month_days", timings["month_days"], "ms"),
        row("totals", timings["totals"], "ms"),
        row(
            "core part of opening a week (week_blocks + week_days + month_days + totals)",
            opening,
            "ms",
            f"whole view ≤ {OPEN_WEEK_BAR_MS:g} ms",
            False if opening > OPEN_WEEK_BAR_MS else None,
        ),
    ]


def _bare_week_rows(connection: sqlite3.Connection, week: datetime) -> list[tuple]:
    """The week query's rows with the sqlite3 module alone: its SQL cost without SQLAlchemy."""
    return connection.execute(
        'SELECT b.id, b.contract_id, b.start, b."end", b.memo, b.source, b.over_limit, b.capture_note, '
        "b.active_minutes, b.active_seconds, b.activity, s.id, s.redacted "
        "FROM blocks b LEFT OUTER JOIN screenshots s ON s.block_id = b.id AND s.deleted = 0 "
        "WHERE b.start >= ? AND b.start < ? AND b.deleted = 0 ORDER BY b.start",
        (to_epoch(week), to_epoch(week + WEEK)),
    ).fetchall()
