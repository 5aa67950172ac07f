"""A contract's details (summary, job post, proposal, profile lines, feedback, recent activity),
the profile line set with PUT /me, and agency members' answers without money."""

from __future__ import annotations

import pytest

from tests.service.conftest import ANN, CARA, World, uid, wire_time
from tests.service.test_offers import offer


def test_the_profile_line_is_set_with_put_me(world: World) -> None:
    answer = world.call(
        "PUT", "/me", world.ann, json={"title": "Python developer", "time_zone": "Europe/Paris"}
    )
    me = world.call("GET", "/me", world.ann).json()
    assert answer.status_code == 200, answer.text
    assert (me["title"], me["time_zone"]) == ("Python developer", "Europe/Paris")
    details = world.call("GET", f"/contracts/{world.website}/details", world.cara).json()
    assert details["freelancer"] == {
        "name": "Ann",
        "email": ANN,
        "title": "Python developer",
        "time_zone": "Europe/Paris",
    }


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "", "Europe"])
def test_a_time_zone_is_an_iana_name(world: World, zone: str) -> None:
    answer = world.call("PUT", "/me", world.ann, json={"title": "", "time_zone": zone})
    assert answer.status_code == 422


def test_details_tell_the_summary_the_job_post_the_proposal_and_recent_activity(world: World) -> None:
    offer(world, description="A shop with 200 products.")
    world.call(
        "POST", f"/contracts/{uid('shop')}/accept", world.ann, json={"proposal": "I can start Monday."}
    )
    world.call("POST", f"/contracts/{uid('shop')}/pause", world.cara)

    details = world.call("GET", f"/contracts/{uid('shop')}/details", world.ann).json()

    assert details["contract"]["status"] == "paused"
    assert details["contract"]["started_at"] == wire_time(world.service.clock.now())
    assert (details["description"], details["proposal"]) == (
        "A shop with 200 products.",
        "I can start Monday.",
    )
    assert details["client"]["name"] == "Cara"
    assert [(a["actor_name"], a["kind"], a["line"]) for a in details["recent_activity"]] == [
        ("Cara", "paused", "Cara paused the contract."),
        ("Ann", "accepted", "Ann accepted the offer."),
        ("Cara", "offered", "Cara offered the contract “Shop”."),
    ]
    assert details["feedback"] == []


def test_an_agency_member_gets_no_money_in_any_contract_answer(world: World) -> None:
    world.service.add_user("mia@example.test", "agency_member")
    contract = world.service.add_contract("Agency work", "mia@example.test", CARA, agency_member=True)
    mia = world.service.sign_in("mia@example.test")
    world.call(
        "PUT",
        f"/contracts/{contract}/terms",
        world.cara,
        json={"hourly_rate_cents": 9900, "weekly_limit_minutes": 60},
    )

    listed = world.call("GET", "/contracts", mia).json()
    one = world.call("GET", f"/contracts/{contract}", mia).json()
    details = world.call("GET", f"/contracts/{contract}/details", mia).json()
    for_cara = world.call("GET", f"/contracts/{contract}", world.cara).json()

    assert [c["role"] for c in listed] == ["agency_member"]
    for answer in (listed[0], one, details["contract"]):
        assert "hourly_rate_cents" not in answer
        assert "budget_cents" not in answer
        assert answer["pending_terms"] == {
            "effective_from": "2026-11-30T00:00:00Z",
            "weekly_limit_minutes": 60,
            "manual_time_allowed": True,
        }
    assert [a["kind"] for a in details["recent_activity"]] == []  # the change of rate is money
    assert for_cara["hourly_rate_cents"] == 4500
    assert for_cara["pending_terms"]["hourly_rate_cents"] == 9900


def test_recent_activity_leaves_out_messages_which_are_their_own_lines(world: World) -> None:
    contract = world.service.add_contract("Fixed", "ann@example.test", CARA, kind="fixed")
    milestone = f"/contracts/{contract}/milestones/{uid('m')}"
    world.call("PUT", milestone, world.cara, json={"title": "M", "amount_cents": 1})
    world.call("POST", f"{milestone}/fund", world.cara)
    world.call("POST", f"{milestone}/submit", world.ann, json={"message_id": uid("w"), "text": "Done"})
    details = world.call("GET", f"/contracts/{contract}/details", world.cara).json()
    kinds = [a["kind"] for a in details["recent_activity"]]
    assert kinds == ["work_submitted", "milestone_funded", "milestone_added"]
