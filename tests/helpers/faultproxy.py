"""A fault-injecting HTTP proxy on 127.0.0.1, in front of the contract service, for the sync tests.

One request per connection (it asks both sides to close after each), so that every fault hits
exactly one request. Faults, switched with ``set_fault``, hit the requests whose path starts with
``path`` (``every``: only each n-th of them, to interleave faults with requests that go through):

    down        connections are refused (nothing listens on the port)
    error       a 503 answer; the service never sees the request
    slow        the request reaches the service, its answer is held back until the fault is
                switched off (or ``slow_seconds`` pass): beyond a short client timeout
    cut_upload  the connection is cut after part of the request body; the service never sees it
    cut_answer  the service applies the request, the connection is cut before the answer
    duplicate   the request is delivered twice; the client gets the second answer
    junk        a 200 answer that is not JSON; the service never sees the request
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

FAULTS = ("down", "error", "slow", "cut_upload", "cut_answer", "duplicate", "junk")


class FaultProxy:
    def __init__(self, upstream_url: str, slow_seconds: float = 30.0) -> None:
        upstream = urlsplit(upstream_url)
        self.upstream = (upstream.hostname, upstream.port)
        self.slow_seconds = slow_seconds
        self.requests = 0  # requests read from clients
        self.forwarded = 0  # deliveries to the service
        self.faulted = 0  # requests a fault hit
        self._fault: str | None = None
        self._every = 1
        self._path = b"/"
        self._matching = 0
        self._lock = threading.Condition()  # notified whenever a counter moves
        self._release = threading.Event()  # lets held answers go
        self._closed = False
        self._listener: socket.socket | None = None
        self.port = self._listen(0)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def set_fault(self, fault: str | None, every: int = 1, path: str = "/") -> None:
        assert fault is None or fault in FAULTS, fault
        with self._lock:
            was_down = self._fault == "down"
            self._fault, self._every, self._path, self._matching = fault, every, path.encode(), 0
            if fault == "slow":
                self._release.clear()
            else:
                self._release.set()
        if fault == "down" and not was_down:
            self._stop_listening()
        elif was_down and fault != "down":
            self._listen(self.port)

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait for ``condition`` (re-checked as the counters move, and at least every 50 ms), for at
        most ``timeout`` seconds; whether it came true."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, 0.05))
        return True

    def close(self) -> None:
        self._closed = True
        self._release.set()
        self._stop_listening()

    # ----- internals

    def _listen(self, port: int) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True, name="faultproxy").start()
        return listener.getsockname()[1]

    def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone may not on Linux
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _next_fault(self, head: bytes) -> str | None:
        path = head.split(b" ", 2)[1]
        with self._lock:
            self.requests += 1
            self._lock.notify_all()
            if self._fault is None or not path.startswith(self._path):
                return None
            self._matching += 1
            if self._matching % self._every:
                return None
            self.faulted += 1
            return self._fault

    def _serve(self, client: socket.socket) -> None:
        with client:
            try:
                head, length, body = _read_head(client)
                fault = self._next_fault(head)
                # cut mid-upload: half the body read, the rest left unread (closing then resets)
                body += _read_exactly(client, (length if fault != "cut_upload" else length // 2) - len(body))
                if fault == "cut_upload":
                    return
                if fault == "error":
                    client.sendall(_answer(503, b'{"detail": "The service is down for maintenance."}'))
                elif fault == "junk":
                    client.sendall(_answer(200, b"<html>Welcome to the hotel network</html>", "text/html"))
                else:
                    answer = self._forward(head, body)
                    if fault == "duplicate":
                        answer = self._forward(head, body)
                    if fault == "cut_answer":
                        return
                    if fault == "slow":
                        self._release.wait(self.slow_seconds)
                    client.sendall(answer)
            except (OSError, ValueError):
                return

    def _forward(self, head: bytes, body: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=60) as upstream:
            upstream.sendall(head + body)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
        with self._lock:
            self.forwarded += 1
            self._lock.notify_all()
        return b"".join(chunks)


def _read_head(client: socket.socket) -> tuple[bytes, int, bytes]:
    """The request's head (rewritten to close the connection after it), its Content-Length, and
    the part of the body that came with the head."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _read_some(client)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name = line.partition(b":")[0].strip().lower()
        if name == b"content-length":
            length = int(line.partition(b":")[2])
        if name != b"connection":
            kept.append(line)
    kept.append(b"Connection: close")
    return b"\r\n".join(kept) + b"\r\n\r\n", length, body


def _read_exactly(client: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        data += _read_some(client, count - len(data))
    return data


def _read_some(client: socket.socket, most: int = 65536) -> bytes:
    chunk = client.recv(most)
    if not chunk:
        raise ValueError("the client closed the connection")
    return chunk


def _answer(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    reason = {200: "OK", 503: "Service Unavailable"}[status]
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body
