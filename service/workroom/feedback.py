"""Feedback after the end: each party may leave a rating (1–5) and a comment once, within 14 days.
Each side's is shown only when both have left theirs or the 14 days are over, so that neither can
answer the other's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.states import Action, EventKind, Role
from service.errors import Conflict
from service.models import Contract, Feedback, User
from service.schemas import NoNul
from service.workroom.actions import FEEDBACK_PERIOD
from service.workroom.events import record_event
from service.workroom.life import require_now


class FeedbackIn(BaseModel):
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=5000), NoNul] = ""


def leave(
    session: Session, contract: Contract, role: Role, user: User, sent: FeedbackIn, now: datetime
) -> Feedback:
    """The viewer's feedback, left once: the same again answers it; another is refused (feedback
    is not rewritten once the other side may be reading it)."""
    left = session.get(Feedback, (contract.id, user.id))
    if left is not None:
        if (left.rating, left.comment) != (sent.rating, sent.comment):
            raise Conflict("You have left your feedback on this contract: it cannot be changed.")
        return left
    require_now(session, contract, role, user, Action.LEAVE_FEEDBACK, now)
    left = Feedback(
        contract_id=contract.id, author_id=user.id, rating=sent.rating, comment=sent.comment, created_at=now
    )
    session.add(left)
    # The line tells that feedback was left, not what it says: the other side reads the thread.
    record_event(session, contract, user, EventKind.FEEDBACK_LEFT, now, f"{user.name} left feedback.")
    return left


def visible(session: Session, contract: Contract, viewer: User, now: datetime) -> list[Feedback]:
    """The feedback the viewer may read: their own, and the other side's once both have left theirs
    or the feedback period is over."""
    left = list(
        session.scalars(
            select(Feedback).where(Feedback.contract_id == contract.id).order_by(Feedback.created_at)
        )
    )
    over = contract.ended_at is not None and now >= contract.ended_at + FEEDBACK_PERIOD
    if len(left) == 2 or over:
        return left
    return [mine for mine in left if mine.author_id == viewer.id]
