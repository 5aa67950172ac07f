"""The input callbacks of ``PynputInputSource``: time per call, and that they allocate nothing.

Each callback is called directly in a loop with the arguments pynput passes (no listener, no X
events), beside callbacks with the same signatures that do nothing: the reference for the cost of
the loop and of Python's call. tracemalloc then checks that a million calls of each keep nothing
allocated but the counters, and that they allocate no more on the way than the do-nothing ones.

    python -m benchmarks --only callback
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

from tracker.capture import input as input_module
from tracker.capture.input import PynputInputSource

CALLS = 1_000_000
INT_BYTES = 32  # one int object, as a counter past 256 is


class DoNothing:
    """The callbacks' signatures with empty bodies."""

    def _on_press(self, key, injected) -> None:
        pass

    def _on_move(self, x, y, injected) -> None:
        pass

    def _on_click(self, x, y, button, pressed, injected) -> None:
        pass

    def _on_scroll(self, x, y, dx, dy, injected) -> None:
        pass


def pynput_arguments() -> tuple[object, object]:
    """A key and a button as pynput passes them (plain stand-ins when pynput has no display)."""
    try:
        from pynput import keyboard, mouse
    except ImportError:
        return "a", "left"
    return keyboard.KeyCode.from_char("a"), mouse.Button.left


def callbacks(source: PynputInputSource | DoNothing) -> dict[str, Callable[[], None]]:
    """One call of each callback, with the arguments pynput gives."""
    key, button = pynput_arguments()
    return {
        "on_press": lambda: source._on_press(key, False),
        "on_move": lambda: source._on_move(960, 540, False),
        "on_click": lambda: source._on_click(960, 540, button, True, False),
        "on_scroll": lambda: source._on_scroll(960, 540, 0, -1, False),
    }


def loop_ns(call: Callable[[], None]) -> float:
    """Nanoseconds per call, the loop included (the best of three runs of CALLS calls)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter_ns()
        for _ in range(CALLS):
            call()
        best = min(best, (time.perf_counter_ns() - started) / CALLS)
    return best


def traced(calls: dict[str, Callable[[], None]]) -> tuple[int, int]:
    """Bytes that objects made in input.py still hold after CALLS calls of each callback, and the
    peak of traced memory above where the calls started."""
    only_input = [tracemalloc.Filter(True, input_module.__file__)]
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot().filter_traces(only_input)
        start, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for call in calls.values():
            for _ in range(CALLS):
                call()
        _, peak = tracemalloc.get_traced_memory()
        after = tracemalloc.take_snapshot().filter_traces(only_input)
    finally:
        tracemalloc.stop()
    kept = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return kept, peak - start


def row(name: str, value, unit: str, bar: str | None = None, ok: bool | None = None) -> dict:
    return {"name": f"callback: {name}", "value": value, "unit": unit, "bar": bar, "ok": ok}


def at_most(name: str, value: float, unit: str, bar: float) -> dict:
    return row(name, value, unit, f"≤ {bar:g} {unit}", value <= bar)


def run() -> list[dict]:
    source = PynputInputSource()
    real, empty = callbacks(source), callbacks(DoNothing())
    rows = []
    for name in real:
        spent, reference = loop_ns(real[name]), loop_ns(empty[name])
        rows.append(row(f"{name}, per call (empty callback: {reference:.0f} ns)", spent, "ns"))
    kept, peak = traced(real)
    _, reference_peak = traced(empty)
    transient = peak - reference_peak - kept  # above an empty callback and the counters' own bytes
    calls = len(real) * CALLS
    return [
        *rows,
        at_most(f"bytes kept after {calls:,} calls (the 2 counters)", kept, "B", 2 * INT_BYTES),
        at_most("bytes kept per call", kept / calls, "B", 0.001),
        at_most("peak bytes beyond the counters and an empty callback", transient, "B", INT_BYTES),
    ]
