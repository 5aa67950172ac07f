"""The OpenAPI schema tells what each route answers: every refusal, each as {"detail": "…"}."""

from __future__ import annotations

import requests

from common.wire import MAX_CAPTURE_NOTE_CHARS
from tests.helpers.service import API, LocalService

REFUSALS = {
    "POST /auth/sign-in": {"401", "413", "422", "429"},
    "POST /auth/sign-out": {"401"},
    "GET /me": {"401"},
    "PUT /me": {"401", "413", "422"},
    "GET /contracts": {"401"},
    "GET /contracts/{contract_id}": {"401", "404", "422"},
    "PUT /contracts/{contract_id}": {"401", "403", "404", "409", "413", "422"},
    "GET /contracts/{contract_id}/details": {"401", "404", "422"},
    "GET /contracts/{contract_id}/blocks": {"401", "404", "422"},
    "POST /contracts/{contract_id}/accept": {"401", "403", "404", "409", "413", "422"},
    "POST /contracts/{contract_id}/decline": {"401", "403", "404", "409", "422"},
    "POST /contracts/{contract_id}/withdraw": {"401", "403", "404", "409", "422"},
    "POST /contracts/{contract_id}/pause": {"401", "403", "404", "409", "422"},
    "POST /contracts/{contract_id}/resume": {"401", "403", "404", "409", "422"},
    "POST /contracts/{contract_id}/end": {"401", "403", "404", "409", "422"},
    "PUT /contracts/{contract_id}/terms": {"401", "403", "404", "409", "413", "422"},
    "GET /contracts/{contract_id}/milestones": {"401", "404", "422"},
    "GET /contracts/{contract_id}/milestone-requests": {"401", "404", "422"},
    "PUT /contracts/{contract_id}/milestones/{milestone_id}": {"401", "403", "404", "409", "413", "422"},
    "POST /contracts/{contract_id}/milestones/{milestone_id}/fund": {"401", "403", "404", "409", "422"},
    "POST /contracts/{contract_id}/milestones/{milestone_id}/submit": {
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    },
    "POST /contracts/{contract_id}/milestones/{milestone_id}/approve": {"401", "403", "404", "409", "422"},
    "POST /contracts/{contract_id}/milestones/{milestone_id}/request-changes": {
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    },
    "PUT /contracts/{contract_id}/milestone-requests/{request_id}": {
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    },
    "POST /contracts/{contract_id}/milestone-requests/{request_id}/accept": {
        "401",
        "403",
        "404",
        "409",
        "422",
    },
    "POST /contracts/{contract_id}/milestone-requests/{request_id}/decline": {
        "401",
        "403",
        "404",
        "409",
        "422",
    },
    "PUT /contracts/{contract_id}/feedback": {"401", "403", "404", "409", "413", "422"},
    "PUT /blobs/{sha256}": {"400", "401", "403", "413", "415", "422"},
    "GET /blobs/{sha256}": {"401", "404", "422"},
    "PUT /blobs": {"400", "401", "403", "411", "413", "415"},
    "PUT /blocks/{block_id}": {"401", "403", "404", "409", "413", "422"},
    "PUT /blocks": {"401", "403", "413", "422"},
    "PUT /blocks/{block_id}/screenshot": {"401", "403", "404", "409", "413", "422"},
    "PUT /screenshots": {"401", "403", "413", "422"},
    "PUT /files/{sha256}": {"400", "401", "413", "422"},
    "GET /events": {"401", "422"},
    "GET /contracts/{contract_id}/files": {"401", "404", "422"},
    "GET /contracts/{contract_id}/attachments/{attachment_id}": {"401", "404", "422"},
    "GET /contracts/{contract_id}/messages": {"401", "404", "422"},
    "GET /contracts/{contract_id}/messages/search": {"401", "404", "422"},
    "GET /contracts/{contract_id}/messages/unread": {"401", "404", "422"},
    "PUT /contracts/{contract_id}/messages/read": {"401", "404", "413", "422"},
    "PUT /contracts/{contract_id}/messages/{message_id}": {"401", "404", "409", "413", "422"},
    "PUT /contracts/{contract_id}/meetings/{meeting_id}": {"401", "404", "409", "413", "422"},
    "GET /contracts/{contract_id}/meetings/{meeting_id}.ics": {"401", "404", "422"},
    "GET /contracts/{contract_id}/todos": {"401", "404", "422"},
    "PUT /contracts/{contract_id}/todos/order": {"401", "404", "409", "413", "422"},
    "PUT /contracts/{contract_id}/todos/{todo_id}": {"401", "404", "409", "413", "422"},
    "DELETE /contracts/{contract_id}/todos/{todo_id}": {"401", "404", "409", "422"},
    "GET /contracts/{contract_id}/transactions": {"401", "403", "404", "422"},
    "POST /contracts/{contract_id}/transactions/{transaction_id}/dispute": {
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    },
    "PUT /contracts/{contract_id}/bonuses/{bonus_id}": {"401", "403", "404", "409", "413", "422"},
    "PUT /contracts/{contract_id}/refunds/{refund_id}": {"401", "403", "404", "409", "413", "422"},
    "GET /contracts/{contract_id}/transactions/{transaction_id}/invoice.pdf": {"401", "403", "404", "422"},
    "GET /transactions/report": {"401", "403", "404", "422"},
    "GET /healthz": set(),
    "GET /readyz": set(),
}


def test_every_route_documents_each_refusal_as_a_problem(service: LocalService) -> None:
    schema = requests.get(f"{service.url}{API}/openapi.json", timeout=10).json()
    problem = {"$ref": "#/components/schemas/Problem"}

    documented = {
        f"{method.upper()} {path.removeprefix(API)}": {
            status: response for status, response in operation["responses"].items() if status.startswith("4")
        }
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }

    assert {route: set(refusals) for route, refusals in documented.items()} == REFUSALS
    assert all(
        response["content"]["application/json"]["schema"] == problem
        for refusals in documented.values()
        for response in refusals.values()
    )
    assert schema["components"]["schemas"]["Problem"]["properties"] == {
        "detail": {"title": "Detail", "type": "string"}
    }
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # FastAPI's, never sent


def test_a_blocks_capture_note_is_optional_and_bounded_and_always_answered(service: LocalService) -> None:
    schemas = requests.get(f"{service.url}{API}/openapi.json", timeout=10).json()["components"]["schemas"]
    sent, answered = schemas["BlockIn"], schemas["BlockOut"]

    assert "capture_note" not in sent["required"]  # an app that predates it sends none
    assert (
        sent["properties"]["capture_note"]["maxLength"],
        sent["properties"]["capture_note"]["default"],
    ) == (
        MAX_CAPTURE_NOTE_CHARS,
        "",
    )
    assert "capture_note" in answered["required"]


def test_a_blocks_activity_source_is_optional_and_always_answered_with_nullable_counts(
    service: LocalService,
) -> None:
    schemas = requests.get(f"{service.url}{API}/openapi.json", timeout=10).json()["components"]["schemas"]
    sent, answered = schemas["BlockIn"], schemas["BlockOut"]

    assert "activity_source" not in sent["required"]  # an app that predates it sends none
    assert sent["properties"]["activity_source"]["default"] == "input_counts"
    assert schemas["ActivitySource"]["enum"] == ["input_counts", "idle_time"]
    keyboard = sent["properties"]["activity"]["items"]["prefixItems"][1]
    assert {"type": "null"} in keyboard["anyOf"]
    assert "activity_source" in answered["required"]
    assert answered["properties"]["activity"]["items"]["items"]["anyOf"] == [
        {"type": "integer"},
        {"type": "null"},
    ]
