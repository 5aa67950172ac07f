"""The contract's rules for tracking and changing time, shared by the app and the contract service.

Pure functions over plain values: what may be tracked, what may be edited, what manual time may be
added, how long a memo may be, and a block's activity level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from common.errors import RuleViolation
from common.states import ContractKind, ContractStatus
from common.timetext import local_text
from common.timeutil import WEEK, slot_start, week_start
from common.wire import MAX_MEMO_CHARS

if TYPE_CHECKING:
    from sqlalchemy import Row

    from common.contract import ContractTermAttributes

METER_BARS = 10
# What the app and the web say where a block's keyboard and mouse counts would be, for activity
# taken from the compositor's idle time (ActivitySource.IDLE_TIME).
FROM_IDLE_TIME = "activity from idle time"


def minutes_with_input(activity: Iterable[Sequence[int | None]]) -> int:
    """How many of a block's minutes saw any input: ``activity`` is its per-minute
    ``[minute, keyboard events, mouse events, active seconds]``. A minute counted by events had input
    if it counted any; one from the compositor's idle time (counts None) if it had active seconds."""
    return sum(
        1 for _, keyboard, mouse, seconds in activity if (seconds if keyboard is None else keyboard or mouse)
    )


def meter_bars(active_minutes: int, minutes_tracked: int) -> int:
    """A block's activity level as the 10-bar meter shows it: the share of its tracked minutes
    with any input, out of 10 (the same in the app, the Work Diary and the web)."""
    return round(METER_BARS * active_minutes / minutes_tracked) if minutes_tracked else 0


@dataclass(frozen=True)
class ContractTerms:
    """What the rules need to know of a contract."""

    title: str
    kind: ContractKind = ContractKind.HOURLY
    status: ContractStatus = ContractStatus.ACTIVE
    manual_time_allowed: bool = True
    grace_hours: int = 12

    @classmethod
    def of(cls, contract: ContractTermAttributes | Row[Any]) -> ContractTerms:
        """The terms of a contract: the app's or the service's, an ORM object or a row, which name
        them alike."""
        return cls(**{term.name: getattr(contract, term.name) for term in fields(cls)})


def why_not_trackable(terms: ContractTerms) -> str:
    """Why no time can be tracked on this contract, or "" when it can."""
    if terms.status != ContractStatus.ACTIVE:
        return f"“{terms.title}” is {terms.status}: time cannot be tracked on it."
    if terms.kind != ContractKind.HOURLY:
        return f"“{terms.title}” is a fixed-price contract: it has no tracked time."
    return ""


def is_trackable(contract: ContractTermAttributes | Row[Any]) -> bool:
    """Whether time can be tracked on a contract (the app's or the service's row)."""
    return not why_not_trackable(ContractTerms.of(contract))


def check_memo(memo: str) -> None:
    if len(memo) > MAX_MEMO_CHARS:
        raise RuleViolation(
            f"A memo holds at most {MAX_MEMO_CHARS} characters (one line saying what you work on); "
            f"this one has {len(memo)}."
        )


def locked_at(terms: ContractTerms, moment: datetime) -> datetime:
    """When time at ``moment`` stops being editable: the end of its work week plus the grace."""
    return week_start(moment) + WEEK + timedelta(hours=terms.grace_hours)


def check_editable(terms: ContractTerms, start: datetime, now: datetime, zone: tzinfo | None = None) -> None:
    if terms.status == ContractStatus.ENDED:
        raise RuleViolation(f"The contract “{terms.title}” has ended: its time is view-only.")
    lock = locked_at(terms, start)
    if now >= lock:
        week = week_start(start)  # work weeks are UTC weeks, whatever the user's zone
        raise RuleViolation(
            f"The work week {week:%a %d %b}–{week + WEEK - timedelta(days=1):%a %d %b} (UTC) is locked "
            f"since {local_text(lock, zone)} your time: past weeks are view-only."
        )


def why_no_manual_time(terms: ContractTerms) -> str:
    """Why no manual time at all can be added to this contract, or "" when some can."""
    if terms.kind != ContractKind.HOURLY:
        return "Manual time can only be added to hourly contracts."
    if not terms.manual_time_allowed:
        return f"The contract “{terms.title}” does not allow manual time."
    if terms.status == ContractStatus.ENDED:
        return f"The contract “{terms.title}” has ended: its time is view-only."
    return ""


def check_manual_time(
    terms: ContractTerms,
    start: datetime,
    end: datetime,
    now: datetime,
    existing: Iterable[tuple[datetime, datetime, str]],
    zone: tzinfo | None = None,
) -> None:
    """Raise RuleViolation unless manual time [start, end) may be added.

    ``existing`` holds the (start, end, contract title) of every live block of every contract that
    may overlap the range.
    """
    if reason := why_no_manual_time(terms):
        raise RuleViolation(reason)
    if end <= start:
        raise RuleViolation("Manual time must end after it starts.")
    if slot_start(start) != start or slot_start(end) != end:
        raise RuleViolation("Manual time is added in 10-minute steps (hh:00, hh:10, …).")
    if end > now:
        raise RuleViolation("Manual time cannot be added in the future.")
    check_editable(terms, start, now, zone)
    for other_start, other_end, title in existing:
        if other_start < end and start < other_end:
            raise RuleViolation(
                f"This overlaps time already logged on “{title}” "
                f"({local_text(other_start, zone)}–{other_end.astimezone(zone):%H:%M})."
            )
