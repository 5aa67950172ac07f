"""A contract's terms, declared once: the columns of the app's and the service's ``Contract``, the
fields of the service's answer that the app stores, and how a contract is labelled.

Adding a term is a line here, plus a migration for each database.
"""

from __future__ import annotations

from datetime import datetime
from enum import EnumType
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Boolean, Column, ColumnDefault, Integer, String

from common.dbtypes import StateString, UTCTimestamp
from common.states import ContractKind, ContractStatus
from common.wire import field_of, parse_wire_time

if TYPE_CHECKING:
    from sqlalchemy.orm import Mapped


def term_columns(timestamp: type[UTCTimestamp] = UTCTimestamp) -> list[Column[Any]]:
    """The columns of what the service says of a contract and the app keeps, new for each of the
    two databases' ``contracts`` table; ``started_at`` stored as each database's ``timestamp``."""
    return [
        Column("title", String(200), nullable=False),
        Column("kind", StateString(ContractKind, 16), nullable=False, default=ContractKind.HOURLY),
        Column("status", StateString(ContractStatus, 16), nullable=False, default=ContractStatus.ACTIVE),
        Column("hourly_rate_cents", Integer, nullable=False, default=0),
        Column("currency", String(3), nullable=False, default="USD"),
        Column("weekly_limit_minutes", Integer, default=None),
        Column("manual_time_allowed", Boolean, nullable=False, default=True),
        Column("screenshots_enabled", Boolean, nullable=False, default=True),
        Column("grace_hours", Integer, nullable=False, default=12),
        Column("agency_member", Boolean, nullable=False, default=False),
        Column("started_at", timestamp, nullable=False),
    ]


class ContractTermAttributes:
    """The terms as attributes of the service's ORM ``Contract`` (its columns: ``term_columns``).
    Declared for type checkers only: at run time the mapper takes them from the table."""

    if TYPE_CHECKING:
        title: Mapped[str]
        kind: Mapped[ContractKind]
        status: Mapped[ContractStatus]
        hourly_rate_cents: Mapped[int]
        currency: Mapped[str]
        weekly_limit_minutes: Mapped[int | None]
        manual_time_allowed: Mapped[bool]
        screenshots_enabled: Mapped[bool]
        grace_hours: Mapped[int]
        agency_member: Mapped[bool]
        started_at: Mapped[datetime]


def _python_type(column: Column[Any]) -> Any:
    kind = column.type.python_type
    return kind | None if column.nullable else kind


# Each term's Python type (``int | None`` for weekly_limit_minutes…), in the order declared.
TERM_TYPES: dict[str, Any] = {column.name: _python_type(column) for column in term_columns()}
CONTRACT_TERMS = tuple(TERM_TYPES)


def term_defaults() -> dict[str, Any]:
    """The terms a new contract gets when it is not told otherwise (``title`` and ``started_at``
    have none)."""
    return {c.name: c.default.arg for c in term_columns() if isinstance(c.default, ColumnDefault)}


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
