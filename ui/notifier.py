"""Which of the engine's events the app tells in a tray notification, and when; the texts are the
command line's (tracker/notices.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, tzinfo

from common.states import EventKind, IdleDecision
from common.timetext import clock_text
from tracker import engine as events
from tracker.news import News
from tracker.notices import STOPPED_BY_ITSELF, looks_wrong, notice
from tracker.settings import Settings
from ui.shots import ShotFacts
from ui.theme import APP_NAME
from ui.tray import Tray

TOLD_CLOCK_JUMP = timedelta(minutes=1)  # a shorter gap (a busy machine) is not worth a notification
MANY_NEWS = 3  # more news at once are told in one notification
# The workroom's tab that shows what a piece of news is about.
NEWS_TABS = {
    EventKind.MESSAGE_POSTED: "Messages",
    EventKind.MILESTONE_APPROVED: "Overview",
    EventKind.CHANGES_REQUESTED: "Overview",
    EventKind.INVOICE_ISSUED: "Timesheet",
    EventKind.INVOICE_DISPUTED: "Timesheet",
    EventKind.PAUSED: "Details",
    EventKind.RESUMED: "Details",
    EventKind.ENDED: "Details",
}


@dataclass(frozen=True)
class WorkroomTab:
    """What a click on a workroom's notification opens."""

    contract_id: str
    tab: str


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

    def workroom_news(self, news: list[News]) -> None:
        """The news sync brought (each told once: it was taken from the database), each in a
        notification whose click opens its workroom on the tab that shows it (an offer: the main
        window, where it is answered); many at once in one."""
        if not news or not self._settings().notifications:
            return
        if len(news) <= MANY_NEWS:
            for item in news:
                self._tray.notify(item.title, item.text, target=_news_target(item))
            return
        lines = [item.title for item in news[:MANY_NEWS]] + [f"and {len(news) - MANY_NEWS} more"]
        same_contract = len({item.contract_id for item in news}) == 1
        target = _news_target(news[-1]) if same_contract else None
        self._tray.notify(f"{len(news)} updates in your workrooms", "\n".join(lines), target=target)


def _news_target(item: News) -> WorkroomTab | None:
    tab = NEWS_TABS.get(item.kind)
    return WorkroomTab(item.contract_id, tab) if tab else None
