"""CPU and memory of headless tracking on Wayland, where activity is the compositor's idle time:
``python -m tracker track --no-screenshots`` inside a headless sway (the idle protocol,
``org_kde_kwin_idle``) and inside a headless mutter (GNOME's IdleMonitor, asked once a tick).

Each stack comes from ``tests/helpers/wayland.py`` (an unprivileged user in a PID namespace of its
own, so this needs root and the packages of scripts/install-system-deps); the tracker runs in it as
its user. For SECONDS an injector, also in the session, sends the standard load's rates
(``shared/bench/input_load.py``: 5 key presses, 30 pointer motions and half a click a second):
on sway, keys through ``wtype`` and the pointer through sway's IPC (``seat seat0 cursor``); on
mutter, all through its RemoteDesktop. Then as long again with no input. CPU and memory are
measured as ``bench_tracking`` measures the X11 tracker (its ``Watched`` and ``measure``), so
``python -m benchmarks --only tracking wayland_tracking`` puts the two side by side.

    python -m benchmarks --only wayland_tracking --seconds 60
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from benchmarks.bench_tracking import (
    IDLE_CPU_PERCENT_BAR,
    MB,
    REPO,
    RSS_BAR_MB,
    SETTLE_S,
    Watched,
    at_most,
    measure,
    row,
)
from tracker.capture import sway

KEYS_PER_S, MOVES_PER_S, CLICKS_PER_S = 5.0, 30.0, 0.5  # shared/bench/input_load.py's defaults
# Active seconds beyond the injected input's: the idle notification comes a second (its timeout)
# after the last input, and on sway the first second after start counts before the first one came.
ACTIVE_EXCESS_BAR_S = 3.0
ACTIVE_SHORTFALL_BAR_S = 1.0
BTN_LEFT = 0x110  # an evdev code, as mutter's RemoteDesktop takes them


def run(seconds: float = 60.0) -> list[dict]:
    from tests.helpers.wayland import gnome_stack, sway_stack

    return measure_in("sway, idle protocol", sway_stack(), seconds) + measure_in(
        "GNOME (mutter), IdleMonitor", gnome_stack(shell=False), seconds
    )


def measure_in(desktop: str, stack_context: AbstractContextManager, seconds: float) -> list[dict]:
    """The tracker in the stack: under injected input for ``seconds``, then without input as long."""
    with stack_context as stack:
        data_dir = stack.folder("data")

        def in_session(*argv: str) -> list[str]:
            return stack.command(["env", "-C", str(REPO), sys.executable, *argv])

        contract = subprocess.run(
            in_session("-m", "tracker", "--data-dir", str(data_dir), "contract", "add", "--title", "B"),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        track = [
            "-m",
            "tracker",
            "--data-dir",
            str(data_dir),
            "track",
            "--contract",
            contract,
            "--no-screenshots",
        ]
        launcher = subprocess.Popen(
            in_session(*track), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        tracker = Watched("tracker", launcher)
        try:
            tracker.wait_for("Tracking since")
            (tracker.process,) = [  # the tracker's Python, not the launcher (nsenter) in front of it
                process
                for process in tracker.process.children(recursive=True)
                if "tracker" in process.cmdline()
            ]
            time.sleep(SETTLE_S)
            sent: dict = {}
            injector = in_session("-m", __spec__.name, "--inject", str(seconds))
            loaded = measure([tracker], lambda: sent.update(_run_injector(injector, seconds)))
            time.sleep(SETTLE_S)
            quiet = measure([tracker], lambda: time.sleep(seconds))
        finally:
            stopped = time.monotonic()
            tracker.process.terminate()
            code = launcher.wait(timeout=30)
            exit_seconds = time.monotonic() - stopped
        active_excess = _active_seconds(data_dir) - sent.pop("seconds")
    return [
        row(f"{desktop}: input injected (keys + moves + clicks)", sum(sent.values()), "events"),
        row(
            f"{desktop}: active seconds recorded − seconds of input sent",
            active_excess,
            "s",
            f"−{ACTIVE_SHORTFALL_BAR_S:g} to +{ACTIVE_EXCESS_BAR_S:g} s",
            -ACTIVE_SHORTFALL_BAR_S <= active_excess <= ACTIVE_EXCESS_BAR_S,
        ),
        row(f"{desktop}: tracker CPU under injected input", loaded.percent("tracker"), "% of a core"),
        row("  the same from schedstat (ns, live threads)", loaded.percent("tracker", True), "% of a core"),
        at_most(
            f"{desktop}: tracker CPU with no input",
            quiet.percent("tracker"),
            "% of a core",
            IDLE_CPU_PERCENT_BAR,
        ),
        row("  the same from schedstat (ns, live threads)", quiet.percent("tracker", True), "% of a core"),
        at_most(
            f"{desktop}: tracker RSS, peak while measured", max(tracker.rss_samples) / MB, "MB", RSS_BAR_MB
        ),
        at_most(f"{desktop}: tracker RSS, at the end", tracker.rss_samples[-1] / MB, "MB", RSS_BAR_MB),
        row(f"{desktop}: tracker exit code after SIGTERM", code, "", "0", code == 0),
        row(f"{desktop}: tracker exit after SIGTERM", exit_seconds, "s"),
    ]


def _run_injector(command: list[str], seconds: float) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _active_seconds(data_dir: Path) -> int:
    """The active seconds the tracker wrote into its blocks' per-minute activity."""
    from tracker.storage import DATABASE_NAME
    from tracker.tables import unpack_activity

    with sqlite3.connect(data_dir / DATABASE_NAME) as connection:
        activities = [unpack_activity(a) for (a,) in connection.execute("SELECT activity FROM blocks")]
    connection.close()
    return sum(minute[3] for activity in activities for minute in activity)


# ----- in the session: the injector


def _schedule(seconds: float) -> Iterator[str]:
    """ "key", "move" and "click" at the standard load's rates, each when it is due."""
    plan = sorted(
        (number / rate, kind)
        for rate, kind in ((KEYS_PER_S, "key"), (MOVES_PER_S, "move"), (CLICKS_PER_S, "click"))
        for number in range(int(seconds * rate))
    )
    start = time.monotonic()
    for offset, kind in plan:
        time.sleep(max(0.0, start + offset - time.monotonic()))
        yield kind


class SwayInput:
    """Keys through one ``wtype`` typing at the load's rate; the pointer through sway's IPC."""

    def __init__(self, seconds: float) -> None:
        self._ipc = socket.socket(socket.AF_UNIX)
        self._ipc.connect(os.environ["SWAYSOCK"])
        self._typist: subprocess.Popen | None = None
        self._keys = "a" * int(seconds * KEYS_PER_S)
        self._moved = 0

    def key(self) -> None:
        if self._typist is None:  # its own pace from the first key on: one process, not one a key
            delay_ms = str(int(1000 / KEYS_PER_S))
            self._typist = subprocess.Popen(["wtype", "-d", delay_ms, self._keys])

    def move(self) -> None:
        self._moved += 1
        self._command(f"seat seat0 cursor move {3 if self._moved % 2 else -3} 1")

    def click(self) -> None:
        self._command("seat seat0 cursor press button1")
        self._command("seat seat0 cursor release button1")

    def close(self) -> None:
        if self._typist is not None:
            self._typist.wait()
        self._ipc.close()

    def _command(self, command: str) -> None:
        reply = sway.exchange(self._ipc, sway.RUN_COMMAND, command.encode())
        if not all(result.get("success") for result in reply):
            raise RuntimeError(f"sway refused {command!r}: {reply}")


class MutterInput:
    """Keys, pointer motion and clicks through mutter's RemoteDesktop."""

    def __init__(self, seconds: float) -> None:
        from tests.helpers.mutter import Mutter

        self._mutter = Mutter(os.environ["DBUS_SESSION_BUS_ADDRESS"])
        self._moved = 0

    def key(self) -> None:
        self._mutter.press()

    def move(self) -> None:
        self._moved += 1
        self._mutter.remote("NotifyPointerMotionRelative", "dd", (3.0 if self._moved % 2 else -3.0, 1.0))

    def click(self) -> None:
        for pressed in (True, False):
            self._mutter.remote("NotifyPointerButton", "ib", (BTN_LEFT, pressed))

    def close(self) -> None:
        self._mutter.connection.close()


def inject(seconds: float) -> dict[str, float]:
    """Sends the standard load into this session for ``seconds``; what was sent, and the seconds from
    the first event to the last (the injector's own start is in the measured window, without input)."""
    injector = SwayInput(seconds) if os.environ.get("SWAYSOCK") else MutterInput(seconds)
    sent: dict[str, float] = {"key": 0, "move": 0, "click": 0}
    send: dict[str, Callable[[], None]] = {
        "key": injector.key,
        "move": injector.move,
        "click": injector.click,
    }
    started = time.monotonic()
    try:
        for kind in _schedule(seconds):
            send[kind]()
            sent[kind] += 1
    finally:
        injector.close()  # on sway, once wtype typed its last key: it keeps its own pace
    return sent | {"seconds": time.monotonic() - started}


if __name__ == "__main__" and sys.argv[1:2] == ["--inject"]:
    print(json.dumps(inject(float(sys.argv[2]))))
