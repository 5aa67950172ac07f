"""How times and durations read, in the app, the command line and the service's messages."""

from __future__ import annotations

from datetime import datetime, tzinfo


def local_text(moment: datetime, zone: tzinfo | None = None) -> str:
    """A moment as the user reads it: 'Mon 24 Nov 13:00' in their zone."""
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


def duration_text(seconds: float) -> str:
    """A duration to the second, as the app and the command line show it: '1:02:03'."""
    seconds = max(int(seconds), 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def hm(seconds: float) -> str:
    """A duration in hours and minutes: 12:40."""
    minutes = max(int(seconds), 0) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def spoken(seconds: float) -> str:
    """A duration for screen readers: '12 hours 40 minutes'."""
    minutes = max(int(seconds), 0) // 60
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def minutes_text(seconds: float) -> str:
    """A span as people say it: '29 min', '1 h 05 min'."""
    minutes = round(max(seconds, 0) / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def clock_text(moment: datetime, zone: tzinfo) -> str:
    """A moment as a local time of day: 14:02."""
    return moment.astimezone(zone).strftime("%H:%M")


def day_clock_text(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """14:02 today, 'Mon 23 Nov 14:02' on another day."""
    local = moment.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%a %d %b %H:%M")
