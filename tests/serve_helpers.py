"""Running `align serve` for real (a subprocess on a free port) in tests and the screenshot script."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path(os.environ.get("ALIGN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@contextmanager
def served(corpus: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start `align serve CORPUS --no-open`; yields (the URL it printed first, the process)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from align.cli import main; main()", "serve", str(corpus), "--no-open", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"align serve printed {url!r} first; stderr: {proc.stderr.read() if proc.stderr else ''}")
        _wait_listening(url)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_listening(url: str, timeout: float = 20.0) -> None:
    """The socket is bound before the URL is printed; wait until uvicorn answers on it."""
    import http.client

    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            con.request("GET", "/static/app.css")
            con.getresponse().read()
            con.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def base(url: str) -> str:
    """http://host:port of a served URL."""
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}"
