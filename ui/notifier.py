"""Which of the engine's events the app tells in a tray notification, and when; the texts are the
command line's (tracker/notices.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, tzinfo

from common.states import IdleDecision
from common.timetext import clock_text
from tracker import engine as events
from tracker.notices import STOPPED_BY_ITSELF, looks_wrong, notice
from tracker.settings import Settings
from ui.shots import ShotFacts
from ui.theme import APP_NAME
from ui.tray import Tray

TOLD_CLOCK_JUMP = timedelta(minutes=1)  # a shorter gap (a busy machine) is not worth a notification


class Notifier:
    """Tray notifications for the engine's events, when the settings ask for them. Tracking that
    stops by itself is told; a stop the user chose in the idle question is not."""

    def __init__(self, tray: Tray, zone: tzinfo, settings: Callable[[], Settings]) -> None:
        self._tray = tray
        self._zone = zone
        self._settings = settings
        self._stopping_by_answer = False

    def idle_answered(self, decision: str) -> None:
        self._stopping_by_answer = decision == IdleDecision.DISCARD_AND_STOP

    def tell(self, event: object) -> None:
        """An event of the engine's (the ones the app tells; the others pass)."""
        by_answer = self._stopping_by_answer and isinstance(event, events.TrackingStopped)
        if isinstance(event, events.TrackingStopped):
            self._stopping_by_answer = False
        if not self._settings().notifications or by_answer or not self._worth_telling(event):
            return
        told = notice(event, self._zone)
        self._tray.notify(told.title or APP_NAME, told.text, warning=told.warning)

    def screenshot_taken(self, event: events.ScreenshotTaken, facts: ShotFacts) -> None:
        """Clicking the notification opens the review (the target is the screenshot's id)."""
        settings = self._settings()
        if not settings.notifications:
            return
        hold = clock_text(facts.hold_until(settings.hold_minutes), self._zone)
        text = f"Taken at {clock_text(facts.taken_at, self._zone)}. Click to review it (held until {hold})."
        if event.note:
            text += f"\n{looks_wrong(event.note)}"
        self._tray.notify(notice(event, self._zone).title, text, target=event.screenshot_id)

    def _worth_telling(self, event: object) -> bool:
        match event:
            case events.TrackingStopped(reason=reason):
                return reason in STOPPED_BY_ITSELF
            case events.LimitReached(tracking_goes_on=goes_on):
                return goes_on  # otherwise tracking stops, and that is told
            case events.ClockJump(since=since, until=until):
                return until - since > TOLD_CLOCK_JUMP
            case events.LimitWarning() | events.ScreenshotSkipped():
                return True
        return False
