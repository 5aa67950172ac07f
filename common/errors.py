"""Errors classified by what to do next; each carries a message written for the user."""

from __future__ import annotations


class WorkdiaryError(Exception):
    """Base of the errors the user is shown. ``transient`` ones may succeed if tried again."""

    transient = False


class RuleViolation(WorkdiaryError):
    """An edit the contract's rules do not allow (editable window, manual time, overlaps…)."""


class NotFound(WorkdiaryError):
    pass


class EnvironmentProblem(WorkdiaryError):
    """Something missing from the machine or the session (no display, no permission…).

    ``fix`` tells the user what to do about it.
    """

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.args[0]} {self.fix}"


class StorageProblem(WorkdiaryError):
    """The local database or the screenshot folder cannot be written (disk full, permissions).

    Transient: nothing already saved is lost and the write can be tried again once fixed.
    """

    transient = True


class DamagedDatabase(StorageProblem):
    """The database file is not a database or has a damaged page: trying again will not help. It is
    left as it is, for the user to restore from a backup or set aside."""

    transient = False
