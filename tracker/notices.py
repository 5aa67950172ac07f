"""What the user is told about the engine's events, in one place: the app's notifications and the
command line's lines are these texts. Which events the app shows (and when) is the app's choice;
the command line prints every one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from common.states import StopReason
from common.timetext import clock_text, minutes_text
from tracker import engine as events

STOPPED_BY_ITSELF = {  # why tracking stopped without the user: told, and a warning
    StopReason.IDLE: ": the idle question was not answered, so the idle time was discarded.",
    StopReason.LIMIT: ": the weekly limit is reached. Tracking resumes next work week.",
}


@dataclass(frozen=True)
class Notice:
    text: str
    title: str = ""  # "": the app's name
    warning: bool = False  # something the user should act on or know went wrong
    failure: bool = False  # time is or may be lost: the command line says it as an error


def looks_wrong(note: str) -> str:
    """A screenshot's capture note (all black, all one colour…), as the user reads it."""
    return f"It looks wrong: {note}."


def notice(event: object, zone: tzinfo) -> Notice | None:
    """What to tell about an event, or None (the idle question and its answer are asked and
    answered, not told)."""
    match event:
        case events.TrackingStarted(at=at):
            return Notice(f"Tracking since {clock_text(at, zone)}.")
        case events.TrackingStopped(at=at, reason=reason):
            return Notice(
                f"Tracking stopped at {clock_text(at, zone)}" + STOPPED_BY_ITSELF.get(reason, "."),
                warning=reason in STOPPED_BY_ITSELF,
            )
        case events.IdleStarted(since=since):
            return Notice(f"Idle since {clock_text(since, zone)}.")
        case events.ClockJump(since=since, until=until):
            span = f"{clock_text(since, zone)}–{clock_text(until, zone)}"
            return Notice(f"The computer slept or its clock changed ({span}): that time was not counted.")
        case events.LimitWarning(remaining=remaining):
            return Notice(
                f"{minutes_text(remaining.total_seconds())} left of this week's limit.",
                "Weekly limit near",
                warning=True,
            )
        case events.LimitReached(at=at, tracking_goes_on=goes_on):
            after = (
                "time from now on is marked over the limit and not billed" if goes_on else "tracking stops"
            )
            return Notice(
                f"Weekly limit reached at {clock_text(at, zone)}: {after}.", "Weekly limit reached", True
            )
        case events.ScreenshotTaken(note=note):
            return Notice("Screenshot taken." + (f" {looks_wrong(note)}" if note else ""), "Screenshot taken")
        case events.CaptureFailed(message=message):
            return Notice(f"No screenshot: {message}", warning=True)
        case events.ScreenshotSkipped(private_app=app):
            return Notice(f"No screenshot this time: {app} was on screen (a private app).")
        case events.StorageFailed(message=message):
            return Notice(
                f"{message} Tracking goes on: the time is kept in memory and saved once it can be.",
                warning=True,
                failure=True,
            )
        case events.StorageRecovered():
            return Notice("Saving works again: the time kept in memory is saved.")
        case events.TimeLost():
            return Notice(event.text(zone), warning=True, failure=True)
    return None
