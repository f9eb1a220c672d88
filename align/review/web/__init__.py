"""`align serve`: the review editor in the browser (Starlette on uvicorn, pages from Jinja2
templates, one small script; everything inside the package, nothing to build).

Security (align.review.web.security): loopback only unless the user insists, a random token per
run, a Host check and a strict Content-Security-Policy.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from align.errors import UsageError

LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


@dataclass(frozen=True)
class Listener:
    """A bound socket, the address to print and the Host headers the server answers."""

    sock: socket.socket
    url: str
    hosts: tuple[str, ...]
    port: int


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen(host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False, token: str) -> Listener:
    """Bind `host`:`port` (0: a free port). A host other than loopback would show the corpus,
    and let it be changed, to anyone on the network who gets the token: refused unless
    `allow_remote`."""
    if not is_loopback(host) and not allow_remote:
        raise UsageError(
            f"--host {host} would serve the corpus beyond this computer; add --allow-remote if you mean it"
        )
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port number (0-65535; 0 picks a free one)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise UsageError(f"--host {host}: cannot resolve it ({e.strerror})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({e.strerror}); choose another --port") from None
    port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    names = {shown, "127.0.0.1", "localhost", "[::1]"} if is_loopback(host) else {shown}
    hosts = tuple(sorted(f"{n}:{port}" for n in names))
    return Listener(sock, f"http://{shown}:{port}/?token={token}", hosts, port)


def make_app(corpus: Path, *, token: str, hosts: tuple[str, ...], port: int):  # noqa: ANN201
    """The guarded ASGI app for `corpus` (what uvicorn serves; tests drive it directly)."""
    from align.review.web.app import create_app
    from align.review.web.security import Guard

    return Guard(create_app(corpus, token=token), token=token, hosts=hosts, port=port)


def serve(
    corpus: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    open_browser: bool = True,
    allow_remote: bool = False,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the editor until interrupted: the URL (with its token) is announced first."""
    import uvicorn

    from align.store import Corpus

    Corpus(corpus).close()  # a missing or bad corpus fails before anything listens
    token = secrets.token_urlsafe(24)
    listener = listen(host, port, allow_remote=allow_remote, token=token)
    app = make_app(corpus, token=token, hosts=listener.hosts, port=listener.port)
    announce(listener.url)
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, args=(listener.url,)).start()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[listener.sock])
