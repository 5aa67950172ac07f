"""Milestones: proposed → funded → submitted → paid, or changes requested → submitted again; the
freelancer's requests wait for the client's yes. Every transition, every refused one, replays, and
agency members without amounts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.models import Message, Transaction
from tests.service.conftest import ANN, CARA, World, uid


@pytest.fixture
def fixed(world: World) -> str:
    """Ann's fixed-price contract with Cara, with the milestone "Design" (300.00) proposed."""
    contract = world.service.add_contract("Shop", ANN, CARA, kind="fixed", hourly_rate_cents=0)
    answer = world.call(
        "PUT",
        f"/contracts/{contract}/milestones/{uid('design')}",
        world.cara,
        json={"title": "Design", "amount_cents": 30000},
    )
    assert answer.status_code == 200, answer.text
    return contract


def act(world: World, token: str, contract: str, what: str, milestone: str = "design", **body: object):
    return world.call(
        "POST", f"/contracts/{contract}/milestones/{uid(milestone)}/{what}", token, json=body or None
    )


def submission(name: str = "work", text: str = "Here it is.") -> dict:
    """Work submitted (its files go through thread.post_message, tested with the thread)."""
    return {"message_id": uid(name), "text": text, "files": []}


def thread(world: World, contract: str) -> list[tuple[str, str]]:
    with world.service.app.state.service.database.reading() as session:
        found = session.scalars(
            select(Message).where(Message.contract_id == contract).order_by(Message.number)
        )
        return [(m.kind, m.body) for m in found]


def test_a_milestone_from_proposed_to_paid(world: World, fixed: str) -> None:
    funded = act(world, world.cara, fixed, "fund")
    submitted = act(world, world.ann, fixed, "submit", **submission())
    changes = act(world, world.cara, fixed, "request-changes", message_id=uid("changes"), text="Bigger logo.")
    again = act(world, world.ann, fixed, "submit", **submission("work-2", "Bigger now."))
    approved = act(world, world.cara, fixed, "approve")

    assert funded.json()["status"] == "funded"
    assert funded.json()["actions"] == []  # the client waits for the work
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submission_message_id"] == uid("work")
    assert changes.json()["status"] == "changes_requested"
    assert again.json()["submission_message_id"] == uid("work-2")
    assert approved.json()["status"] == "paid"
    with world.service.app.state.service.database.reading() as session:
        paid = session.scalars(select(Transaction).where(Transaction.contract_id == fixed)).one()
        assert (paid.type, paid.status, paid.amount_cents, paid.milestone_id) == (
            "milestone",
            "paid",
            30000,
            uid("design"),
        )
    assert [line for kind, line in thread(world, fixed) if kind == "system"] == [
        "Cara added the milestone “Design”.",
        "Cara funded the milestone “Design”.",
        "Ann submitted work for “Design”.",
        "Cara asked for changes to “Design”.",
        "Ann submitted work for “Design”.",
        "Cara approved “Design”: its payment is released.",
    ]
    assert ("submission", "Here it is.") in thread(world, fixed)
    assert ("text", "Bigger logo.") in thread(world, fixed)


def test_each_transition_replayed_answers_the_same(world: World, fixed: str) -> None:
    assert act(world, world.cara, fixed, "fund").json() == act(world, world.cara, fixed, "fund").json()
    first = act(world, world.ann, fixed, "submit", **submission())
    assert act(world, world.ann, fixed, "submit", **submission()).json() == first.json()
    changes = {"message_id": uid("changes"), "text": "More."}
    assert act(world, world.cara, fixed, "request-changes", **changes).json()["status"] == "changes_requested"
    assert act(world, world.cara, fixed, "request-changes", **changes).status_code == 200
    act(world, world.ann, fixed, "submit", **submission("work-2"))
    assert act(world, world.cara, fixed, "approve").json() == act(world, world.cara, fixed, "approve").json()
    with world.service.app.state.service.database.reading() as session:
        assert len(session.scalars(select(Transaction)).all()) == 1


# (who, action) refused in each milestone state: 403 when the role never may, 409 when not now (the
# step that reached the state, asked again, is a replay: test_each_transition_replayed_answers_the_same).
REFUSED = {
    "proposed": [
        ("ann", "fund", 403),
        ("cara", "approve", 409),
        ("cara", "request-changes", 409),
        ("ann", "submit", 409),
    ],
    "funded": [("cara", "approve", 409), ("cara", "request-changes", 409), ("cara", "submit", 403)],
    "submitted": [("ann", "submit", 409), ("cara", "fund", 409), ("ann", "approve", 403)],
    "paid": [
        ("ann", "approve", 403),
        ("cara", "request-changes", 409),
        ("ann", "submit", 409),
        ("cara", "fund", 409),
    ],
}
STEPS = [("cara", "fund", {}), ("ann", "submit", submission()), ("cara", "approve", {})]


@pytest.mark.parametrize("state", list(REFUSED))
def test_transitions_refused_in_each_state(world: World, fixed: str, state: str) -> None:
    for who, what, body in STEPS[: list(REFUSED).index(state)]:
        assert act(world, getattr(world, who), fixed, what, **body).status_code == 200
    bodies = {"submit": submission("late"), "request-changes": {"message_id": uid("late-c"), "text": "x"}}
    for who, what, status in REFUSED[state]:
        answer = act(world, getattr(world, who), fixed, what, **bodies.get(what, {}))
        assert answer.status_code == status, (state, who, what, answer.text)


def test_milestones_move_only_on_an_active_contract(world: World, fixed: str) -> None:
    world.call("POST", f"/contracts/{fixed}/pause", world.cara)
    assert act(world, world.cara, fixed, "fund").status_code == 409
    added = world.call(
        "PUT", f"/contracts/{fixed}/milestones/{uid('x')}", world.cara, json={"title": "X", "amount_cents": 1}
    )
    assert added.status_code == 409


def test_the_freelancer_adds_no_milestone_and_an_hourly_contract_has_none(world: World, fixed: str) -> None:
    body = {"title": "X", "amount_cents": 1}
    assert (
        world.call("PUT", f"/contracts/{fixed}/milestones/{uid('x')}", world.ann, json=body).status_code
        == 403
    )
    assert (
        world.call(
            "PUT", f"/contracts/{world.website}/milestones/{uid('x')}", world.cara, json=body
        ).status_code
        == 409
    )
    assert act(world, world.cara, fixed, "fund", milestone="nothing").status_code == 404
    assert act(world, world.bob, fixed, "fund").status_code == 404


def request(world: World, contract: str, name: str, **body: object):
    return world.call("PUT", f"/contracts/{contract}/milestone-requests/{uid(name)}", world.ann, json=body)


def decide(world: World, contract: str, name: str, decision: str, token: str | None = None):
    return world.call(
        "POST", f"/contracts/{contract}/milestone-requests/{uid(name)}/{decision}", token or world.cara
    )


def test_a_request_for_a_new_milestone_waits_for_the_clients_yes(world: World, fixed: str) -> None:
    asked = request(world, fixed, "more", title="Build", amount_cents=50000, note="The build itself.")
    replay = request(world, fixed, "more", title="Build", amount_cents=50000, note="The build itself.")
    by_freelancer = decide(world, fixed, "more", "accept", world.ann)
    accepted = decide(world, fixed, "more", "accept")
    accepted_again = decide(world, fixed, "more", "accept")
    declined_after = decide(world, fixed, "more", "decline")

    assert asked.json()["status"] == "pending" and replay.json() == asked.json()
    assert by_freelancer.status_code == 403
    assert accepted.json()["status"] == "accepted" and accepted_again.status_code == 200
    assert declined_after.status_code == 409
    listed = world.call("GET", f"/contracts/{fixed}/milestones", world.ann).json()
    assert [(m["title"], m["amount_cents"], m["status"]) for m in listed] == [
        ("Design", 30000, "proposed"),
        ("Build", 50000, "proposed"),
    ]
    assert world.call("GET", f"/contracts/{fixed}", world.cara).json()["budget_cents"] == 80000


def test_a_request_to_change_a_milestone_is_applied_on_yes_and_dropped_on_no(
    world: World, fixed: str
) -> None:
    request(world, fixed, "cheaper", milestone_id=uid("design"), title="Design", amount_cents=20000)
    request(
        world,
        fixed,
        "later",
        milestone_id=uid("design"),
        title="Design v2",
        amount_cents=20000,
        due_date="2027-01-10",
    )
    decide(world, fixed, "cheaper", "decline")
    decide(world, fixed, "later", "accept")

    design = world.call("GET", f"/contracts/{fixed}/milestones", world.ann).json()[0]
    assert (design["title"], design["amount_cents"], design["due_date"]) == ("Design v2", 20000, "2027-01-10")
    requests_ = world.call("GET", f"/contracts/{fixed}/milestone-requests", world.cara).json()
    assert {r["id"]: r["status"] for r in requests_} == {uid("cheaper"): "declined", uid("later"): "accepted"}


def test_a_funded_milestone_keeps_its_amount_and_a_paid_one_never_changes(world: World, fixed: str) -> None:
    act(world, world.cara, fixed, "fund")
    more = request(world, fixed, "more", milestone_id=uid("design"), title="Design", amount_cents=40000)
    renamed = request(world, fixed, "renamed", milestone_id=uid("design"), title="Logo", amount_cents=30000)
    act(world, world.ann, fixed, "submit", **submission())
    act(world, world.cara, fixed, "approve")
    after_paid = request(world, fixed, "late", milestone_id=uid("design"), title="Logo", amount_cents=30000)
    accept_after_paid = decide(world, fixed, "renamed", "accept")

    assert more.status_code == 409 and "funded" in more.json()["detail"]
    assert renamed.status_code == 200
    assert after_paid.status_code == 409
    assert accept_after_paid.status_code == 409
    assert world.call("GET", f"/contracts/{fixed}/milestones", world.ann).json()[0]["title"] == "Design"


def test_an_agency_member_submits_work_and_sees_no_amounts(world: World) -> None:
    world.service.add_user("mia@example.test", "agency_member")
    contract = world.service.add_contract(
        "Agency shop", "mia@example.test", CARA, kind="fixed", agency_member=True
    )
    mia = world.service.sign_in("mia@example.test")
    world.call(
        "PUT",
        f"/contracts/{contract}/milestones/{uid('design')}",
        world.cara,
        json={"title": "D", "amount_cents": 5},
    )
    act(world, world.cara, contract, "fund")
    submitted = act(world, mia, contract, "submit", **submission())
    asked = world.call(
        "PUT",
        f"/contracts/{contract}/milestone-requests/{uid('r')}",
        mia,
        json={"title": "E", "amount_cents": 1},
    )
    listed = world.call("GET", f"/contracts/{contract}/milestones", mia).json()
    seen = world.call("GET", f"/contracts/{contract}", mia).json()

    assert submitted.status_code == 200 and "amount_cents" not in submitted.json()
    assert asked.status_code == 403
    assert "amount_cents" not in listed[0]
    assert "budget_cents" not in seen and "hourly_rate_cents" not in seen


def test_an_offer_to_a_paid_milestone_on_either_database(either_world: World) -> None:
    world = either_world
    contract = uid("shop")
    milestone = {"id": uid("design"), "title": "Design", "amount_cents": 30000}
    offer = {"email": ANN, "title": "Shop", "kind": "fixed", "started_at": "2026-11-23T09:00:00Z"}
    steps = [
        ("PUT", f"/contracts/{contract}", world.cara, {**offer, "milestones": [milestone]}),
        ("POST", f"/contracts/{contract}/accept", world.ann, {"proposal": "Happy to."}),
        ("POST", f"/contracts/{contract}/milestones/{uid('design')}/fund", world.cara, None),
        ("POST", f"/contracts/{contract}/milestones/{uid('design')}/submit", world.ann, submission()),
        ("POST", f"/contracts/{contract}/milestones/{uid('design')}/approve", world.cara, None),
    ]
    for method, path, token, body in steps:
        answer = world.call(method, path, token, json=body)
        assert answer.status_code == 200, (path, answer.text)
    assert answer.json()["status"] == "paid"
    assert world.call("GET", f"/contracts/{contract}", world.ann).json()["actions"] == [
        "propose_contract",
        "give_refund",
        "request_milestone",
        "end_contract",
    ]
