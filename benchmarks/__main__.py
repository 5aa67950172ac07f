"""Run Workdiary's benchmarks and check them against the quality bars of PRODUCT.md section 6.

    python -m benchmarks [--seconds 60] [--only tracking diary ...]

Each module ``benchmarks/bench_NAME.py`` has ``run()`` returning rows
{"name", "value", "unit", "bar", "ok"}. The rows are printed as one table and saved with the facts of
the machine in benchmarks/results/<timestamp>.json and benchmarks/results/latest.json. Without
``DISPLAY`` an Xvfb server is started for the run.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.display import x_display

BENCHMARKS = [
    "tracking",
    "callback",
    "diary",
    "screenshot",
    "portal",
    "wayland_tracking",
    "app",
    "sync",
    "workroom",
    "workroom_money",
    "workroom_copy",
    "web_diary",
    "bundle",
    "load",
]
RESULTS_DIR = Path(__file__).parent / "results"


def run_benchmark(name: str, seconds: float) -> list[dict]:
    """The rows of one benchmark; a benchmark that fails gives one failed row saying why."""
    started = time.monotonic()
    try:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        takes_seconds = "seconds" in inspect.signature(module.run).parameters
        rows = module.run(seconds=seconds) if takes_seconds else module.run()
    except Exception as error:
        traceback.print_exc()
        rows = [{"name": f"{name}: error", "value": None, "unit": "", "bar": None, "ok": False}]
        rows[0]["error"] = f"{type(error).__name__}: {error}"
    print(f"[{name}: {time.monotonic() - started:.1f} s]", file=sys.stderr, flush=True)
    return [{"benchmark": name, **row} for row in rows]


def format_value(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(rows: list[dict]) -> None:
    header = ("name", "value", "unit", "bar", "ok")
    lines = [
        (
            str(row["name"]),
            format_value(row["value"]),
            str(row.get("unit") or ""),
            "" if row.get("bar") is None else format_value(row["bar"]),
            {True: "yes", False: "NO", None: ""}.get(row.get("ok"), str(row.get("ok"))),
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    for cells in [header, tuple("-" * w for w in widths), *lines]:
        print(" | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())
    for row in rows:
        if row.get("error"):
            print(f"{row['name']}: {row['error']}")


def machine_facts() -> dict:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def save(rows: list[dict], args: argparse.Namespace) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    report = {"machine": machine_facts(), "seconds": args.seconds, "only": args.only, "results": rows}
    text = json.dumps(report, indent=2, default=str)
    path = RESULTS_DIR / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each CPU measurement")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, metavar="NAME", help=", ".join(BENCHMARKS))
    args = parser.parse_args()
    rows: list[dict] = []
    with x_display():
        for name in args.only or BENCHMARKS:
            rows += run_benchmark(name, args.seconds)
    saved = save(rows, args)
    print_table(rows)
    print(f"saved {saved}")
    return 0 if all(row.get("ok") is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
