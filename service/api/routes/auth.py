"""Signing in and out, and who is signed in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

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
from service.schemas import MAX_JSON_BYTES, Problem, SignedIn, SignIn, UserOut

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
