"""The guard in front of every request of `align serve`: the per-run token, the Host check
and the security headers.

The server holds a corpus a reviewer may not want others to read or change, on a port any
local process or web page could reach. So: the first page is opened with `?token=…` (printed
by `align serve`), which becomes a cookie (HttpOnly, SameSite=Strict, named for the port, as
cookies ignore ports); every later request needs that cookie, and every write also the token
in a header, which a cross-site form cannot set. A Host header other than the server's own
is refused, so a DNS-rebinding page cannot talk to it. Every response forbids inline script,
framing and outside resources (Content-Security-Policy).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_HEADER = "x-align-token"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)
SAFE_METHODS = frozenset({"GET", "HEAD"})


def cookie_name(port: int) -> str:
    """The token cookie of the server on `port` (two servers on one host keep apart)."""
    return f"align_token_{port}"


class Guard:
    """ASGI middleware: token (query on the first load, then cookie; header for writes), Host
    check, security headers on every response."""

    def __init__(self, app: ASGIApp, *, token: str, hosts: Iterable[str], port: int) -> None:
        self.app, self.token, self.port = app, token, port
        self.hosts = frozenset(h.lower() for h in hosts)
        self.cookie = cookie_name(port)

    def _ok(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("host", "").lower() not in self.hosts:
            await _plain(send, 400, "wrong Host header: open the address align serve printed")
            return
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is just no cookie
            jar = SimpleCookie()
        cookie = jar[self.cookie].value if self.cookie in jar else None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("token", [None])[0]
        if given is not None and scope["method"] in SAFE_METHODS:
            if not self._ok(given):
                await _plain(send, 403, "wrong token: open the address align serve printed")
                return
            await _redirect(send, scope, self.cookie, self.token)
            return
        if not self._ok(cookie):
            await _plain(send, 403, "this page needs the address with its token that align serve printed")
            return
        if scope["method"] not in SAFE_METHODS and not self._ok(headers.get(TOKEN_HEADER)):
            await _plain(send, 403, "a write needs the token header; reload the page")
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, scope: Scope, name: str, token: str) -> None:
    """Set the cookie and send the browser on without the token in its address bar."""
    raw = scope.get("raw_path") or scope["path"].encode()
    path = raw.decode("latin-1") if raw not in (b"", b"/") else "/queue"
    cookie = f"{name}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send({"type": "http.response.start", "status": 303, "headers": [
        (b"location", path.encode()), (b"set-cookie", cookie.encode()), *HEADERS,
    ]})  # fmt: skip
    await send({"type": "http.response.body", "body": b""})
