"""A change of hourly terms takes effect from the next work week; each week keeps its own terms."""

from __future__ import annotations

from datetime import timedelta

from common.timeutil import WEEK, week_start
from service.models import Contract, User
from service.workroom.terms import apply_due_terms, next_week, record_terms, terms_of_week
from tests.conftest import MONDAY
from tests.service.conftest import World

THIS_WEEK = week_start(MONDAY)


def terms(world: World, contract_id: str, week) -> tuple:
    with world.service.database.reading() as session:
        change = terms_of_week(session, contract_id, week)
        return None if change is None else (change.hourly_rate_cents, change.weekly_limit_minutes)


def change_terms(world: World, contract_id: str, **new: object) -> None:
    with world.service.database.writing() as session:
        contract = session.get(Contract, contract_id)
        assert contract is not None
        client = session.get(User, contract.client_id)
        assert client is not None
        now = world.service.clock.now()
        record_terms(session, contract, next_week(now), client, now, **new)


def apply(world: World, contract_id: str) -> tuple[bool, int]:
    with world.service.database.writing() as session:
        contract = session.get(Contract, contract_id)
        assert contract is not None
        return apply_due_terms(session, contract, world.service.clock.now()), contract.hourly_rate_cents


def test_a_contract_starts_with_its_terms_from_the_week_of_its_start(world: World) -> None:
    started = MONDAY - timedelta(days=90)  # the world's contracts start 90 days before

    assert terms(world, world.website, week_start(started)) == (4500, None)
    assert terms(world, world.website, week_start(started) - WEEK) is None
    assert terms(world, world.website, THIS_WEEK) == (4500, None)


def test_new_terms_apply_from_the_next_work_week(world: World) -> None:
    change_terms(world, world.website, hourly_rate_cents=5000, weekly_limit_minutes=1200)

    assert terms(world, world.website, THIS_WEEK) == (4500, None)
    assert terms(world, world.website, THIS_WEEK + WEEK) == (5000, 1200)
    assert apply(world, world.website) == (False, 4500)  # this week is worked at the old rate

    world.service.clock.advance((THIS_WEEK + WEEK - MONDAY).total_seconds())

    assert apply(world, world.website) == (True, 5000)
    assert apply(world, world.website) == (False, 5000)


def test_a_second_change_in_a_week_replaces_the_first(world: World) -> None:
    change_terms(world, world.website, hourly_rate_cents=5000)
    change_terms(world, world.website, hourly_rate_cents=5500)

    assert terms(world, world.website, THIS_WEEK + WEEK) == (5500, None)
    assert terms(world, world.logo, THIS_WEEK + WEEK) == (4500, None)
