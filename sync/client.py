"""The contract service's REST API (docs/sync.md), over kept-alive connections.

Every failure comes out as one of three errors, by what to do next: ``ServiceUnreachable`` (try
again later), ``Refused`` (this item is refused, with the service's reason) and ``SignedOut`` (sign
in again). TLS certificates are always verified, and no redirect is followed: it could carry the
password or the token to another server. The one exception is a download the service hands to its
object store (a presigned link, which carries its own short-lived permission): it is fetched without
the token. A client may be used from several threads at once.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit

import requests

from common.wire import API_PREFIX, bearer, field_of
from sync.errors import Refused, ServiceUnreachable, SignedOut

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_at: datetime
    user: dict


class ServiceClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: tuple[float, float] = (5, 30),  # seconds to connect, and between bytes of the answer
    ) -> None:
        self.base_url = base_url.rstrip("/").removesuffix(API_PREFIX)
        self.token = token
        self.timeout = timeout
        # A requests.Session is not thread-safe: each request borrows one that no other request uses.
        self._idle_sessions: queue.SimpleQueue[requests.Session] = queue.SimpleQueue()

    def sign_in(self, email: str, password: str, device_name: str) -> SignedIn:
        answer = self._call(
            "POST",
            "/auth/sign-in",
            json={"email": email, "password": password, "device_name": device_name},
            expect=dict,
            signed=False,
        )
        with self.reading("the sign-in"):
            return SignedIn(answer["token"], datetime.fromisoformat(answer["expires_at"]), answer["user"])

    def sign_out(self) -> None:
        self._call("POST", "/auth/sign-out")

    def me(self) -> dict:
        return self._call("GET", "/me", expect=dict)

    def contracts(self) -> list[dict]:
        return self._call("GET", "/contracts", expect=list)

    def blocks(self, contract_id: str, week: date) -> list[dict]:
        return self._call(
            "GET", f"/contracts/{contract_id}/blocks", params={"week": week.isoformat()}, expect=list
        )

    def put_blocks(self, blocks: list[dict]) -> list[dict | Refused]:
        """Upsert blocks (each with its id) in one request: per block, as stored or its refusal."""
        return self._put_each("/blocks", "blocks", blocks)

    def put_blobs(self, images: list[tuple[str, bytes, str]]) -> list[Refused | None]:
        """Upload images, each (sha256, bytes, content type), in one multipart/form-data request: per
        image, None once the service has it, or its refusal."""
        files = [(sha256, (sha256, data, content_type)) for sha256, data, content_type in images]
        answer = self._call("PUT", "/blobs", files=files, expect=dict)
        with self.reading("an image upload"):
            results = field_of(answer, "results", list)
            if [field_of(result, "sha256", str) for result in results] != [image[0] for image in images]:
                raise ValueError("its results are not those of the images sent")
            return [_refusal(result) for result in results]

    def put_screenshots(self, screenshots: list[dict]) -> list[dict | Refused]:
        """Attach screenshots (each with its block_id) in one request: per screenshot, its block as
        stored or the refusal."""
        return self._put_each("/screenshots", "screenshots", screenshots)

    # ----- the workroom (docs/sync.md)

    def details(self, contract_id: str) -> dict:
        return self._call("GET", f"/contracts/{contract_id}/details", expect=dict)

    def todos(self, contract_id: str) -> list[dict]:
        return self._call("GET", f"/contracts/{contract_id}/todos", expect=list)

    def messages(self, contract_id: str, limit: int, before: int | None = None) -> dict:
        """A page of the thread: the newest ``limit`` messages, or those just before ``before``."""
        params = {"limit": limit} | ({"before": before} if before is not None else {})
        return self._call("GET", f"/contracts/{contract_id}/messages", params=params, expect=dict)

    def recent_files(self, contract_id: str, limit: int) -> dict:
        """The thread's latest ``limit`` attachments, newest first."""
        return self._call("GET", f"/contracts/{contract_id}/files", params={"limit": limit}, expect=dict)

    def milestones(self, contract_id: str) -> list[dict]:
        return self._call("GET", f"/contracts/{contract_id}/milestones", expect=list)

    def milestone_requests(self, contract_id: str) -> list[dict]:
        return self._call("GET", f"/contracts/{contract_id}/milestone-requests", expect=list)

    def transactions(self, contract_id: str) -> list[dict]:
        """The ledger entries of the last 30 days (refused to an agency member)."""
        return self._call("GET", f"/contracts/{contract_id}/transactions", expect=list)

    def events(self, after: int | None) -> dict:
        """The events feed after the cursor ``after`` (None: none, only the cursor of now)."""
        params = {} if after is None else {"after": after}
        return self._call("GET", "/events", params=params, expect=dict)

    def put_message(self, contract_id: str, message_id: str, message: dict) -> dict:
        return self._call("PUT", f"/contracts/{contract_id}/messages/{message_id}", json=message, expect=dict)

    def put_todo(self, contract_id: str, todo_id: str, todo: dict) -> dict:
        return self._call("PUT", f"/contracts/{contract_id}/todos/{todo_id}", json=todo, expect=dict)

    def delete_todo(self, contract_id: str, todo_id: str) -> None:
        self._call("DELETE", f"/contracts/{contract_id}/todos/{todo_id}")

    def put_todo_order(self, contract_id: str, order: dict) -> list[dict]:
        return self._call("PUT", f"/contracts/{contract_id}/todos/order", json=order, expect=list)

    def submit_work(self, contract_id: str, milestone_id: str, submission: dict) -> dict:
        path = f"/contracts/{contract_id}/milestones/{milestone_id}/submit"
        return self._call("POST", path, json=submission, expect=dict)

    def put_feedback(self, contract_id: str, feedback: dict) -> dict:
        return self._call("PUT", f"/contracts/{contract_id}/feedback", json=feedback, expect=dict)

    def put_offer(self, contract_id: str, offer: dict) -> dict:
        """Offer (a freelancer: propose) a new contract made with the id ``contract_id``."""
        return self._call("PUT", f"/contracts/{contract_id}", json=offer, expect=dict)

    def give_refund(self, contract_id: str, refund_id: str, payment: dict) -> dict:
        return self._call("PUT", f"/contracts/{contract_id}/refunds/{refund_id}", json=payment, expect=dict)

    def put_milestone_request(self, contract_id: str, request_id: str, request: dict) -> dict:
        path = f"/contracts/{contract_id}/milestone-requests/{request_id}"
        return self._call("PUT", path, json=request, expect=dict)

    def end_contract(self, contract_id: str) -> dict:
        return self._call("POST", f"/contracts/{contract_id}/end", expect=dict)

    def transaction_report(self, query: dict) -> dict:
        """The transaction report: ``query`` holds from, until, contract and type (each optional)."""
        return self._call("GET", "/transactions/report", params=query, expect=dict)

    def transaction_report_csv(self, query: dict) -> bytes:
        return self._call("GET", "/transactions/report", params=query | {"format": "csv"}, expect=bytes)

    def invoice_pdf(self, contract_id: str, transaction_id: str) -> bytes:
        path = f"/contracts/{contract_id}/transactions/{transaction_id}/invoice.pdf"
        return self._call("GET", path, expect=bytes)

    def put_file(self, sha256: str, data: BinaryIO) -> None:
        """Upload a file to attach (the service checks its SHA-256; sending it again is harmless)."""
        self._call("PUT", f"/files/{sha256}", data=data)

    def attachment(self, contract_id: str, attachment_id: int) -> bytes:
        """A file of the thread's bytes."""
        return self._call("GET", f"/contracts/{contract_id}/attachments/{attachment_id}", expect=bytes)

    def search_messages(self, contract_id: str, words: str, limit: int) -> dict:
        """The thread's messages holding every word, best match first."""
        params = {"q": words, "limit": limit}
        return self._call("GET", f"/contracts/{contract_id}/messages/search", params=params, expect=dict)

    def put_meeting(self, contract_id: str, meeting_id: str, meeting: dict) -> dict:
        return self._call("PUT", f"/contracts/{contract_id}/meetings/{meeting_id}", json=meeting, expect=dict)

    def invitation(self, contract_id: str, meeting_id: str) -> bytes:
        """A meeting's iCalendar invitation."""
        return self._call("GET", f"/contracts/{contract_id}/meetings/{meeting_id}.ics", expect=bytes)

    def unread(self, contract_id: str) -> dict:
        """How many of the other party's messages the user has not read, and up to which one."""
        return self._call("GET", f"/contracts/{contract_id}/messages/unread", expect=dict)

    def mark_read(self, contract_id: str, mark: dict) -> dict:
        """The thread read up to ``mark["up_to"]``; the answer is as ``unread``'s."""
        return self._call("PUT", f"/contracts/{contract_id}/messages/read", json=mark, expect=dict)

    def accept_offer(self, contract_id: str, proposal: str) -> dict:
        return self._call(
            "POST", f"/contracts/{contract_id}/accept", json={"proposal": proposal}, expect=dict
        )

    def decline_offer(self, contract_id: str) -> dict:
        return self._call("POST", f"/contracts/{contract_id}/decline", expect=dict)

    # ----- internals

    def _put_each(self, path: str, name: str, items: list[dict]) -> list[dict | Refused]:
        answer = self._call("PUT", path, json={name: items}, expect=dict)
        with self.reading(f"PUT {path}"):
            results = field_of(answer, "results", list)
            if [field_of(result, "id", str) for result in results] != [item["id"] for item in items]:
                raise ValueError("its results are not those of the items sent")
            return [_result(result) for result in results]

    def _call(
        self,
        method: str,
        path: str,
        *,
        expect: type | None = None,
        signed: bool = True,
        headers=None,
        **kwargs,
    ) -> Any:
        """One request; the decoded JSON answer when ``expect`` names its type (bytes: the answer as
        it came)."""
        headers = dict(headers or {})
        if signed:
            if not self.token:
                raise SignedOut(
                    f"You are not signed in to the contract service at {self.base_url}: sign in first."
                )
            headers.update(bearer(self.token))
        try:
            with self._session() as session:
                response = session.request(
                    method,
                    self.base_url + API_PREFIX + path,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                    **kwargs,
                )
        except requests.RequestException as error:
            raise ServiceUnreachable(
                f"The contract service at {self.base_url} did not answer: {_reason(error)}"
            ) from error
        log.debug("%s %s → %s", method, path, response.status_code)
        status = response.status_code
        if response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if method == "GET" and expect is bytes:
                return self._download_unsigned(target)
            raise ServiceUnreachable(
                f"The contract service at {self.base_url} sent the request on to {target}; Workdiary "
                "follows no redirect, so that your password and sign-in never go elsewhere. If the "
                "service has moved there, sign in with its new address."
            )
        if status == 401 and signed:  # unsigned, as at sign-in, it refuses a wrong password instead
            raise SignedOut(
                f"The contract service at {self.base_url} no longer accepts this sign-in "
                f"({_detail(response)}): sign in again."
            )
        if status == 429 or status >= 500:
            raise ServiceUnreachable(
                f"The contract service at {self.base_url} could not take the request now "
                f"({status}: {_detail(response)})."
            )
        if status >= 400:
            raise Refused(status, _detail(response))
        if expect is None:
            return None
        if expect is bytes:  # a download: a CSV, a PDF
            return response.content
        with self.reading(f"{method} {path}"):
            answer = response.json()
            if not isinstance(answer, expect):
                raise TypeError(f"a {type(answer).__name__} where a {expect.__name__} belongs")
            return answer

    def _download_unsigned(self, url: str) -> bytes:
        """A download the service sent on to its object store, fetched without the token."""
        store = urlsplit(url).netloc
        try:
            response = requests.get(url, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as error:
            raise ServiceUnreachable(f"The file store at {store} did not answer: {_reason(error)}") from error
        if response.status_code != 200:  # 403 when the link expired: asking the service again gives a new one
            raise ServiceUnreachable(
                f"The file store at {store} could not give the file ({response.status_code})."
            )
        return response.content

    @contextmanager
    def _session(self) -> Iterator[requests.Session]:
        try:
            session = self._idle_sessions.get_nowait()
        except queue.Empty:
            session = requests.Session()
        try:
            yield session
        finally:
            self._idle_sessions.put(session)

    @contextmanager
    def reading(self, what: str) -> Iterator[None]:
        """Turns an answer the app cannot read (not JSON, a missing field…) into ServiceUnreachable:
        most likely a proxy's error page or a service being upgraded, so trying later is right."""
        try:
            yield
        except (ValueError, KeyError, TypeError) as error:
            raise ServiceUnreachable(
                f"The contract service at {self.base_url} answered {what} with something Workdiary "
                f"cannot read ({type(error).__name__}: {error})."
            ) from error


def _result(result: dict) -> dict | Refused:
    return _refusal(result) or field_of(result, "block", dict)


def _refusal(result: dict) -> Refused | None:
    status = field_of(result, "status", int)
    if status == 200:
        return None
    if 400 <= status < 500:
        return Refused(status, field_of(result, "detail", str))
    raise ValueError(f"an item answered {status}")


def _detail(response: requests.Response) -> str:
    """The service's own sentence for an error, or the HTTP reason when it sent none."""
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return response.reason or f"HTTP {response.status_code}"
    if isinstance(detail, list):  # a validation error: one entry per field
        return "; ".join(
            str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail
        )
    return str(detail)


def _reason(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "it took too long to answer"
    if isinstance(error, requests.exceptions.SSLError):
        return f"its TLS certificate could not be verified ({error})"
    if isinstance(error, requests.ConnectionError):
        return "no connection could be made, or it was cut"
    return str(error)
