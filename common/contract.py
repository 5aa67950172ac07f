"""A contract's terms, declared once: the columns of the app's and the service's ``Contract``, the
fields of the service's answer that the app stores, and how a contract is labelled.

Adding a term is a line here, plus a migration for each database.
"""

from __future__ import annotations

from datetime import datetime
from enum import EnumType
from typing import Any, Protocol, get_args, get_type_hints

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from common.dbtypes import StateString
from common.states import ContractKind, ContractStatus
from common.wire import field_of, parse_wire_time


class ContractColumns:
    """The mixin of both databases' ``Contract``: what the service says of a contract and the app
    keeps. ``started_at`` takes its column type from each database's ``type_annotation_map``."""

    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ContractKind] = mapped_column(StateString(ContractKind, 16), default=ContractKind.HOURLY)
    status: Mapped[ContractStatus] = mapped_column(
        StateString(ContractStatus, 16), default=ContractStatus.ACTIVE
    )
    hourly_rate_cents: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    weekly_limit_minutes: Mapped[int | None] = mapped_column(default=None)
    manual_time_allowed: Mapped[bool] = mapped_column(default=True)
    screenshots_enabled: Mapped[bool] = mapped_column(default=True)
    grace_hours: Mapped[int] = mapped_column(default=12)
    agency_member: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column()


# Each term's Python type (``int | None`` for weekly_limit_minutes…), in the order declared.
TERM_TYPES: dict[str, Any] = {
    name: get_args(hint)[0] for name, hint in get_type_hints(ContractColumns).items()
}
CONTRACT_TERMS = tuple(TERM_TYPES)


def term_defaults() -> dict[str, Any]:
    """The terms a new contract gets when it is not told otherwise (``title`` and ``started_at``
    have none)."""
    columns = {name: getattr(ContractColumns, name).column for name in CONTRACT_TERMS}
    return {name: column.default.arg for name, column in columns.items() if column.default is not None}


# Money terms the service leaves out of an agency member's answers (the agency is paid, not
# them): read as these.
UNSEEN_MONEY_TERMS = {"hourly_rate_cents": 0}


def read_terms(contract: dict) -> dict[str, object]:
    """The terms of a contract as the service sends it (``ContractOut``), each checked for its type:
    a malformed one raises KeyError, TypeError or ValueError."""
    terms: dict[str, object] = {}
    for name, kind in TERM_TYPES.items():
        if name in UNSEEN_MONEY_TERMS and name not in contract:
            terms[name] = UNSEEN_MONEY_TERMS[name]
        elif kind is datetime:
            terms[name] = parse_wire_time(field_of(contract, name, str))
        elif isinstance(kind, EnumType):
            terms[name] = kind(field_of(contract, name, str))
        else:
            terms[name] = field_of(contract, name, kind)
    return terms


class Labelled(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def client_name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...


def contract_label(contract: Labelled) -> str:
    """'Website rebuild — Acme', and why no time can be tracked on it: '(ended)', '(fixed price)'."""
    label = contract.title if not contract.client_name else f"{contract.title} — {contract.client_name}"
    if contract.status != ContractStatus.ACTIVE:
        label += f" ({contract.status})"
    elif contract.kind != ContractKind.HOURLY:
        label += " (fixed price)"
    return label
