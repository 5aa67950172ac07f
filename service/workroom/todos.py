"""A contract's to-do list: both parties add, edit, check off, reorder and delete to-dos while the
contract is not view-only. A deleted to-do stays as a tombstone, so that a replayed write (from an
app that was offline) cannot bring it back. Every change is an event for the feed (the other
party's list updates), none a line in the thread: a list's changes would drown the conversation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.states import EventKind
from service.errors import Conflict, NotFound
from service.models import Contract, Todo, User
from service.workroom.events import record_event
from service.workroom.thread import require_writable

MAX_TODO_CHARS = 500


class TodoChange(StrEnum):
    ADDED = "added"
    EDITED = "edited"
    DONE = "done"
    REOPENED = "reopened"
    DELETED = "deleted"
    REORDERED = "reordered"


def todo_list(session: Session, contract: Contract) -> list[Todo]:
    """The contract's to-dos in their order."""
    return list(
        session.scalars(
            select(Todo)
            .where(Todo.contract_id == contract.id, Todo.deleted.is_(False))
            .order_by(Todo.position, Todo.created_at, Todo.id)
        )
    )


def _todo(session: Session, contract: Contract, todo_id: str) -> Todo | None:
    todo = session.get(Todo, todo_id)
    if todo is not None and todo.contract_id != contract.id:
        raise Conflict(f"The to-do id {todo_id} is taken: make a new one for a new to-do.")
    return todo


def put_todo(
    session: Session, contract: Contract, by: User, todo_id: str, text: str, done: bool, now: datetime
) -> Todo:
    """Add the to-do ``todo_id`` (at the end of the list) or change its text and whether it is done;
    a replay that changes nothing answers it as it is, even once the contract is view-only."""
    todo = _todo(session, contract, todo_id)
    if todo is not None and todo.deleted:
        raise Conflict("The to-do was deleted: add a new one to bring it back.")
    if todo is not None and (todo.text, todo.done) == (text, done):
        return todo
    require_writable(contract)
    if todo is None:
        last = session.scalar(select(func.max(Todo.position)).where(Todo.contract_id == contract.id))
        todo = Todo(
            id=todo_id,
            contract_id=contract.id,
            text=text,
            done=done,
            position=0 if last is None else last + 1,
            deleted=False,
            created_by_id=by.id,
            created_at=now,
            updated_at=now,
        )
        session.add(todo)
        change = TodoChange.ADDED
    else:
        change = TodoChange.EDITED
        if todo.done != done:
            change = TodoChange.DONE if done else TodoChange.REOPENED
        todo.text, todo.done, todo.updated_at = text, done, now
    session.flush()
    _record(session, contract, by, now, change, todo)
    return todo


def delete_todo(session: Session, contract: Contract, by: User, todo_id: str, now: datetime) -> None:
    """Delete a to-do for good; deleting it again changes nothing."""
    todo = _todo(session, contract, todo_id)
    if todo is None:
        raise NotFound(f"There is no to-do {todo_id} on this contract.")
    if todo.deleted:
        return
    require_writable(contract)
    todo.deleted, todo.updated_at = True, now
    session.flush()
    _record(session, contract, by, now, TodoChange.DELETED, todo)


def reorder(session: Session, contract: Contract, by: User, ids: Sequence[str], now: datetime) -> list[Todo]:
    """Put the to-dos in the order of ``ids``: those not named (added meanwhile) keep their order
    after them, and deleted ones named are passed over (an app may not know yet)."""
    todos = todo_list(session, contract)
    known = set(session.scalars(select(Todo.id).where(Todo.contract_id == contract.id, Todo.id.in_(ids))))
    if unknown := [todo_id for todo_id in ids if todo_id not in known]:
        raise NotFound(f"There is no to-do {unknown[0]} on this contract.")
    named = {todo_id: place for place, todo_id in enumerate(ids)}
    ordered = sorted(todos, key=lambda todo: named.get(todo.id, len(ids)))  # stable: the others keep theirs
    if ordered == todos:
        return todos
    require_writable(contract)
    for position, todo in enumerate(ordered):
        todo.position = position
        todo.updated_at = now
    session.flush()
    _record(session, contract, by, now, TodoChange.REORDERED)
    return ordered


def _record(
    session: Session,
    contract: Contract,
    by: User,
    now: datetime,
    change: TodoChange,
    todo: Todo | None = None,
) -> None:
    record_event(
        session,
        contract,
        by,
        EventKind.TODOS_CHANGED,
        now,
        None,
        change=change,
        todo_id=todo and todo.id,
        text=todo and todo.text,
    )
