"""The workroom's pages: a contract's Overview and Details (Messages: ``messages``). Each reads
through the same rules as the API and writes through them too; a form carries the id of what it
makes, so that sending it twice makes it once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from common.timetext import local_text
from common.timeutil import WEEK, week_start
from service.api.deps import Service, ServiceContext
from service.api.routes.contracts import contract_out, details_out
from service.api.routes.files import attachment_out
from service.models import User
from service.schemas import Id
from service.web.pages import templates, this_week
from service.web.sessions import CheckedForm, SignedInViewer, Viewer, writing_as
from service.web.timeline import timeline
from service.workroom import thread, todos
from service.workroom.access import party_contract
from service.workroom.hours import hours_by_contract

RECENT_FILES = 5
ContractId = Annotated[Id, Path()]
router = APIRouter(include_in_schema=False)


def viewer_zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.time_zone)


def tab_page(request: Request, viewer: Viewer, template: str, tab: str, context: dict[str, Any]) -> Response:
    """A workroom page (``tab`` marked current), with ``when(moment)`` in the viewer's zone and
    ``new_id()`` for the ids a form makes."""
    zone = viewer_zone(viewer.user)
    return templates.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "tab": tab,
            "when": lambda moment: local_text(moment, zone),
            "new_id": lambda: str(uuid.uuid4()),
            **context,
        },
    )


def _overview(context: ServiceContext, user: User, contract_id: str) -> dict[str, Any]:
    now = context.clock.now()
    with context.database.reading() as session:
        contract, role = party_contract(session, user, contract_id)
        monday = week_start(now)
        hours = hours_by_contract(session, [contract.id], monday, monday + WEEK)[contract.id]
        week_hours, earned = this_week(hours, contract, role)
        files, _ = thread.recent_files(session, contract, None, RECENT_FILES)
        shown = contract_out(session, contract, role, user, now)
        return {
            "contract": shown,
            **timeline(session, contract, role, shown.actions),
            "week_hours": week_hours,
            "week_earned": earned,
            "todos": todos.todo_list(session, contract),
            "files": [(attachment_out(attachment), message.created_at) for attachment, message in files],
            "writable": contract.status not in thread.VIEW_ONLY,
        }


@router.get("/contracts/{contract_id}", response_class=HTMLResponse)
async def overview(
    request: Request, contract_id: ContractId, context: Service, viewer: SignedInViewer
) -> Response:
    data = await run_in_threadpool(_overview, context, viewer.user, contract_id)
    return tab_page(request, viewer, "overview.html", "overview", data)


@router.get("/contracts/{contract_id}/details", response_class=HTMLResponse)
async def details(
    request: Request, contract_id: ContractId, context: Service, viewer: SignedInViewer
) -> Response:
    def read() -> dict[str, Any]:
        with context.database.reading() as session:
            contract, role = party_contract(session, viewer.user, contract_id)
            found = details_out(session, contract, role, viewer.user, context.clock.now())
            return {"contract": found.contract, "details": found}

    return tab_page(request, viewer, "details.html", "details", await run_in_threadpool(read))


def _write(context: ServiceContext, viewer: Viewer, contract_id: str, change: Any) -> None:
    """A change by the viewer: ``change(session, contract, author, now)`` in a unit of work that
    authenticates the session again and holds the viewer's write lock, as the API's writes do."""
    with writing_as(context, viewer) as (session, author):
        contract, _ = party_contract(session, author, contract_id)
        change(session, contract, author, context.clock.now())


async def _todos_changed(context: ServiceContext, viewer: Viewer, contract_id: str, change: Any) -> Response:
    """The to-dos changed as the viewer (``_write``), and the Overview's to-dos shown again."""
    await run_in_threadpool(_write, context, viewer, contract_id, change)
    return RedirectResponse(f"/contracts/{contract_id}#todos", status_code=303)


@router.post("/contracts/{contract_id}/todos")
async def put_todo(
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    _form: CheckedForm,
    todo_id: Annotated[Id, Form()],
    text: Annotated[str, Form(min_length=1, max_length=500)],
    done: Annotated[bool, Form()] = False,
) -> Response:
    def change(session: Session, contract: Any, by: User, now: datetime) -> None:
        todos.put_todo(session, contract, by, todo_id, text.strip(), done, now)

    return await _todos_changed(context, viewer, contract_id, change)


@router.post("/contracts/{contract_id}/todos/order")
async def reorder_todos(
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    _form: CheckedForm,
    ids: Annotated[list[Id], Form(max_length=1000)],
) -> Response:
    """The to-dos in the order the form names them (a "Move up" or "Move down" button sends the
    whole list so moved: sent twice, it leaves the same order)."""

    def change(session: Session, contract: Any, by: User, now: datetime) -> None:
        todos.reorder(session, contract, by, ids, now)

    return await _todos_changed(context, viewer, contract_id, change)


@router.post("/contracts/{contract_id}/todos/delete")
async def delete_todo(
    contract_id: ContractId,
    context: Service,
    viewer: SignedInViewer,
    _form: CheckedForm,
    todo_id: Annotated[Id, Form()],
) -> Response:
    def change(session: Session, contract: Any, by: User, now: datetime) -> None:
        todos.delete_todo(session, contract, by, todo_id, now)

    return await _todos_changed(context, viewer, contract_id, change)
