"""One text per engine event, for the app's notifications and the command line's lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker import engine as events
from tracker.notices import notice

AT = datetime(2026, 11, 25, 9, 42, tzinfo=UTC)


def test_a_stop_by_itself_says_why_and_is_a_warning_a_stop_by_the_user_is_not():
    idle = notice(events.TrackingStopped("c", AT, "idle"), UTC)
    assert idle.text == (
        "Tracking stopped at 09:42: the idle question was not answered, so the idle time was discarded."
    )
    assert idle.warning
    user = notice(events.TrackingStopped("c", AT, "user"), UTC)
    assert (user.text, user.warning) == ("Tracking stopped at 09:42.", False)


def test_the_weekly_limit_says_whether_tracking_goes_on():
    kept = notice(events.LimitReached(AT, tracking_goes_on=True), UTC)
    assert kept.title == "Weekly limit reached"
    assert kept.text.endswith("time from now on is marked over the limit and not billed.")
    assert notice(events.LimitReached(AT, tracking_goes_on=False), UTC).text.endswith("tracking stops.")
    assert notice(events.LimitWarning(timedelta(minutes=15)), UTC).text == "15 min left of this week's limit."


def test_failures_are_marked_for_the_command_line_and_the_idle_question_is_asked_not_told():
    assert notice(events.StorageFailed("Could not save."), UTC).failure
    assert not notice(events.ScreenshotTaken("s", "b", ""), UTC).failure
    assert notice(events.IdleQuestion(AT, AT), UTC) is None
    assert notice(events.BlockClosed("b"), UTC) is None
