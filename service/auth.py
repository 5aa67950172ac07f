"""Passwords, tokens and the sign-in rate limit."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import math
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from common.states import TokenKind
from service.database import Database, advisory_lock_key
from service.models import ADDRESS_CHARS, SignInFailure, Token, User

if TYPE_CHECKING:
    from service.config import ServiceConfig

# scrypt with n=2**17, r=8 (OWASP's minimum): 128 MiB of memory and a few hundred milliseconds per
# hash.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
_KEY_BYTES = 32
# A hash keeps a core busy and holds 128 MiB: more of them at once than the cores this process may
# use only adds memory (the 40 threads that serve requests would hold 5 GiB).
HASHES_AT_ONCE = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)


def hash_password(password: str, cost: int = SCRYPT_N) -> str:
    """``scrypt$n$r$p$salt$key``: the parameters travel with the hash, so they can grow later (and
    tests can make cheap ones: ``cost`` is scrypt's n)."""
    salt = secrets.token_bytes(16)
    key = _scrypt(password, salt, cost, SCRYPT_R, SCRYPT_P)
    return f"scrypt${cost}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    scheme, n, r, p, salt, key = stored.split("$")
    if scheme != "scrypt":
        return False
    candidate = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, base64.b64decode(key))


def is_weaker(stored: str, cost: int) -> bool:
    """Whether a stored hash costs less than ``cost`` (scrypt's n) asks of new ones."""
    scheme, n, *_ = stored.split("$")
    return scheme != "scrypt" or int(n) < cost


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # The memory OpenSSL needs, 128·r·(n + 2) bytes of work space and 128·r·p of blocks, given as its
    # limit: its default (32 MiB) refuses n=2**17.
    with _hashing:
        return hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, maxmem=128 * r * (n + 2 + p), dklen=_KEY_BYTES
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@functools.cache
def _unknown_user_hash(cost: int) -> str:
    """Checked against when the email is unknown, so that the answer takes as long as for a known one."""
    return hash_password(secrets.token_urlsafe(16), cost)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SignInRefused(Exception):
    def __init__(self, message: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


def sign_in(
    database: Database,
    config: ServiceConfig,
    email: str,
    password: str,
    device_name: str,
    address: str,
    now: datetime,
    kind: TokenKind = TokenKind.API,
) -> IssuedToken:
    """A new token of this kind for the user, or SignInRefused (rate limited: with the seconds to wait).

    The attempt is counted as a failure before the password is checked, and committed, so that
    parallel guesses cannot all slip under the limit; a matching password then forgives the failures
    of this account from this address. The password is checked outside any transaction: a hash takes
    long, and a transaction on SQLite holds the database's write lock.
    """
    email = email.strip().lower()
    address = address[:ADDRESS_CHARS]  # whatever the trusted proxy passed on
    with database.writing() as session:
        _count_attempt(session, config, email, address, now)
        user = session.scalars(select(User).where(User.email == email)).one_or_none()
    stored = user.password_hash if user else _unknown_user_hash(config.password_cost)
    if not verify_password(password, stored) or user is None:
        raise SignInRefused("The email or the password is wrong.")
    stronger = (
        hash_password(password, config.password_cost) if is_weaker(stored, config.password_cost) else None
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + (config.token_lifetime if kind == TokenKind.API else config.web_session_lifetime)
    with database.writing() as session:
        _serialize_address(session, address)
        session.execute(
            delete(SignInFailure).where(SignInFailure.email == email, SignInFailure.address == address)
        )
        if stronger:  # unless the password changed meanwhile
            session.execute(
                update(User)
                .where(User.id == user.id, User.password_hash == stored)
                .values(password_hash=stronger)
            )
        session.add(
            Token(
                token_sha256=token_digest(token),
                user_id=user.id,
                device_name=device_name,
                kind=kind,
                created_at=now,
                expires_at=expires_at,
                revoked_at=None,
            )
        )
    return IssuedToken(token, expires_at, user)


def _count_attempt(session: Session, config: ServiceConfig, email: str, address: str, now: datetime) -> None:
    """Records the attempt as a failure; or SignInRefused, with the seconds to wait, when the address,
    or this account from this address, has failed too often within the window."""
    _serialize_address(session, address)
    window_start = now - config.sign_in_window
    from_address = SignInFailure.address == address
    session.execute(delete(SignInFailure).where(from_address, SignInFailure.attempted_at <= window_start))
    waits = []
    for scope, limit in (
        (from_address, config.sign_in_failures_per_address),
        (from_address & (SignInFailure.email == email), config.sign_in_failures_per_account_and_address),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(SignInFailure.attempted_at)).where(scope)
        ).one()
        if count >= limit:
            waits.append(math.ceil((oldest + config.sign_in_window - now).total_seconds()))
    if waits:
        wait = max(*waits, 1)
        raise SignInRefused(f"Too many failed sign-ins: try again in {math.ceil(wait / 60)} minutes.", wait)
    session.add(SignInFailure(email=email, address=address, attempted_at=now))


def _serialize_address(session: Session, address: str) -> None:
    """Makes the transactions about one address's failures wait for each other until they commit,
    so that each counts those before it. SQLite serializes every writer already (BEGIN IMMEDIATE);
    on PostgreSQL, a transaction-level advisory lock named after the address."""
    if session.get_bind().dialect.name == "postgresql":
        key = advisory_lock_key(f"sign-in failures of {address}")
        session.execute(select(func.pg_advisory_xact_lock(key)))


class InvalidToken(Exception):
    pass


def authenticate(
    session: Session, token: str, now: datetime, lock: bool = False, kind: TokenKind = TokenKind.API
) -> User:
    """The user a token of this kind signs in, or InvalidToken with the reason (a token of the other
    kind is not known here). ``lock``: for a unit of work that writes, the user's row is locked too,
    which serializes the user's writes (a second device's request waits until the first one
    commits, so both cannot pass the overlap check; on SQLite, BEGIN IMMEDIATE already serializes
    writers)."""
    query = (
        select(Token.revoked_at, Token.expires_at, User)
        .join(User, Token.user_id == User.id)
        .where(Token.token_sha256 == token_digest(token), Token.kind == kind)
    )
    # FOR NO KEY UPDATE: another party's unit of work may still write a row that refers to the user.
    row = session.execute(query.with_for_update(of=User, key_share=True) if lock else query).one_or_none()
    if row is None:
        raise InvalidToken("The token is not known here: sign in again.")
    revoked_at, expires_at, user = row
    if revoked_at is not None:
        raise InvalidToken("This token was signed out: sign in again.")
    if now >= expires_at:
        raise InvalidToken("This sign-in has expired: sign in again.")
    return user


def revoke(session: Session, token: str, now: datetime) -> None:
    """Sign a token out; signing out an unknown or already revoked token changes nothing."""
    row = session.get(Token, token_digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
