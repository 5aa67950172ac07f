"""The service's load test: the production layout (scripts/serve_prod.py: nginx with TLS, N workers,
PostgreSQL, moto's S3 server) with 1, 2 and 4 workers, loaded by Locust through nginx over HTTPS.

50 devices sync heavy past weeks, together offering OFFERED_BLOCKS_PER_S blocks a second in pages
of 100 (as the app sends them), with screenshots of some of them to the object store
(benchmarks/load_locustfile.py), while 20 clients read Work Diaries in the web workroom, for
``seconds`` per worker count, on loopback. The load is open: each device starts a page on its own
schedule, answered or not, so the latencies are those of the service at that rate (devices that
waited for their answers would queue on each other and measure the queue). Measured: the blocks and
screenshots stored per second (counted in the database), p50/p99 per request kind and the failed
requests (Locust's), and the CPU of each group of processes over the run.

    python -m benchmarks --only load [--seconds 60]
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil
import requests
from sqlalchemy import func, make_url, select

from common.timeutil import WEEK, week_start
from common.wire import API_PREFIX
from service.admin import create_contract, create_user
from service.database import Database
from service.local import free_port
from service.models import Blob, Block
from sync.worker import PAGE

NAME = "load"
ROOT = Path(__file__).resolve().parents[1]
SERVE_PROD = ROOT / "scripts" / "serve_prod.py"
LOCUSTFILE = Path(__file__).with_name("load_locustfile.py")
LOAD_PLAN_VARIABLE = "WORKDIARY_LOAD_PLAN"  # the plan's file, for the locustfile
WORKER_COUNTS = (1, 2, 4)
DEVICES, BROWSERS = 50, 20
WEEKS = 20  # of each device's backlog: more than it can send in a run
PASSWORD = "load-test-password"
# Sign-ins are not what is measured: a cheap hash (the users are made with it, too).
PASSWORD_COST = 2**10
BLOCKS_BAR, P99_BAR_MS = 1000.0, 200.0
OFFERED_BLOCKS_PER_S = 1250  # above the bar: what is stored per second is measured
# A screenshot for one block in 50: images are most of the bytes, and moto, the object store here,
# shares the machine's two cores with everything else (on a real deployment it is another machine).
SCREENSHOTS_PER_PAGE = PAGE // 50
BATCH_KIND = "PUT /blocks (a page)"
SAMPLE_EVERY_S = 1.0
STOP_MARGIN_S = 60  # for Locust's start and stop


@dataclass
class Layout:
    process: subprocess.Popen
    url: str
    certificate: str
    database_url: str


def run(seconds: float = 60.0) -> list[dict]:
    return [row for workers in WORKER_COUNTS for row in measure(workers, seconds, DEVICES, BROWSERS)]


def measure(workers: int, seconds: float, devices: int, browsers: int) -> list[dict]:
    """The rows of one run of ``seconds`` against ``workers`` workers."""
    with tempfile.TemporaryDirectory(prefix="workdiary-load-") as folder:
        layout = _started(workers, Path(folder))
        try:
            plan = _seeded(layout, devices, browsers)
            plan_path = Path(folder) / "plan.json"
            plan_path.write_text(json.dumps(plan))
            processes = [psutil.Process(layout.process.pid), _postmaster(layout.database_url)]
            cpu_before = _cpu_by_group(processes)
            locust_before = _children_cpu()
            database = Database(layout.database_url)
            started = time.monotonic()
            locust = _locust(layout.url, plan_path, devices + browsers, seconds, Path(folder) / "locust")
            blocks_by_time = _sampled(locust, database, started, seconds + STOP_MARGIN_S)
            elapsed = time.monotonic() - started
            cpu = {
                group: used - cpu_before.get(group, 0.0) for group, used in _cpu_by_group(processes).items()
            }
            cpu["Locust"] = _children_cpu() - locust_before
            stored = _stored(database)
            database.close()
        finally:
            layout.process.terminate()
            layout.process.wait(timeout=60)
            assert layout.process.stdout is not None
            layout.process.stdout.close()
        kinds = _latencies(Path(folder) / "locust.json")
    return _rows(workers, elapsed, stored, _until_the_last(blocks_by_time, stored[0], elapsed), kinds, cpu)


def _started(workers: int, folder: Path) -> Layout:
    """serve_prod's layout, up (its output read for where things are)."""
    https_port = free_port()
    command = [sys.executable, str(SERVE_PROD), "--workers", str(workers), "--folder", str(folder / "prod")]
    command += ["--https-port", str(https_port), "--http-port", str(free_port())]
    environment = {**os.environ, "WORKDIARY_SERVICE_PASSWORD_COST": str(PASSWORD_COST)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment
    )
    assert process.stdout is not None
    output = []
    for line in process.stdout:
        output.append(line)
        if line.startswith("Workdiary is up on"):
            break
    else:
        raise RuntimeError(f"serve-prod did not start:\n{''.join(output)}")
    text = "".join(output)
    printed = {key: re.search(rf"^{key}: (\S+)", text, re.MULTILINE) for key in ("certificate", "database")}
    assert all(printed.values()), text
    return Layout(
        process, f"https://127.0.0.1:{https_port}", printed["certificate"][1], printed["database"][1]
    )


def _seeded(layout: Layout, devices: int, browsers: int) -> dict:
    """Freelancers (one device each) with a contract each, their clients, signed in: the plan
    load_locustfile reads."""
    now = datetime.now(UTC)
    weeks = [week_start(now) - n * WEEK for n in range(1, WEEKS + 1)]
    database = Database(layout.database_url)
    clients = [f"client-{n}@load.test" for n in range(browsers)]
    contracts: dict[str, list[str]] = defaultdict(list)
    freelancers = []
    with database.writing() as session:
        for email in clients:
            create_user(session, email, email, "client", PASSWORD, now, PASSWORD_COST)
        for n in range(devices):
            email, client = f"freelancer-{n}@load.test", clients[n % browsers]
            create_user(session, email, email, "freelancer", PASSWORD, now, PASSWORD_COST)
            # The grace keeps the backlog's weeks open to writes.
            contract = create_contract(
                session, email, client, weeks[-1] - WEEK, title=f"Load {n}", grace_hours=(WEEKS + 1) * 7 * 24
            )
            contracts[client].append(contract.id)
            freelancers.append((email, contract.id))
    database.close()
    return {
        "certificate": layout.certificate,
        "devices_count": devices,
        "pacing_s": devices * PAGE / OFFERED_BLOCKS_PER_S,
        "screenshots_per_page": SCREENSHOTS_PER_PAGE,
        "browsers_count": browsers,
        "weeks": [week.isoformat() for week in weeks],
        "devices": [
            {"token": _api_token(layout, email), "contract_id": contract_id, "first_mark": n * 10**9}
            for n, (email, contract_id) in enumerate(freelancers)
        ],
        "browsers": [
            {"cookies": _web_cookies(layout, email), "contract_ids": contracts[email]} for email in clients
        ],
    }


def _client(layout: Layout) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = layout.certificate
    return session


def _api_token(layout: Layout, email: str) -> str:
    answer = _client(layout).post(
        f"{layout.url}{API_PREFIX}/auth/sign-in",
        json={"email": email, "password": PASSWORD, "device_name": "load test"},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["token"]


def _web_cookies(layout: Layout, email: str) -> dict[str, str]:
    """The cookies of a browser signed in through the web's sign-in form."""
    browser = _client(layout)
    form = browser.get(f"{layout.url}/sign-in", timeout=30).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None, form
    answer = browser.post(
        f"{layout.url}/sign-in",
        data={"email": email, "password": PASSWORD, "csrf": csrf[1], "next": "/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, answer.text
    return browser.cookies.get_dict()


def _locust(url: str, plan: Path, users: int, seconds: float, stats: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url]
    command += ["--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds:g}s"]
    # Its final stats go to ``stats`` with ".json" added (Locust adds it).
    command += ["--json-file", str(stats), "--only-summary", "--loglevel", "WARNING"]
    # Its exit code (1 when a request failed) is not read: the failures are counted from its stats.
    return subprocess.Popen(
        command, env={**os.environ, LOAD_PLAN_VARIABLE: str(plan)}, cwd=ROOT, stdout=subprocess.DEVNULL
    )


def _sampled(
    locust: subprocess.Popen, database: Database, started: float, longest: float
) -> list[tuple[float, int]]:
    """The blocks stored, each second until Locust ends (killed after ``longest`` seconds):
    (seconds since ``started``, blocks)."""
    samples = []
    while locust.poll() is None:
        if time.monotonic() - started > longest:
            locust.kill()
        samples.append((time.monotonic() - started, _stored(database)[0]))
        try:
            locust.wait(timeout=SAMPLE_EVERY_S)
        except subprocess.TimeoutExpired:
            continue
    return samples


def _until_the_last(blocks_by_time: list[tuple[float, int]], blocks: int, elapsed: float) -> float:
    """The seconds until the last block was stored: the devices' backlogs can run out of blocks
    before the run ends (their images still uploading), and that time is no ingest."""
    return next((moment for moment, stored in blocks_by_time if stored == blocks), elapsed)


def _postmaster(database_url: str) -> psutil.Process:
    """The cluster's server (pg_ctl leaves it no child of serve_prod's): the one on its socket folder."""
    socket_folder = make_url(database_url).query["host"]
    return next(
        process
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres" and socket_folder in (process.info["cmdline"] or [])
    )


def _cpu_by_group(parents: list[psutil.Process]) -> dict[str, float]:
    """CPU seconds used so far by each group of the layout's processes (those alive now)."""
    used: dict[str, float] = defaultdict(float)
    for process in [
        *parents[1:],
        *(child for parent in parents for child in parent.children(recursive=True)),
    ]:
        try:
            command = " ".join(process.cmdline())
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        used[_group(command)] += times.user + times.system
    return dict(used)


def _group(command: str) -> str:
    if "moto.server" in command:
        return "moto (S3)"
    if "nginx" in command:
        return "nginx"
    if "postgres" in command:
        return "PostgreSQL"
    if " serve " in command:
        return "workers"
    return "other"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stored(database: Database) -> tuple[int, int]:
    """The blocks and the screenshots (by their images) stored."""
    with database.reading() as session:
        blocks = session.scalar(select(func.count()).select_from(Block)) or 0
        images = session.scalar(select(func.count()).select_from(Blob)) or 0
    return blocks, images // 2  # a screenshot's image and its thumbnail


def _latencies(stats: Path) -> dict[str, dict[str, float]]:
    """Per request kind, from Locust's final stats: its count, failures, p50 and p99 in ms."""
    return {
        entry["name"]: {
            "requests": entry["num_requests"],
            "failures": entry["num_failures"],
            "p50": _percentile(entry["response_times"], 0.50),
            "p99": _percentile(entry["response_times"], 0.99),
        }
        for entry in json.loads(stats.read_text())
    }


def _percentile(response_times: dict[str, int], fraction: float) -> float:
    """The time (ms, as Locust rounds it) within which ``fraction`` of the requests were answered."""
    times = sorted((float(time), count) for time, count in response_times.items())
    wanted, answered = fraction * sum(count for _, count in times), 0
    for time_ms, count in times:
        answered += count
        if answered >= wanted:
            return time_ms
    return float("nan")


def _rows(
    workers: int,
    elapsed: float,
    stored: tuple[int, int],
    blocks_seconds: float,
    kinds: dict[str, dict[str, float]],
    cpu: dict[str, float],
) -> list[dict]:
    prefix = f"{NAME}: {workers} worker{'s' if workers > 1 else ''}"
    blocks_per_s, screenshots_per_s = stored[0] / blocks_seconds, stored[1] / elapsed
    batch_p99 = kinds.get(BATCH_KIND, {}).get("p99")
    errors = sum(int(figures["failures"]) for figures in kinds.values())
    rows = [
        {"name": f"{prefix}: blocks stored ({stored[0]:,} in {blocks_seconds:.0f} s)",
         "value": blocks_per_s, "unit": "blocks/s",
         "bar": f"≥ {BLOCKS_BAR:g} blocks/s", "ok": blocks_per_s >= BLOCKS_BAR},
        {"name": f"{prefix}: screenshots uploaded", "value": screenshots_per_s, "unit": "screenshots/s",
         "bar": None, "ok": None},
        {"name": f"{prefix}: failed requests", "value": errors, "unit": "requests", "bar": "0",
         "ok": errors == 0},
    ]  # fmt: skip
    for kind, figures in kinds.items():
        checked = kind == BATCH_KIND
        rows.append(
            {"name": f"{prefix}: {kind} p50 / p99 ({figures['requests']:,} requests)",
             "value": f"{figures['p50']:.0f} / {figures['p99']:.0f}", "unit": "ms",
             "bar": f"p99 ≤ {P99_BAR_MS:g} ms" if checked else None,
             "ok": figures["p99"] <= P99_BAR_MS if checked else None}
        )  # fmt: skip
    if batch_p99 is None:
        rows.append({"name": f"{prefix}: {BATCH_KIND}", "value": None, "unit": "", "bar": None, "ok": False})
    for group, used in sorted(cpu.items()):
        rows.append(
            {"name": f"{prefix}: CPU of {group}", "value": 100 * used / elapsed, "unit": "% of a core",
             "bar": None, "ok": None}
        )  # fmt: skip
    return rows
