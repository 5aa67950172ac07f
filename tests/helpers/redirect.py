"""Two HTTP servers on 127.0.0.1: one answers every request with a redirect (307, which keeps the
method and the body) to the other, ``elsewhere``, which records what reaches it and answers 200 with
a sign-in's JSON, as a server collecting passwords and tokens would.

    with RedirectElsewhere() as redirect:
        ServiceClient(redirect.url, token).me()   # must not reach redirect.elsewhere
        assert redirect.received == []
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = json.dumps({"token": "collected", "expires_at": "2030-01-01T00:00:00+00:00", "user": {}}).encode()


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RedirectElsewhere:
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> RedirectElsewhere:
        self._elsewhere = _serve(self._record)
        self.elsewhere = _url(self._elsewhere)
        self._redirecting = _serve(self._redirect)
        self.url = _url(self._redirecting)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for server in (self._redirecting, self._elsewhere):
            server.shutdown()
            server.server_close()

    def _redirect(self, handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        handler.send_response(307)
        handler.send_header("Location", self.elsewhere + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _record(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        self.received.append(Received(handler.command, handler.path, dict(handler.headers), body))
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(ANSWER)))
        handler.end_headers()
        handler.wfile.write(ANSWER)


def _serve(answer: Callable[[BaseHTTPRequestHandler, bytes], None]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            answer(self, self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, *_arguments: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="redirect").start()
    return server


def _url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"
