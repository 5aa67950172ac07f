"""Calls of a contract's thread for the service's tests: upload a file, post a message."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import requests

from tests.service.conftest import World


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload_file(
    world: World, token: str, data: bytes, content_type: str = "application/pdf"
) -> requests.Response:
    return world.call("PUT", f"/files/{sha(data)}", token, data=data, headers={"Content-Type": content_type})


def post(
    world: World,
    token: str,
    contract_id: str,
    message_id: str,
    body: str = "",
    files: Sequence[tuple[bytes, str]] = (),
) -> requests.Response:
    """A message with ``body`` and ``files`` (their bytes and names), uploaded first."""
    attachments = []
    for data, name in files:
        assert upload_file(world, token, data).status_code == 200
        attachments.append({"sha256": sha(data), "name": name, "content_type": "application/pdf"})
    return world.call(
        "PUT",
        f"/contracts/{contract_id}/messages/{message_id}",
        token,
        json={"body": body, "attachments": attachments},
    )
