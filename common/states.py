"""The values a state may take, stored in the databases and sent over the wire as their strings.

``StrEnum`` members are the strings themselves (``SyncState.PENDING == "pending"``), so the stored
and sent values are those of before the enums, and a value read back compares equal to its member.
"""

from __future__ import annotations

from enum import StrEnum


class SyncState(StrEnum):
    """Where a local change is on its way to the contract service."""

    PENDING = "pending"  # changed here, not yet taken by the service
    SYNCED = "synced"
    REJECTED = "rejected"  # refused by the service: set aside with its reason


class BlockSource(StrEnum):
    TRACKED = "tracked"
    MANUAL = "manual"  # added by hand ("Add Time"): no screenshot, no activity


class ContractKind(StrEnum):
    HOURLY = "hourly"
    FIXED = "fixed"  # fixed-price: no tracked time


class ContractStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # takes no new time
    ENDED = "ended"  # view-only


class ContractOrigin(StrEnum):
    """Where the app's copy of a contract comes from."""

    LOCAL = "local"  # added on this computer, for personal or offline work: never synced
    SERVICE = "service"


class IdleDecision(StrEnum):
    """The answer to the idle question: what becomes of the time without input."""

    KEEP = "keep"
    DISCARD = "discard"
    DISCARD_AND_STOP = "discard_and_stop"


class StopReason(StrEnum):
    USER = "user"
    IDLE = "idle"  # the idle time was discarded and tracking stopped
    LIMIT = "limit"  # the weekly limit is reached
    QUIT = "quit"  # the app or the command line is ending
