"""The main window's last screenshot: shown once the window is up and whenever one is taken, read
again after an edit, and redacted or deleted from the window after a confirmation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from common.timetext import clock_text, minutes_text
from common.timeutil import WEEK
from tracker.diary import Diary
from ui.main_window import MainWindow
from ui.message_boxes import ask
from ui.operations import Operations, delete_screenshot
from ui.shots import ShotFacts, latest_screenshot_id, screenshot_facts


class LastScreenshot:
    def __init__(
        self,
        window: MainWindow,
        diary: Diary,
        operations: Operations,
        zone: tzinfo,
        now: Callable[[], datetime],
        refused: Callable[[str], None],
    ) -> None:
        self._window = window
        self._diary = diary
        self._operations = operations
        self._zone = zone
        self._now = now
        self._refused = refused  # a deletion the rules or the disk refuse: told as the app tells it

    def show_latest(self) -> None:
        """The latest screenshot of the past week (none: the window says so)."""
        shot = latest_screenshot_id(self._diary, self._now() - WEEK)
        self._window.set_screenshot(screenshot_facts(self._diary, shot) if shot else None)

    def taken(self, screenshot_id: str) -> ShotFacts | None:
        """A screenshot was just taken: it is the one shown."""
        facts = screenshot_facts(self._diary, screenshot_id)
        self._window.set_screenshot(facts)
        return facts

    def read_again(self) -> None:
        """The shown screenshot as it is now (redacted, or deleted: then the latest one)."""
        shot = self._window.shot
        if shot is not None:
            self._window.set_screenshot(screenshot_facts(self._diary, shot.id))
        if self._window.shot is None:
            self.show_latest()

    def ask_to_redact(self, screenshot_id: str) -> None:
        ask(
            self._window,
            "Redact the whole screenshot?",
            "Every monitor's image is blurred for good. This cannot be undone.",
            "&Redact all",
            lambda: self._operations.edit(
                self._window,
                lambda context: context.diary.redact_screenshot(screenshot_id, context.now),
                failed=self._window.show_refusal,
            ),
            informative="The block keeps its time and is marked as redacted. To blur only part of it, "
            "open it with “Review…”.",
            name="confirm-redact",
        )

    def ask_to_delete(self, screenshot_id: str) -> None:
        facts = screenshot_facts(self._diary, screenshot_id)
        if facts is None:  # deleted meanwhile (from the Work Diary, or its block removed)
            self.read_again()
            return
        span = f"{clock_text(facts.block_start, self._zone)}–{clock_text(facts.block_end, self._zone)}"
        ask(
            self._window,
            "Delete the screenshot and its time?",
            f"Deleting the screenshot also removes its time block ({span}, "
            f"{minutes_text(facts.block_seconds)}) from your time: clients pay for time with screenshots.",
            "&Delete screenshot and time",
            lambda: self._operations.edit(
                self._window, delete_screenshot(screenshot_id), failed=self._refused, engine=True
            ),
            informative="This cannot be undone. To hide what is on it and keep the time, redact it instead.",
            name="confirm-delete",
        )
