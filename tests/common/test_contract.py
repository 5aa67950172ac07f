"""The contract's terms, declared once: both databases hold them alike, the app reads them from the
service's answer checked term by term, and a contract reads the same everywhere it is listed."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy.dialects import sqlite

from common.contract import CONTRACT_TERMS, contract_label, read_terms
from common.dbtypes import StateString
from common.states import ContractKind, ContractStatus, SyncState
from service.models import Contract as ServiceContract
from tracker.tables import contracts

ANSWER = {
    "title": "Website rebuild",
    "kind": "hourly",
    "status": "paused",
    "hourly_rate_cents": 4500,
    "currency": "USD",
    "weekly_limit_minutes": None,
    "manual_time_allowed": True,
    "screenshots_enabled": False,
    "grace_hours": 12,
    "agency_member": False,
    "started_at": "2026-11-23T09:00:00Z",
}


def test_both_databases_hold_every_term_alike():
    app, service = contracts.c, ServiceContract.__table__.c
    for name in CONTRACT_TERMS:
        assert (repr(app[name].type), app[name].nullable) == (
            repr(service[name].type),
            service[name].nullable,
        )
    # each database its own timestamps: 64-bit on the service
    assert app.started_at.type.impl.__visit_name__ == "integer"
    assert service.started_at.type.impl.__visit_name__ == "big_integer"


def test_the_terms_of_the_services_answer_are_read_with_their_types():
    terms = read_terms(ANSWER)

    assert set(terms) == set(CONTRACT_TERMS)
    assert terms["status"] is ContractStatus.PAUSED and terms["kind"] is ContractKind.HOURLY
    assert terms["started_at"] == datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert terms["screenshots_enabled"] is False and terms["weekly_limit_minutes"] is None


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("kind", "retainer", ValueError),
        ("status", 1, TypeError),
        ("weekly_limit_minutes", "40", TypeError),
        ("started_at", "2026-11-23T09:00:00", ValueError),  # no offset
    ],
)
def test_a_malformed_term_is_refused(name: str, value: object, error: type[Exception]):
    with pytest.raises(error):
        read_terms(ANSWER | {name: value})
    with pytest.raises(KeyError):
        read_terms({key: value for key, value in ANSWER.items() if key != name})


@pytest.mark.parametrize(
    ("client_name", "kind", "status", "label"),
    [
        ("Acme", ContractKind.HOURLY, ContractStatus.ACTIVE, "Website rebuild — Acme"),
        ("", ContractKind.HOURLY, ContractStatus.ACTIVE, "Website rebuild"),
        ("Acme", ContractKind.HOURLY, ContractStatus.ENDED, "Website rebuild — Acme (ended)"),
        ("Acme", ContractKind.FIXED, ContractStatus.PAUSED, "Website rebuild — Acme (paused)"),
        ("Acme", ContractKind.FIXED, ContractStatus.ACTIVE, "Website rebuild — Acme (fixed price)"),
    ],
)
def test_a_contract_is_labelled_with_its_client_and_why_it_takes_no_tracked_time(
    client_name: str, kind: ContractKind, status: ContractStatus, label: str
):
    contract = SimpleNamespace(title="Website rebuild", client_name=client_name, kind=kind, status=status)
    assert contract_label(contract) == label


def test_a_state_is_stored_as_its_string_and_read_as_its_member():
    column = StateString(SyncState, 8)

    assert type(column.process_bind_param(SyncState.SYNCED, None)) is str
    assert column.process_bind_param("synced", None) == "synced"
    assert column.result_processor(sqlite.dialect(), None)("synced") is SyncState.SYNCED
    with pytest.raises(ValueError, match="'sent' is not a valid SyncState"):
        column.process_bind_param("sent", None)
