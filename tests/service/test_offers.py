"""A contract's life over the API: offers and their answers, pause and resume, terms changed from
the next work week, the end; each an event with its line; replays answer success."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from common.states import ContractStatus
from service.models import Contract, Message
from service.workroom import terms
from tests.conftest import MONDAY
from tests.helpers.service import wait_until, waiting_for_a_lock
from tests.service.conftest import ANN, BOB, CARA, World, block_body, make_world, uid, wire_time


def offer_body(email: str = ANN, **fields: object) -> dict:
    return {
        "email": email,
        "title": "Shop",
        "description": "We need a shop on our website.",
        "started_at": wire_time(MONDAY),
        "hourly_rate_cents": 5000,
        "currency": "EUR",
        "weekly_limit_minutes": 1200,
        **fields,
    }


def offer(world: World, name: str = "shop", token: str | None = None, **fields: object) -> dict:
    answer = world.call("PUT", f"/contracts/{uid(name)}", token or world.cara, json=offer_body(**fields))
    assert answer.status_code == 200, answer.text
    return answer.json()


def lines(world: World, contract_id: str) -> list[str]:
    with world.service.app.state.service.database.reading() as session:
        return [
            m.body for m in session.query(Message).filter_by(contract_id=contract_id).order_by(Message.number)
        ]


def test_a_client_offers_and_the_freelancer_accepts_with_a_proposal(world: World) -> None:
    offered = offer(world)
    assert (offered["status"], offered["offered_by"], offered["actions"]) == (
        "offered",
        "client",
        ["withdraw_offer"],
    )
    seen = world.call("GET", f"/contracts/{uid('shop')}", world.ann).json()
    assert seen["actions"] == ["accept_offer", "decline_offer"]
    assert seen["hourly_rate_cents"] == 5000

    world.service.clock.advance(3600)
    accepted = world.call(
        "POST",
        f"/contracts/{uid('shop')}/accept",
        world.ann,
        json={"proposal": "I built ten.", "hourly_rate_cents": 5000},
    )

    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "active"
    assert body["answered_at"] == wire_time(MONDAY + timedelta(hours=1))
    details = world.call("GET", f"/contracts/{uid('shop')}/details", world.cara).json()
    assert (details["description"], details["proposal"]) == ("We need a shop on our website.", "I built ten.")
    assert lines(world, uid("shop")) == ["Cara offered the contract “Shop”.", "Ann accepted the offer."]
    with world.service.app.state.service.database.reading() as session:
        first = terms.terms_of_week(session, uid("shop"), MONDAY)
        assert (first.hourly_rate_cents, first.weekly_limit_minutes) == (5000, 1200)


def test_an_offer_is_accepted_at_its_own_rate_only(world: World) -> None:
    offer(world)
    other_rate = world.call(
        "POST", f"/contracts/{uid('shop')}/accept", world.ann, json={"hourly_rate_cents": 6000}
    )
    assert other_rate.status_code == 409
    assert "accepted at its own rate" in other_rate.json()["detail"]
    assert world.call("GET", f"/contracts/{uid('shop')}", world.ann).json()["status"] == "offered"


@pytest.mark.parametrize(
    ("answer", "status"), [(None, "offered"), ("decline", "declined"), ("withdraw", "withdrawn")]
)
def test_an_offer_takes_no_time_before_or_after_its_answer(
    world: World, answer: str | None, status: str
) -> None:
    offer(world)
    if answer:
        world.call(
            "POST", f"/contracts/{uid('shop')}/{answer}", world.ann if answer == "decline" else world.cara
        )
    refused = world.put_block(
        world.ann, uid("block"), block_body(uid("shop"), MONDAY - timedelta(minutes=20))
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == f"The contract “Shop” is {status}: it takes no new time."


@pytest.mark.parametrize(
    ("who", "path", "status", "line"),
    [
        ("ann", "decline", "declined", "Ann declined the offer."),
        ("cara", "withdraw", "withdrawn", "Cara withdrew the offer."),
    ],
)
def test_an_offer_declined_or_withdrawn_is_over_and_a_replay_answers_it(
    world: World, who: str, path: str, status: str, line: str
) -> None:
    offer(world)
    token = getattr(world, who)
    first = world.call("POST", f"/contracts/{uid('shop')}/{path}", token)
    again = world.call("POST", f"/contracts/{uid('shop')}/{path}", token)
    accept = world.call("POST", f"/contracts/{uid('shop')}/accept", world.ann, json={})

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["status"] == status
    assert first.json()["actions"] == []
    assert accept.status_code == 409
    assert lines(world, uid("shop"))[-1] == line
    assert len(lines(world, uid("shop"))) == 2


def test_the_offering_party_cannot_accept_and_the_other_cannot_withdraw(world: World) -> None:
    offer(world)
    assert world.call("POST", f"/contracts/{uid('shop')}/accept", world.cara, json={}).status_code == 409
    assert world.call("POST", f"/contracts/{uid('shop')}/withdraw", world.ann).status_code == 409
    assert world.call("POST", f"/contracts/{uid('shop')}/accept", world.bob, json={}).status_code == 404


def test_an_offer_replayed_answers_it_as_made_and_its_id_is_nobody_elses(world: World) -> None:
    first = offer(world)
    again = offer(world, title="Another title")
    taken = world.call("PUT", f"/contracts/{uid('shop')}", world.ann, json=offer_body(CARA))

    assert again == first
    assert taken.status_code == 409
    assert lines(world, uid("shop")) == ["Cara offered the contract “Shop”."]


def test_an_offer_to_an_unknown_email_is_refused_saying_so(world: World) -> None:
    answer = world.call(
        "PUT", f"/contracts/{uid('shop')}", world.cara, json=offer_body("nobody@example.test")
    )
    to_a_client = world.call("PUT", f"/contracts/{uid('shop')}", world.cara, json=offer_body(CARA))
    assert answer.status_code == to_a_client.status_code == 404
    assert answer.json()["detail"] == "There is no freelancer with the email nobody@example.test."


def test_a_freelancer_proposes_a_new_contract_to_a_client_they_work_with(world: World) -> None:
    world.service.add_user("dan@example.test", "client")
    proposed = offer(world, token=world.ann, email=CARA, proposal="Shall I do the shop too?")
    stranger = world.call("PUT", f"/contracts/{uid('x')}", world.ann, json=offer_body("dan@example.test"))
    accepted = world.call("POST", f"/contracts/{uid('shop')}/accept", world.cara, json={})

    assert (proposed["offered_by"], proposed["actions"]) == ("freelancer", ["withdraw_offer"])
    assert stranger.status_code == 409
    assert "You have no contract with a client dan@example.test" in stranger.json()["detail"]
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "active"
    details = world.call("GET", f"/contracts/{uid('shop')}/details", world.ann).json()
    assert details["proposal"] == "Shall I do the shop too?"
    assert lines(world, uid("shop")) == ["Ann proposed a new contract “Shop”.", "Cara accepted the offer."]


def test_a_client_accepting_gives_no_proposal(world: World) -> None:
    offer(world, token=world.ann, email=CARA)
    answer = world.call("POST", f"/contracts/{uid('shop')}/accept", world.cara, json={"proposal": "Yes"})
    assert answer.status_code == 409


def test_an_agency_member_never_proposes_a_contract(world: World) -> None:
    world.service.add_user("mia@example.test", "agency_member")
    world.service.add_contract("Agency work", "mia@example.test", CARA, agency_member=True)
    mia = world.service.sign_in("mia@example.test")
    answer = world.call("PUT", f"/contracts/{uid('x')}", mia, json=offer_body(CARA))
    assert answer.status_code == 403


def test_a_fixed_price_offer_brings_its_milestones_and_its_budget(world: World) -> None:
    milestones = [
        {"id": uid("m1"), "title": "Design", "amount_cents": 30000},
        {"id": uid("m2"), "title": "Build", "amount_cents": 70000, "due_date": "2026-12-20"},
    ]
    offered = offer(world, kind="fixed", milestones=milestones)
    listed = world.call("GET", f"/contracts/{uid('shop')}/milestones", world.ann).json()

    assert offered["budget_cents"] == 100000
    assert offered["hourly_rate_cents"] == 0
    assert [(m["title"], m["status"], m["position"]) for m in listed] == [
        ("Design", "proposed", 0),
        ("Build", "proposed", 1),
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "fixed"},  # no milestones
        {"milestones": [{"id": uid("m1"), "title": "Design", "amount_cents": 1}]},  # on an hourly offer
        {"hourly_rate_cents": -1},
        {"currency": "euro"},
        {"email": "x"},
    ],
)
def test_a_malformed_offer_is_refused(world: World, fields: dict) -> None:
    answer = world.call("PUT", f"/contracts/{uid('shop')}", world.cara, json=offer_body(**fields))
    assert answer.status_code == 422


def test_the_client_pauses_and_resumes_and_either_ends(world: World) -> None:
    path = f"/contracts/{world.website}"
    paused = world.call("POST", f"{path}/pause", world.cara)
    by_freelancer = world.call("POST", f"{path}/resume", world.ann)
    resumed = world.call("POST", f"{path}/resume", world.cara)
    world.service.clock.advance(60)
    ended = world.call("POST", f"{path}/end", world.ann)
    ended_again = world.call("POST", f"{path}/end", world.ann)
    pause_ended = world.call("POST", f"{path}/pause", world.cara)

    assert paused.json()["status"] == "paused"
    assert "resume" in paused.json()["actions"]
    assert by_freelancer.status_code == 403
    assert resumed.json()["status"] == "active"
    assert ended.json()["status"] == ended_again.json()["status"] == "ended"
    assert ended.json()["ended_at"] == wire_time(MONDAY + timedelta(seconds=60))
    assert ended.json()["feedback_until"] == wire_time(MONDAY + timedelta(days=14, seconds=60))
    assert pause_ended.status_code == 409
    assert lines(world, world.website) == [
        "Cara paused the contract.",
        "Cara resumed the contract.",
        "Ann ended the contract.",
    ]


def test_a_replay_after_another_change_is_refused(world: World) -> None:
    path = f"/contracts/{world.website}"
    world.call("POST", f"{path}/pause", world.cara)
    world.call("POST", f"{path}/resume", world.cara)
    assert world.call("POST", f"{path}/pause", world.cara).json()["status"] == "paused"  # a new pause
    world.call("POST", f"{path}/end", world.ann)
    assert world.call("POST", f"{path}/pause", world.cara).status_code == 409


def test_changed_terms_take_effect_from_the_next_work_week(world: World) -> None:
    path = f"/contracts/{world.website}"
    changed = world.call(
        "PUT", f"{path}/terms", world.cara, json={"hourly_rate_cents": 6000, "weekly_limit_minutes": 600}
    )
    more = world.call("PUT", f"{path}/terms", world.cara, json={"manual_time_allowed": False})
    replay = world.call("PUT", f"{path}/terms", world.cara, json={"manual_time_allowed": False})
    by_freelancer = world.call("PUT", f"{path}/terms", world.ann, json={"hourly_rate_cents": 9000})

    next_monday = datetime(2026, 11, 30, tzinfo=UTC)
    assert changed.status_code == 200, changed.text
    assert changed.json()["hourly_rate_cents"] == 4500  # this week keeps its rate
    assert more.json()["pending_terms"] == {
        "effective_from": wire_time(next_monday),
        "hourly_rate_cents": 6000,
        "weekly_limit_minutes": 600,
        "manual_time_allowed": False,
    }
    assert replay.json() == more.json()
    assert by_freelancer.status_code == 403
    assert lines(world, world.website) == [
        "Cara changed the terms from Mon 30 Nov 2026 (UTC): the rate, the weekly limit.",
        "Cara changed the terms from Mon 30 Nov 2026 (UTC): manual time.",
    ]

    world.service.clock.advance((next_monday - MONDAY).total_seconds())
    with world.service.app.state.service.database.writing() as session:
        assert terms.apply_due_terms(session, session.get(Contract, world.website), world.service.clock.now())
    now = world.call("GET", path, world.cara).json()
    assert (now["hourly_rate_cents"], now["weekly_limit_minutes"], now["manual_time_allowed"]) == (
        6000,
        600,
        False,
    )
    assert now["pending_terms"] is None


def test_a_weekly_limit_set_to_none_means_no_limit_and_only_it_may_be_null(world: World) -> None:
    limited = world.service.add_contract("Limited", ANN, CARA, weekly_limit_minutes=600)
    path = f"/contracts/{limited}/terms"
    cleared = world.call("PUT", path, world.cara, json={"weekly_limit_minutes": None})
    null_rate = world.call("PUT", path, world.cara, json={"hourly_rate_cents": None})
    assert cleared.json()["pending_terms"]["weekly_limit_minutes"] is None
    assert null_rate.status_code == 422


def test_terms_of_a_fixed_price_contract_do_not_change(world: World) -> None:
    world.service.update_contract(world.website, kind="fixed")
    answer = world.call("PUT", f"/contracts/{world.website}/terms", world.cara, json={"hourly_rate_cents": 1})
    assert answer.status_code == 409


def test_bob_sees_nothing_of_anothers_contract(world: World) -> None:
    for method, path in [("POST", "pause"), ("POST", "end"), ("PUT", "terms")]:
        answer = world.call(method, f"/contracts/{world.website}/{path}", world.bob, json={})
        assert answer.status_code == 404


def test_an_offer_to_a_freelancer_of_bob(world: World) -> None:
    """Offers go to any freelancer: Bob is offered a second contract."""
    offer(world, email=BOB)
    listed = world.call("GET", "/contracts", world.bob).json()
    assert [c["title"] for c in listed if c["status"] == "offered"] == ["Shop"]


def test_an_accept_and_a_withdrawal_at_once_are_made_one_after_the_other(postgres_service) -> None:
    world = make_world(postgres_service)
    offer(world)
    database = world.service.app.state.service.database
    path = f"/contracts/{uid('shop')}/withdraw"
    with ThreadPoolExecutor(1) as pool:
        with database.writing() as session:  # an accept, under way, holding the contract's row
            accepted = session.get(Contract, uid("shop"), with_for_update=True)
            withdrawal = pool.submit(world.call, "POST", path, world.cara)
            wait_until(lambda: waiting_for_a_lock(database) == 1)
            accepted.status = ContractStatus.ACTIVE
        answer = withdrawal.result()

    assert answer.status_code == 409  # it waited, then saw the offer accepted
    assert world.call("GET", f"/contracts/{uid('shop')}", world.cara).json()["status"] == "active"
