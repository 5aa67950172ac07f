"""Feedback after the end: once per party within 14 days; each side's shown only when both have left
theirs or the 14 days are over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.service.conftest import World

DAY = timedelta(days=1).total_seconds()


@pytest.fixture
def ended(world: World) -> str:
    assert world.call("POST", f"/contracts/{world.website}/end", world.cara).status_code == 200
    return world.website


def leave(world: World, token: str, contract: str, rating: int = 5, comment: str = "Great work."):
    return world.call(
        "PUT", f"/contracts/{contract}/feedback", token, json={"rating": rating, "comment": comment}
    )


def shown(world: World, token: str, contract: str) -> list[tuple[str, int]]:
    details = world.call("GET", f"/contracts/{contract}/details", token).json()
    return [(f["author_role"], f["rating"]) for f in details["feedback"]]


def test_each_sides_feedback_is_shown_once_both_left_theirs(world: World, ended: str) -> None:
    cara = leave(world, world.cara, ended, 5)
    assert cara.status_code == 200, cara.text
    assert shown(world, world.ann, ended) == []  # Ann cannot answer Cara's
    assert shown(world, world.cara, ended) == [("client", 5)]  # her own
    assert "leave_feedback" not in world.call("GET", f"/contracts/{ended}", world.cara).json()["actions"]
    assert "leave_feedback" in world.call("GET", f"/contracts/{ended}", world.ann).json()["actions"]

    world.service.clock.advance(DAY)
    assert leave(world, world.ann, ended, 4, "Clear brief.").status_code == 200
    assert (
        shown(world, world.ann, ended)
        == shown(world, world.cara, ended)
        == [("client", 5), ("freelancer", 4)]
    )


def test_after_14_days_the_feedback_left_is_shown_and_no_more_is_taken(world: World, ended: str) -> None:
    leave(world, world.cara, ended, 2)
    world.service.clock.advance(14 * DAY - 1)
    assert shown(world, world.ann, ended) == []
    world.service.clock.advance(1)
    assert shown(world, world.ann, ended) == [("client", 2)]
    late = leave(world, world.ann, ended)
    assert late.status_code == 409
    assert world.call("GET", f"/contracts/{ended}", world.ann).json()["actions"] == ["propose_contract"]


def test_feedback_is_left_once_a_replay_answers_it_and_other_feedback_is_refused(
    world: World, ended: str
) -> None:
    first = leave(world, world.ann, ended, 5, "Great client.")
    again = leave(world, world.ann, ended, 5, "Great client.")
    other = leave(world, world.ann, ended, 1, "Changed my mind.")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert other.status_code == 409
    assert shown(world, world.ann, ended) == [("freelancer", 5)]


def test_no_feedback_before_the_end_nor_from_anyone_else(world: World, ended: str) -> None:
    assert leave(world, world.ann, world.logo).status_code == 409  # still active
    assert leave(world, world.bob, ended).status_code == 404


@pytest.mark.parametrize("body", [{"rating": 0}, {"rating": 6}, {"rating": 3, "comment": "x" * 5001}, {}])
def test_a_rating_is_1_to_5(world: World, ended: str, body: dict) -> None:
    assert world.call("PUT", f"/contracts/{ended}/feedback", world.ann, json=body).status_code == 422
