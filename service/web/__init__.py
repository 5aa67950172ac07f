"""The web workroom: server-rendered pages (Jinja2) for clients and freelancers, served by the
service beside its API and built on the same rules (``service.workroom``, ``service.timesheet``),
never on the API over HTTP.

- ``sessions``: the session cookie (a token of its own kind) and CSRF protection of every form
- ``security``: the headers every answer carries (a Content-Security-Policy without inline scripts…)
- ``pages``: the pages
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service.web import actions, live, messages, money, pages, profile, timesheet, workroom
from service.web.security import SecurityHeaders
from service.web.sessions import FormRefused, SignInNeeded

STATIC = Path(__file__).parent / "static"


def add_web_workroom(app: FastAPI) -> None:
    assert app.docs_url is not None
    app.include_router(pages.router)
    app.include_router(workroom.router)
    app.include_router(actions.router)
    app.include_router(money.router)
    app.include_router(timesheet.router)
    app.include_router(messages.router)
    app.include_router(live.router)
    app.include_router(profile.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders, without_csp=app.docs_url)
    app.exception_handler(SignInNeeded)(pages.sign_in_needed)
    app.exception_handler(FormRefused)(pages.form_refused)
