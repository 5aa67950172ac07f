"""Signed in through a browser: a session cookie holding a token of its own kind (HttpOnly,
SameSite=Lax, Secure on https), and a CSRF token in every form, derived from a secret the page's
origin alone can read: the session's, or before signing in a cookie of the sign-in form's."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from common.states import TokenKind
from service import auth
from service.api.deps import Service, ServiceContext
from service.models import User

SESSION_COOKIE = "workdiary_session"
SIGN_IN_COOKIE = "workdiary_sign_in"  # the sign-in form's own CSRF secret


class SignInNeeded(Exception):
    """The page needs a signed-in viewer: answered by sending the browser to the sign-in page."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class FormRefused(Exception):
    """A form posted without the CSRF token of its page (another site's, or an old page's)."""


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"workdiary csrf", hashlib.sha256).hexdigest()


def check_csrf(secret: str | None, sent: object) -> None:
    if not secret or not isinstance(sent, str) or not hmac.compare_digest(csrf_token(secret), sent):
        raise FormRefused("This form is out of date or was not sent from this site: reload the page.")


@dataclass(frozen=True)
class Viewer:
    user: User
    session_token: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_token)


def _authenticated(context: ServiceContext, token: str) -> User | None:
    with context.database.reading() as session:
        try:
            return auth.authenticate(session, token, context.clock.now(), kind=TokenKind.WEB)
        except auth.InvalidToken:
            return None


async def viewer(request: Request, context: Service) -> Viewer:
    token = request.cookies.get(SESSION_COOKIE)
    user = await run_in_threadpool(_authenticated, context, token) if token else None
    if user is None or token is None:
        back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(back_to)
    return Viewer(user, token)


SignedInViewer = Annotated[Viewer, Depends(viewer)]


@contextmanager
def writing_as(context: ServiceContext, signed_in: Viewer) -> Iterator[tuple[Session, User]]:
    """A unit of work that writes as the viewer: their session checked again in the same
    transaction, holding their write lock (``auth.authenticate``)."""
    with context.database.writing() as session:
        try:
            user = auth.authenticate(
                session, signed_in.session_token, context.clock.now(), lock=True, kind=TokenKind.WEB
            )
        except auth.InvalidToken as invalid:
            raise SignInNeeded("/") from invalid
        yield session, user


async def checked_form(request: Request, signed_in: SignedInViewer) -> dict[str, str]:
    """The posted form's fields, once its CSRF token is the session's."""
    form = await request.form()
    try:
        check_csrf(signed_in.session_token, form.get("csrf"))
    except FormRefused:
        await form.close()  # the files of a refused form, spooled to disk, go at once
        raise
    return {name: value for name, value in form.items() if isinstance(value, str)}


CheckedForm = Annotated[dict[str, str], Depends(checked_form)]


def sign_in_secret(request: Request) -> str:
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def safe_next(back_to: str | None) -> str:
    """Where to go after signing in: a path of this site only (no open redirect elsewhere)."""
    if not back_to or not back_to.startswith("/") or back_to.startswith(("//", "/\\")) or "\\" in back_to:
        return "/"
    return back_to


def sign_in_url(back_to: str) -> str:
    return "/sign-in" if back_to == "/" else f"/sign-in?next={quote(back_to, safe='/')}"
