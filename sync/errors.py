"""What can go wrong while syncing, classified by what to do next."""

from __future__ import annotations

from common.errors import EnvironmentProblem, RuleViolation, WorkdiaryError


class ServiceUnreachable(WorkdiaryError):
    """The service did not answer, answered late, failed (5xx), asked to slow down (429) or answered
    something unreadable: nothing is lost, the same requests go again later."""

    transient = True


class Refused(RuleViolation):
    """The service refused this one item (4xx other than 401): it is set aside with the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SignedOut(WorkdiaryError):
    """The token is missing, expired or revoked (401): the user has to sign in again."""


class NoKeyring(EnvironmentProblem):
    """No OS keyring to keep the token in; it is never written to disk instead."""
