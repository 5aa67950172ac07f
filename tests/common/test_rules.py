"""The rules for tracking and changing time: what may be tracked, the editable window, manual time
and the memo's length, each broken rule refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from common.errors import RuleViolation
from common.rules import (
    METER_BARS,
    ContractTerms,
    check_editable,
    check_manual_time,
    check_memo,
    is_trackable,
    locked_at,
    meter_bars,
)
from common.states import ContractKind, ContractStatus
from common.wire import MAX_MEMO_CHARS

TERMS = ContractTerms(title="Website")
WEDNESDAY = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_a_week_locks_at_its_end_plus_the_grace_period():
    assert locked_at(TERMS, at(23, 9)) == datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert locked_at(ContractTerms("x", grace_hours=0), at(29, 23, 59)) == datetime(2026, 11, 30, tzinfo=UTC)
    check_editable(TERMS, at(23, 9), now=datetime(2026, 11, 30, 11, 59, tzinfo=UTC))
    with pytest.raises(RuleViolation, match="locked since Mon 30 Nov 12:00 your time"):
        check_editable(TERMS, at(23, 9), now=datetime(2026, 11, 30, 12, tzinfo=UTC))


def test_the_lock_is_shown_in_the_users_zone():
    with pytest.raises(RuleViolation, match="locked since Tue 01 Dec 02:00 your time"):
        check_editable(TERMS, at(23, 9), now=at(30, 13), zone=ZoneInfo("Pacific/Kiritimati"))


def test_the_locked_week_is_named_as_the_utc_work_week_it_is():
    # Mon 16 Nov 02:00 UTC is Sun 15 Nov 21:00 in New York: the block still belongs to the UTC week
    # of Mon 16 Nov, whatever its local date says
    with pytest.raises(RuleViolation) as refused:
        check_editable(TERMS, at(16, 2), now=at(25, 9), zone=ZoneInfo("America/New_York"))
    assert str(refused.value) == (
        "The work week Mon 16 Nov–Sun 22 Nov (UTC) is locked since Mon 23 Nov 07:00 your time: "
        "past weeks are view-only."
    )


def test_an_ended_contract_is_view_only():
    with pytest.raises(RuleViolation, match="has ended"):
        check_editable(ContractTerms("Old job", status="ended"), at(25, 9), now=WEDNESDAY)


@pytest.mark.parametrize(
    ("terms", "start", "end", "message"),
    [
        (ContractTerms("Logo", kind="fixed"), at(25, 9), at(25, 10), "only be added to hourly"),
        (
            ContractTerms("Site", manual_time_allowed=False),
            at(25, 9),
            at(25, 10),
            "does not allow manual time",
        ),
        (TERMS, at(25, 10), at(25, 9), "must end after it starts"),
        (TERMS, at(25, 9, 5), at(25, 9, 15), "10-minute steps"),
        (TERMS, at(25, 9), at(25, 9, 25), "10-minute steps"),
        (TERMS, at(25, 14, 50), at(25, 15, 10), "in the future"),
        (TERMS, at(16, 9), at(16, 10), "locked since"),
    ],
)
def test_manual_time_refused_for_each_broken_rule(terms, start, end, message):
    with pytest.raises(RuleViolation, match=message):
        check_manual_time(terms, start, end, WEDNESDAY, existing=[])


def test_manual_time_may_not_overlap_any_block_of_any_contract():
    existing = [(at(25, 9, 3), at(25, 9, 7), "Logo")]
    with pytest.raises(
        RuleViolation, match=r"overlaps time already logged on “Logo” \(Wed 25 Nov 09:03–09:07\)"
    ):
        check_manual_time(TERMS, at(25, 9), at(25, 9, 10), WEDNESDAY, existing)
    check_manual_time(TERMS, at(25, 9, 10), at(25, 9, 30), WEDNESDAY, existing)  # touching is fine


def test_manual_time_in_the_last_week_during_the_grace_period():
    monday_morning = datetime(2026, 11, 30, 8, tzinfo=UTC)
    check_manual_time(TERMS, at(27, 9), at(27, 10), monday_morning, existing=[])
    with pytest.raises(RuleViolation, match="locked"):
        check_manual_time(TERMS, at(27, 9), at(27, 10), monday_morning + timedelta(hours=4), existing=[])


@pytest.mark.parametrize(
    ("kind", "status", "trackable"),
    [
        (ContractKind.HOURLY, ContractStatus.ACTIVE, True),
        (ContractKind.HOURLY, ContractStatus.PAUSED, False),
        (ContractKind.HOURLY, ContractStatus.ENDED, False),
        (ContractKind.FIXED, ContractStatus.ACTIVE, False),
    ],
)
def test_time_is_tracked_on_active_hourly_contracts_only(
    kind: ContractKind, status: ContractStatus, trackable: bool
):
    terms = {"manual_time_allowed": True, "grace_hours": 12}
    contract = SimpleNamespace(title="Site", kind=kind, status=status, **terms)
    assert is_trackable(contract) is trackable


def test_a_memo_is_one_line_of_at_most_500_characters():
    check_memo("x" * MAX_MEMO_CHARS)
    with pytest.raises(RuleViolation, match=r"at most 500 characters .*this one has 501"):
        check_memo("x" * (MAX_MEMO_CHARS + 1))


@pytest.mark.parametrize(
    ("active", "tracked", "bars"),
    [(0, 0, 0), (0, 10, 0), (10, 10, METER_BARS), (7, 10, 7), (1, 3, 3), (2, 3, 7), (1, 1, METER_BARS)],
)
def test_the_meter_fills_the_active_share_of_the_tracked_minutes(active, tracked, bars):
    assert meter_bars(active, tracked) == bars
