"""The headers every answer of the service carries: pages run no inline script and load nothing
from elsewhere, no page can be framed, no answer is sniffed into another type. The API's own
browsable documentation (FastAPI's Swagger UI, an inline script and a CDN's files) is the one page
without the Content-Security-Policy."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
CSP = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Pure ASGI (a BaseHTTPMiddleware would buffer every streamed download)."""

    def __init__(self, app: ASGIApp, without_csp: str) -> None:
        self.app = app
        self.without_csp = without_csp  # a path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = HEADERS if scope["path"] == self.without_csp else [CSP, *HEADERS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((name, value) for name, value in headers if name not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
