"""The viewer's profile: name, title (the profile line the other party sees) and time zone, in
which every time of the pages is shown; changed under the API's rules for ``PUT /me``. Until the
viewer chooses a zone here, the browser they sign in from gives it (``pages.adopt_browser_zone``)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from common.timetext import local_text
from service.api.deps import Service
from service.api.routes.auth import ProfileIn
from service.web.pages import UNCHOSEN_ZONE, templates
from service.web.sessions import CheckedForm, SignedInViewer, writing_as

# UTC as a choice goes by its canonical name, Etc/UTC: the default's name means "never chosen".
ZONES = sorted(available_timezones() - {UNCHOSEN_ZONE})
router = APIRouter(include_in_schema=False)


@router.get("/profile", response_class=HTMLResponse)
def profile(request: Request, context: Service, viewer: SignedInViewer, saved: bool = False) -> Response:
    user = viewer.user
    return templates.TemplateResponse(
        request,
        "profile.html",
        {
            "viewer": viewer,
            "profile_page": True,
            "zones": ZONES,
            "chosen": None if user.time_zone == UNCHOSEN_ZONE else user.time_zone,
            "now": local_text(context.clock.now(), ZoneInfo(user.time_zone)),
            "saved": saved,
        },
    )


@router.post("/profile")
async def save_profile(
    context: Service,
    viewer: SignedInViewer,
    _form: CheckedForm,
    name: Annotated[str, Form(max_length=200)],
    title: Annotated[str, Form(max_length=200)] = "",
    time_zone: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        chosen = ProfileIn(name=name.strip(), title=title.strip(), time_zone=time_zone or UNCHOSEN_ZONE)
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors()) from invalid

    def save() -> None:
        with writing_as(context, viewer) as (_session, user):
            user.name, user.title, user.time_zone = chosen.name or user.name, chosen.title, chosen.time_zone

    await run_in_threadpool(save)
    return RedirectResponse("/profile?saved=true", status_code=303)
