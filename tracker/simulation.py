"""A clock that moves only when told, and input counts that grow (or a compositor's idle time that
ends) only when told: they drive the real engine through simulated days in milliseconds, for the
demo week, the docs' pictures, the benchmarks and the tests."""

from __future__ import annotations

from datetime import datetime, timedelta


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        self.wall = start
        self.mono = 1000.0

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds

    def suspend(self, seconds: float) -> None:
        """The machine sleeps: the wall clock moves, the monotonic clock does not."""
        self.wall += timedelta(seconds=seconds)

    def set_wall(self, moment: datetime) -> None:
        """Somebody changes the system clock."""
        self.wall = moment


class SimulatedInput:
    def __init__(self) -> None:
        self.keys = 0
        self.mouse = 0

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def counts(self) -> tuple[int, int]:
        return self.keys, self.mouse

    def add(self, keys: int = 0, mouse: int = 0) -> None:
        self.keys += keys
        self.mouse += mouse


class SimulatedIdleTime:
    """A Wayland compositor's idle time (``tracker.capture.IdleTimeSource``): input is seen, not
    counted."""

    def __init__(self) -> None:
        self.locked = False
        self._input = False

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def input_since_last_read(self) -> bool:
        seen, self._input = self._input, False
        return seen

    def screen_locked(self) -> bool:
        return self.locked

    def add(self, keys: int = 0, mouse: int = 0) -> None:
        """Input happens (how much, the compositor does not tell)."""
        self._input = self._input or bool(keys or mouse)


def simulate(
    tracker, clock: SimulatedClock, seconds: int, keys: int = 1, mouse: int = 2, every: int = 1
) -> None:
    """Drive the tracker for ``seconds`` one-second ticks, with input on every ``every``-th second
    (``every=0``: no input at all)."""
    source = tracker.input
    for second in range(seconds):
        clock.advance(1)
        if every and second % every == 0:
            source.add(keys, mouse)
        tracker.tick()
