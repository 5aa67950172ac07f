"""Signing in and out, and who is signed in."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Request, Response
from pydantic import AfterValidator, BaseModel, Field

from service import auth
from service.api.deps import (
    JSON_TOO_LARGE,
    MALFORMED,
    SIGNED_OUT,
    CurrentUser,
    Service,
    bearer_token,
    refusals,
)
from service.errors import TooManyAttempts, Unauthenticated
from service.schemas import MAX_JSON_BYTES, NoNul, Problem, SignedIn, SignIn, UserOut

router = APIRouter()


SIGN_IN_REFUSALS: dict[int | str, dict[str, Any]] = {
    **refusals({401: "the email or the password is wrong", 422: MALFORMED}),
    429: {
        "model": Problem,
        "description": "too many failed sign-ins from this address, or for this account from it",
        "headers": {"Retry-After": {"description": "the seconds to wait", "schema": {"type": "integer"}}},
    },
    **JSON_TOO_LARGE,
}


@router.post("/auth/sign-in", tags=["auth"], responses=SIGN_IN_REFUSALS, max_body_size=MAX_JSON_BYTES)
def sign_in(request: Request, body: SignIn, context: Service) -> SignedIn:
    # The peer's address, or the one a trusted proxy forwarded (serve --forwarded-allow-ips).
    address = request.client.host if request.client else "unknown"
    try:
        issued = auth.sign_in(
            context.database,
            context.config,
            body.email,
            body.password,
            body.device_name,
            address,
            context.clock.now(),
        )
    except auth.SignInRefused as refused:
        if refused.retry_after_seconds is not None:
            raise TooManyAttempts(str(refused), refused.retry_after_seconds) from refused
        raise Unauthenticated(str(refused)) from refused
    return SignedIn(
        token=issued.token, expires_at=issued.expires_at, user=UserOut.model_validate(issued.user)
    )


@router.post("/auth/sign-out", status_code=204, tags=["auth"], responses=refusals({401: SIGNED_OUT}))
def sign_out(context: Service, token: Annotated[str, Depends(bearer_token)]) -> Response:
    with context.database.writing() as session:
        auth.revoke(session, token, context.clock.now())
    return Response(status_code=204)


@router.get("/me", tags=["auth"], responses=refusals({401: SIGNED_OUT}))
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


def checked_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as unknown:
        raise ValueError(f"“{name}” is no IANA time zone such as Europe/Paris") from unknown
    return name


class ProfileIn(BaseModel):
    """The profile line the other party sees beside the name."""

    name: Annotated[str, Field(min_length=1, max_length=200), NoNul] | None = Field(
        default=None, description="omitted: the name stays"
    )
    title: Annotated[str, Field(max_length=200), NoNul] = ""
    time_zone: Annotated[
        str, Field(min_length=1, max_length=64), NoNul, AfterValidator(checked_time_zone)
    ] = "UTC"


@router.put(
    "/me",
    tags=["auth"],
    max_body_size=MAX_JSON_BYTES,
    responses={**refusals({401: SIGNED_OUT, 422: MALFORMED}), **JSON_TOO_LARGE},
)
def set_profile(body: ProfileIn, context: Service, token: Annotated[str, Depends(bearer_token)]) -> UserOut:
    """Set the user's title and time zone (the profile line of their contracts' Details), and
    their name if given."""
    with context.writing_as(token) as (_session, user):
        user.title, user.time_zone = body.title, body.time_zone
        if body.name is not None:
            user.name = body.name
        return UserOut.model_validate(user)
