"""The routes of /api/v1 (see docs/sync.md)."""

from __future__ import annotations

from fastapi import APIRouter

from common.wire import API_PREFIX
from service.api.routes import (
    auth,
    blobs,
    blocks,
    contracts,
    events,
    feedback,
    files,
    meetings,
    messages,
    milestones,
    money,
    offers,
    todos,
)

api_router = APIRouter(prefix=API_PREFIX)
for routes in (
    auth,
    contracts,
    offers,
    milestones,
    feedback,
    money,
    blobs,
    blocks,
    files,
    messages,
    meetings,
    todos,
    events,
):
    api_router.include_router(routes.router)
