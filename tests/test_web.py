"""The review editor's server (align serve) through the ASGI test client: the guard (token,
Host, headers), the pages, and every operation with undo/redo and stale revisions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("httpx", reason="the ASGI test client needs httpx (pip install -e '.[test]')")
from starlette.testclient import TestClient  # noqa: E402

from align.cli import app as cli  # noqa: E402
from align.review.web import listen, make_app  # noqa: E402
from align.review.web.security import cookie_name  # noqa: E402
from align.store import Corpus  # noqa: E402
from corpus_helpers import alignment_from_lines  # noqa: E402

TOKEN = "t0ken"
PORT = 4321
JA = [f"文{i}。" for i in range(12)]
EN = [f"Sentence {i}." for i in range(12)]
EN[2] = "<script>alert('x')</script> & more"
BEADS = [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)), ((4,), ()), ((5,), (3,)), ((), (4,)),
         ((6,), (5, 6)), ((7,), (7,)), ((8,), (8,)), ((9, 10, 11), (9, 10, 11))]  # fmt: skip
CONF = [0.95, 0.30, 0.55, 0.10, 0.92, 0.12, 0.40, 0.99, 0.97, 0.60]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "c.db"
    with Corpus(p, create=True) as c:
        c.add_alignment(alignment_from_lines(JA, EN, BEADS, conf=lambda k: CONF[k]), doc_id="d")
        c.add_alignment(alignment_from_lines(JA[:3], EN[:3], BEADS[:2], conf=lambda k: 0.2 + k / 10), doc_id="e/2")
    return p


@pytest.fixture
def client(path: Path):
    with TestClient(make_app(path, token=TOKEN, hosts=("testserver",), port=PORT)) as c:
        c.cookies.set(cookie_name(PORT), TOKEN)
        yield c


def post(client: TestClient, **body):  # noqa: ANN201
    return client.post("/api/op", json=body, headers={"X-Align-Token": TOKEN})


def shape(path: Path, doc: str = "d") -> list[tuple]:
    with Corpus(path) as c:
        return [(b.src_ids, b.tgt_ids, b.status) for b in c.beads(doc)]


def rev(path: Path, doc: str = "d") -> int:
    with Corpus(path) as c:
        return c.document(doc).revision


# -- the guard ------------------------------------------------------------------------------------------


def test_the_token_is_needed_and_becomes_a_cookie(path: Path) -> None:
    with TestClient(make_app(path, token=TOKEN, hosts=("testserver",), port=PORT), follow_redirects=False) as c:
        for url in ("/", "/queue", "/overview", "/static/app.js", "/doc?id=d"):
            r = c.get(url)
            assert r.status_code == 403 and "token" in r.text
        assert c.get("/?token=wrong").status_code == 403
        r = c.get(f"/?token={TOKEN}")
        assert r.status_code == 303 and r.headers["location"] == "/queue"
        cookie = r.headers["set-cookie"]
        assert f"{cookie_name(PORT)}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert c.get("/queue").status_code == 200  # the cookie is enough to read
        r = c.post("/api/op", json={"op": "confirm", "doc": "d", "bead": 1})
        assert r.status_code == 403 and "token header" in r.text  # a write needs the header too
        assert shape(path)[1][2] == "auto"


def test_a_foreign_host_header_is_refused(client: TestClient) -> None:
    r = client.get("/queue", headers={"Host": "attacker.example:4321"})
    assert r.status_code == 400 and "Host" in r.text
    r = client.post("/api/op", json={"op": "confirm", "doc": "d", "bead": 1},
                    headers={"Host": "127.0.0.1.evil:4321", "X-Align-Token": TOKEN})  # fmt: skip
    assert r.status_code == 400


def test_every_response_carries_a_strict_policy(client: TestClient) -> None:
    for url in ("/queue", "/overview", "/static/app.css", "/doc?id=d"):
        h = client.get(url).headers
        assert "script-src 'self'" in h["content-security-policy"] and "default-src 'none'" in h["content-security-policy"]
        assert "unsafe-inline" not in h["content-security-policy"]
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"


def test_corpus_text_is_shown_as_text(client: TestClient) -> None:
    for url in ("/doc?id=d", "/queue", "/search?q=alert"):
        html = client.get(url).text
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in html
        assert not re.search(r"<script(?! src=\"/static/app.js\")", html)  # the only script is ours


def test_listen_refuses_a_remote_host_unless_allowed() -> None:
    from align.errors import UsageError

    with pytest.raises(UsageError, match="--allow-remote"):
        listen("0.0.0.0", 0, token="x")
    local = listen("127.0.0.1", 0, token="x")
    try:
        assert local.url == f"http://127.0.0.1:{local.port}/?token=x" and local.port > 0
        assert f"localhost:{local.port}" in local.hosts and "localhost" not in local.hosts
        with pytest.raises(UsageError, match="choose another --port"):
            listen("127.0.0.1", local.port, token="x")
    finally:
        local.sock.close()


def test_serve_cli_errors_are_one_line(tmp_path: Path, path: Path) -> None:
    r = CliRunner().invoke(cli, ["serve", str(tmp_path / "none.db"), "--no-open"])
    assert r.exit_code == 4 and r.stderr.startswith("error: ") and "no such corpus" in r.stderr
    r = CliRunner().invoke(cli, ["serve", str(path), "--no-open", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "--allow-remote" in r.stderr and len(r.stderr.strip().splitlines()) == 1


# -- pages ------------------------------------------------------------------------------------------------


def queue_beads(html: str) -> list[tuple[str, int]]:
    return [(d, int(k)) for d, k in re.findall(r'class="bead main[^"]*"\s+data-doc="([^"]+)" data-idx="(\d+)"', html)]


def test_the_queue_is_lowest_confidence_first_with_neighbours(client: TestClient) -> None:
    html = client.get("/queue").text
    got = queue_beads(html)
    every = sorted([(c, "d", k) for k, c in enumerate(CONF)] + [(0.2, "e/2", 0), (0.3, "e/2", 1)])
    assert got == [(d, k) for _, d, k in every]
    assert "12 beads in the queue" in html
    item = html.split('<tbody class="item">')[2]  # the second item: bead 5 of d, with beads 4 and 6 around it
    assert 'class="bead ctx' in item and "文5。" in item and "Sentence 4." in item and "文6。" in item


def test_queue_filters_and_pages(client: TestClient, path: Path) -> None:
    assert queue_beads(client.get("/queue?doc=e/2").text) == [("e/2", 0), ("e/2", 1)]
    assert queue_beads(client.get("/queue?type=1-0&type=0-1").text) == [("d", 3), ("d", 5)]
    post(client, op="confirm", doc="d", bead=3)
    assert ("d", 3) not in queue_beads(client.get("/queue").text)
    html = client.get("/queue?filtered=1&status=confirmed").text
    assert queue_beads(html) == [("d", 3)] and "1 beads in the queue" in html
    from align.review.web import app as web

    old, web.QUEUE_PAGE = web.QUEUE_PAGE, 4
    try:
        seen, url = [], "/queue"
        while url:
            html = client.get(url).text
            seen += queue_beads(html)
            m = re.search(r'href="([^"]+)" id="next-page"', html)
            url = m.group(1).replace("&amp;", "&") if m else None
        assert len(seen) == 11 == len(set(seen))
        assert seen == sorted(seen, key=lambda dk: (CONF[dk[1]] if dk[0] == "d" else 0.2 + dk[1] / 10))
    finally:
        web.QUEUE_PAGE = old


def test_document_view_and_overview(client: TestClient) -> None:
    html = client.get("/doc?id=d").text
    assert [k for _, k in queue_beads(html)] == list(range(10))
    row9 = html.split('data-idx="9"')[1].split("</tr>")[0]
    assert row9.count('class="sent') == 6  # a 3-3 bead shows its six sentences
    classes = re.findall(r'<tr class="bead main (conf-\d) (st-\w+)"', html)
    assert classes == [(f"conf-{min(int(c * 10), 9)}", "st-auto") for c in CONF]  # coloured by confidence
    assert client.get("/doc?id=nope").status_code == 404
    html = client.get("/overview").text
    assert "2 documents" in html and "12 beads" in html and html.count('<svg class="hist"') == 3
    assert client.get("/search?q=Sentence%2010").text.count('class="bead main') == 1


# -- operations -----------------------------------------------------------------------------------------------


def test_every_operation_reaches_the_corpus_and_undoes(client: TestClient, path: Path) -> None:
    start = shape(path)
    steps = [
        ({"op": "confirm", "bead": 0}, lambda s: s[0][2] == "confirmed"),
        ({"op": "reject", "bead": 2}, lambda s: s[2][2] == "rejected"),
        ({"op": "clear", "bead": 2}, lambda s: s[2][2] == "auto"),
        ({"op": "edit", "bead": 4, "tgt": "Fixed."}, lambda s: s[4][2] == "edited"),
        ({"op": "merge", "bead": 7, "with": "next"}, lambda s: s[7][:2] == ((7, 8), (7, 8))),
        ({"op": "split", "bead": 7, "src_at": 1, "tgt_at": 1}, lambda s: s[7][:2] == ((7,), (7,))),
        ({"op": "shift", "bead": 1, "side": "src", "to": "next"}, lambda s: s[1][:2] == ((1,), (1,))),
        ({"op": "attach", "bead": 3, "to": "prev"}, lambda s: s[2][:2] == ((2, 3, 4), (2,))),
        ({"op": "detach", "bead": 2, "side": "src", "end": "last"}, lambda s: s[3][:2] == ((4,), ())),
        ({"op": "merge", "bead": 1, "with": "prev"}, lambda s: s[0][:2] == ((0, 1), (0, 1))),
    ]
    states = [start]
    for body, check in steps:
        r = post(client, doc="d", revision=rev(path), **body)
        assert r.status_code == 200 and r.json()["ok"], (body, r.text)
        assert check(shape(path)), body
        assert r.json()["revision"] == rev(path)
        states.append(shape(path))
    for want in reversed(states[:-1]):
        r = post(client, op="undo", doc="d", revision=rev(path))
        assert r.json()["ok"] and "undid" in r.json()["message"]
        assert shape(path) == want
    assert post(client, op="undo", doc="d").json() == {"ok": False, "message": "nothing to undo", "revision": rev(path), "bead": 0}
    for want in states[1:]:
        assert post(client, op="redo", doc="d", revision=rev(path)).json()["ok"]
        assert shape(path) == want


def test_a_stale_revision_is_refused_with_a_clear_message(client: TestClient, path: Path) -> None:
    assert post(client, op="merge", doc="d", bead=0, revision=1).status_code == 200  # revision 1 → 2
    before = shape(path)
    r = post(client, op="confirm", doc="d", bead=3, revision=1)  # a tab still showing revision 1
    assert r.status_code == 409
    assert "re-aligned since the review started" in r.json()["error"] and "reload the page" in r.json()["error"]
    assert str(path) not in r.json()["error"]
    assert shape(path) == before


def test_bad_requests_are_answered_not_crashed(client: TestClient, path: Path) -> None:
    before = shape(path)
    for body, status, needle in (
        ({"op": "fly", "doc": "d"}, 400, "unknown operation"),
        ({"op": "merge", "doc": "d", "bead": 9, "with": "next"}, 400, "it has no next bead"),
        ({"op": "merge", "doc": "d", "bead": 1, "with": "sideways"}, 400, "with must be one of"),
        ({"op": "split", "doc": "d", "bead": 0}, 400, "bad request"),
        ({"op": "confirm", "doc": "zz", "bead": 0}, 409, "no document 'zz'"),
        ({"op": "confirm", "doc": "d", "bead": 99}, 409, "has no bead 99"),
        ({"op": "attach", "doc": "d", "bead": 0, "to": "next"}, 400, "not a null bead"),
    ):
        r = post(client, **body)
        assert r.status_code == status and needle in r.json()["error"], (body, r.text)
    r = client.post("/api/op", content=b"not json", headers={"X-Align-Token": TOKEN})
    assert r.status_code == 400
    assert shape(path) == before


def test_kill_9_of_the_server_mid_edit_loses_no_answered_edit(tmp_path: Path) -> None:
    """Every operation the server answered is in the file after kill -9, and the file is whole."""
    import signal
    import sqlite3
    import threading
    import time

    import httpx

    from serve_helpers import base, served

    path = tmp_path / "k.db"
    n = 400
    ja, en = [f"文{i}。" for i in range(n)], [f"Sentence {i}." for i in range(n)]
    with Corpus(path, create=True) as c:
        c.add_alignment(alignment_from_lines(ja, en, [((i,), (i,)) for i in range(n)]), doc_id="big")
    answered: list[int] = []
    with served(path) as (url, proc):
        client = httpx.Client(base_url=base(url))
        client.get(url)  # takes the cookie
        token = url.split("token=")[1]

        def work() -> None:
            for k in range(n):
                try:
                    r = client.post("/api/op", json={"op": "confirm", "doc": "big", "bead": k},
                                    headers={"X-Align-Token": token})  # fmt: skip
                except httpx.HTTPError:
                    return
                if r.status_code == 200:
                    answered.append(k)

        t = threading.Thread(target=work)
        t.start()
        while len(answered) < 40:
            assert t.is_alive()
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        t.join()
    assert 40 <= len(answered) < n
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Corpus(path) as c:
        confirmed = {b.bead_index for b in c.beads("big") if b.status == "confirmed"}
        assert set(answered) <= confirmed and len(confirmed) <= len(answered) + 1  # at most one unanswered commit
        assert c.summaries()[0].statuses["confirmed"] == len(confirmed)
