"""Passwords, tokens and the sign-in rate limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from service.config import ServiceConfig
from service.models import SignInFailure, Token, User

# scrypt with n=2**14, r=8: 16 MiB of memory and a few tens of milliseconds per guess.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_KEY_BYTES = 32


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


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=2 * 128 * r * n + 2**20, dklen=_KEY_BYTES
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# Checked against when the email is unknown, so that the answer takes as long as for a known one.
_UNKNOWN_USER_HASH = hash_password(secrets.token_urlsafe(16))


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
    session: Session,
    config: ServiceConfig,
    email: str,
    password: str,
    device_name: str,
    address: str,
    now: datetime,
) -> IssuedToken:
    """A new token for the user, or SignInRefused (rate limited: with the seconds to wait).

    A failure is recorded in ``session``: the caller commits it even though it refuses the sign-in.
    """
    email = email.strip().lower()
    _check_rate_limit(session, config, email, address, now)
    user = session.scalars(select(User).where(User.email == email)).one_or_none()
    password_matches = verify_password(password, user.password_hash if user else _UNKNOWN_USER_HASH)
    if user is None or not password_matches:
        session.add(SignInFailure(email=email, address=address, attempted_at=now))
        raise SignInRefused("The email or the password is wrong.")
    session.execute(delete(SignInFailure).where(SignInFailure.email == email))
    token = secrets.token_urlsafe(32)
    expires_at = now + config.token_lifetime
    session.add(
        Token(
            token_sha256=token_digest(token),
            user_id=user.id,
            device_name=device_name,
            created_at=now,
            expires_at=expires_at,
            revoked_at=None,
        )
    )
    return IssuedToken(token, expires_at, user)


def _check_rate_limit(
    session: Session, config: ServiceConfig, email: str, address: str, now: datetime
) -> None:
    window_start = now - config.sign_in_window
    recent = or_(SignInFailure.email == email, SignInFailure.address == address)
    session.execute(delete(SignInFailure).where(SignInFailure.attempted_at <= window_start, recent))
    for column, value, limit in (
        (SignInFailure.email, email, config.sign_in_failures_per_account),
        (SignInFailure.address, address, config.sign_in_failures_per_address),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(SignInFailure.attempted_at)).where(column == value)
        ).one()
        if count >= limit:
            wait = math.ceil((oldest + config.sign_in_window - now).total_seconds())
            raise SignInRefused(
                f"Too many failed sign-ins: try again in {math.ceil(wait / 60)} minutes.", max(wait, 1)
            )


class InvalidToken(Exception):
    pass


def authenticate(session: Session, token: str, now: datetime, lock: bool = False) -> User:
    """The user a token signs in, or InvalidToken with the reason. ``lock``: for a unit of work that
    writes, the user's row is locked too, which serializes the user's writes (a second device's
    request waits until the first one commits, so both cannot pass the overlap check; on SQLite,
    BEGIN IMMEDIATE already serializes writers)."""
    query = (
        select(Token.revoked_at, Token.expires_at, User)
        .join(User, Token.user_id == User.id)
        .where(Token.token_sha256 == token_digest(token))
    )
    row = session.execute(query.with_for_update(of=User) if lock else query).one_or_none()
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
