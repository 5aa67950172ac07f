"""What a workroom window shows, and the words it shows for what waits or was refused, for money
and for a meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal

from common.states import ContractKind, SyncState
from common.timetext import local_text
from common.wire import parse_wire_time
from tracker import workroom
from tracker.diary import Totals
from tracker.logged import Running

WAITING = "waiting to be sent"


@dataclass(frozen=True)
class Shown:
    """What the window shows, read in one operation."""

    view: workroom.WorkroomView
    totals: Totals | None  # this week's hours and earnings; None: no time on this contract here
    running: Running | None = None  # the block being tracked, as far as the totals count it

    @property
    def contract(self) -> dict:
        return self.view.details["contract"]

    @property
    def currency(self) -> str:
        return self.contract.get("currency", "")

    @property
    def hourly(self) -> bool:
        return self.contract["kind"] == ContractKind.HOURLY

    @property
    def earnings_text(self) -> str:
        """This week's earnings so far; "" where there are none to show: a fixed-price contract
        (its milestones are its money), or an agency member (no rate: their agency pays them)."""
        if not self.hourly or self.contract.get("hourly_rate_cents") is None:
            return ""
        earnings = self.totals.week_earnings if self.totals is not None else None
        return f"Earned this week: {money_text(round((earnings or 0) * 100), self.currency)}"


def delivery_text(delivery: workroom.Delivery | None) -> str:
    """The mark on an item written here: waiting, or refused with the service's reason."""
    if delivery is None:
        return ""
    if delivery.state == SyncState.REJECTED:
        return f" — refused: {delivery.reason}"
    return f" — {WAITING}"


def money_text(cents: int | None, currency: str) -> str:
    return "" if cents is None else f"{Decimal(cents) / 100:,.2f} {currency}"


def meeting_text(meeting: dict, zone: tzinfo | None) -> str:
    """A meeting as the thread shows it: its title, start in the user's zone and duration."""
    start = local_text(parse_wire_time(meeting["start"]), zone)
    return f"📅 {meeting['title']} — {start}, {meeting['duration_minutes']} min"
