"""The review editor's pages and its one write endpoint, as a Starlette app over one open corpus.

Pages are rendered on the server (Jinja2, autoescaped: corpus text is always text, never
HTML) a page at a time; the browser script only moves a selection and posts operations.
Every operation goes through align.store.edits, the same code `align review` uses, and is
committed before the answer is sent, so the file holds each change at once.

Handlers are `async` and call the store directly: they run one at a time on the event loop,
so the single SQLite connection is never used by two threads (an operation takes a few
milliseconds; a re-align, which encodes sentences, holds the others until it is done).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from align.errors import AlignError, StaleError, UsageError
from align.model import BEAD_STATUSES, REVIEW_THRESHOLD
from align.store import Corpus, browse, edits

HERE = Path(__file__).parent
QUEUE_PAGE = 50
DOC_PAGE = 100
KEYS: tuple[tuple[str, str], ...] = (
    ("j / ↓", "next bead"), ("k / ↑", "previous bead"), ("y", "confirm"), ("n", "reject"),
    ("c", "clear the review (back to auto, edit dropped)"), ("e", "edit the text"),
    ("m / M", "merge with the next / previous bead"), ("s", "split (choose where)"),
    ("] / [", "move the last / first Japanese sentence to the next / previous bead"),
    ("} / {", "move the last / first English sentence to the next / previous bead"),
    ("a / A", "attach a null bead to the previous / next bead"), ("x", "detach a sentence as a null bead"),
    ("u / Ctrl+Z", "undo"), ("r / Ctrl+Y", "redo"), ("g", "next bead in the queue"),
    ("Enter", "open the bead in its document"), ("R", "re-align the stretch around the bead"),
    ("/", "search"), ("q", "queue"), ("o", "overview"), ("?", "these keys"),
)  # fmt: skip
"""The keyboard, shown by `?` on every page; the script (static/app.js) binds the same keys."""


def _url(path: str, **params: Any) -> str:
    """A local URL with its query, leaving out empty values (lists become repeated keys)."""
    q = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list | tuple) else [vs]) if v not in (None, "")]
    return path + ("?" + urlencode(q) if q else "")


def _bin(conf: float) -> int:
    return min(max(int(conf * browse.BINS), 0), browse.BINS - 1)


def create_app(corpus_path: Path, *, token: str) -> Starlette:
    """The editor for the corpus at `corpus_path` (opened now, closed when the app stops).
    `token` goes into each page for the script's writes; the Guard middleware checks it."""
    corpus = Corpus(corpus_path)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.globals.update(url=_url, token=token, keys=KEYS, statuses=BEAD_STATUSES, bin=_bin,
                       corpus_name=Path(corpus_path).name, threshold=REVIEW_THRESHOLD)  # fmt: skip

    def page(name: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context))

    async def home(request: Request) -> Response:
        return RedirectResponse("/queue", status_code=303)

    async def queue_page(request: Request) -> Response:
        q = request.query_params
        docs, types = q.getlist("doc"), q.getlist("type")
        statuses = q.getlist("status") or (["auto"] if "filtered" not in q else [])
        result = browse.queue(corpus, doc_ids=docs, types=types, statuses=statuses, after=q.get("after"), limit=QUEUE_PAGE)
        all_docs = corpus.doc_ids()
        return page(
            "queue.html", title="Queue", page=result, docs=docs, types=types, chosen=statuses,
            all_docs=all_docs if len(all_docs) <= 2000 else docs,
            next_url=_url("/queue", doc=docs, type=types, status=statuses, filtered=1, after=result.next_key)
            if result.next_key else None,
            first_url=_url("/queue", doc=docs, type=types, status=statuses, filtered=1) if q.get("after") else None,
        )  # fmt: skip

    async def doc_page(request: Request) -> Response:
        q = request.query_params
        doc_id = q.get("id", "")
        sel = _int(q.get("sel"), 0)
        start = _int(q.get("start"), max(sel - 10, 0))
        beads, total = browse.window(corpus, doc_id, start, DOC_PAGE)
        info = corpus.document(doc_id)
        return page(
            "document.html", title=doc_id, doc=info, beads=beads, total=total, start=start, sel=sel, realign=True,
            prev_url=_url("/doc", id=doc_id, start=max(start - DOC_PAGE, 0), sel=max(start - DOC_PAGE, 0)) if start > 0 else None,
            next_url=_url("/doc", id=doc_id, start=start + DOC_PAGE, sel=start + DOC_PAGE) if start + DOC_PAGE < total else None,
        )  # fmt: skip

    async def next_in_doc(request: Request) -> Response:
        """The next bead of the document that the queue would show (auto, below the threshold)."""
        q = request.query_params
        doc_id, after = q.get("id", ""), _int(q.get("after"), -1)
        doc = corpus._doc_key(doc_id)
        pos = edits.position(corpus._con, doc, after) if after >= 0 else -1
        row = corpus._con.execute(
            "SELECT idx FROM beads WHERE doc = ? AND idx > ? AND status = 'auto' AND confidence < ? ORDER BY idx LIMIT 1",
            (doc, pos if pos is not None else -1, REVIEW_THRESHOLD),
        ).fetchone()
        k = edits.number(corpus._con, doc, row[0]) if row else max(after, 0)
        return RedirectResponse(_url("/doc", id=doc_id, sel=k), status_code=303)

    async def overview_page(request: Request) -> Response:
        docs = browse.overview(corpus)
        pooled = [sum(d.histogram[b] for d in docs) for b in range(browse.BINS)]
        totals = {s: sum(d.statuses[s] for d in docs) for s in BEAD_STATUSES}
        return page("overview.html", title="Overview", docs=docs, pooled=pooled, totals=totals,
                    n_beads=sum(d.n_beads for d in docs))  # fmt: skip

    async def search_page(request: Request) -> Response:
        q = request.query_params
        text, doc_id = q.get("q", ""), q.get("doc") or None
        hits = browse.search(corpus, text, doc_id=doc_id) if text else []
        return page("search.html", title="Search", q=text, doc_id=doc_id, hits=hits)

    async def operate(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise ValueError
            result = _run(corpus, body)
        except (ValueError, KeyError, TypeError) as e:
            return JSONResponse({"error": f"bad request: {e}"}, status_code=400)
        except StaleError as e:
            return JSONResponse({"error": _short(e, corpus_path)}, status_code=409)
        except AlignError as e:
            return JSONResponse({"error": _short(e, corpus_path)}, status_code=400 if isinstance(e, UsageError) else 409)
        return JSONResponse(result)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        corpus.close()

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, AlignError):
            return HTMLResponse(env.get_template("error.html").render(title="Error", message=_short(exc, corpus_path)),
                                status_code=404)  # fmt: skip
        raise exc

    app = Starlette(
        routes=[
            Route("/", home), Route("/queue", queue_page), Route("/doc", doc_page), Route("/next", next_in_doc),
            Route("/overview", overview_page), Route("/search", search_page),
            Route("/api/op", operate, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        lifespan=lifespan,
        exception_handlers={AlignError: on_error},
    )  # fmt: skip
    app.state.corpus = corpus
    return app


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _short(e: Exception, path: Path) -> str:
    """The error without the corpus path in front (the page is about that corpus anyway)."""
    return str(e).removeprefix(f"{path}: ")


def _op_table() -> dict[str, Callable[..., Any]]:
    def status(s: str) -> Callable[..., Any]:
        return lambda c, d, k, rev, a: edits.set_statuses(c, d, [k], s, expected_revision=rev)

    return {
        "confirm": status("confirmed"), "reject": status("rejected"), "clear": status("auto"),
        "edit": lambda c, d, k, rev, a: edits.edit_text(c, d, k, src=a.get("src"), tgt=a.get("tgt"), expected_revision=rev),
        "merge": lambda c, d, k, rev, a: edits.merge(c, d, k, with_=_choice(a, "with", ("next", "prev")), expected_revision=rev),
        "split": lambda c, d, k, rev, a: edits.split(c, d, k, src_at=int(a["src_at"]), tgt_at=int(a["tgt_at"]), expected_revision=rev),
        "shift": lambda c, d, k, rev, a: edits.shift(
            c, d, k, side=_choice(a, "side", ("src", "tgt")), to=_choice(a, "to", ("next", "prev")), expected_revision=rev),
        "attach": lambda c, d, k, rev, a: edits.attach(c, d, k, to=_choice(a, "to", ("prev", "next")), expected_revision=rev),
        "detach": lambda c, d, k, rev, a: edits.detach(
            c, d, k, side=_choice(a, "side", ("src", "tgt")), end=_choice(a, "end", ("first", "last")), expected_revision=rev),
        "undo": lambda c, d, k, rev, a: edits.undo(c, d, expected_revision=rev),
        "redo": lambda c, d, k, rev, a: edits.redo(c, d, expected_revision=rev),
        "realign": lambda c, d, k, rev, a: _realign(c, d, k, rev),
    }  # fmt: skip


OPS = _op_table()


def _choice(args: dict, key: str, allowed: tuple[str, ...]) -> Any:
    value = args.get(key, allowed[0])
    if value not in allowed:
        raise UsageError(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _realign(corpus: Corpus, doc_id: str, k: int, revision: int | None) -> Any:
    from align.review.realign import realign

    return realign(corpus, doc_id, start=k, stop=k, expected_revision=revision)


def _run(corpus: Corpus, body: dict) -> dict:
    """Carry out one operation: {op, doc, bead, revision, ...its arguments}."""
    op, doc_id = body["op"], body["doc"]
    if op not in OPS:
        raise UsageError(f"unknown operation {op!r}; one of {', '.join(OPS)}")
    if not isinstance(doc_id, str):
        raise TypeError("doc must be a string")
    k = int(body.get("bead", 0))
    rev = body.get("revision")
    result = OPS[op](corpus, doc_id, k, int(rev) if rev is not None else None, body)
    revision = corpus.document(doc_id).revision
    if result is None:
        return {"ok": False, "message": f"nothing to {op}", "revision": revision, "bead": k}
    bead = getattr(result, "bead", k)
    message = {"undo": f"undid the {getattr(result, 'action', '')} at bead {bead}",
               "redo": f"redid the {getattr(result, 'action', '')} at bead {bead}"}.get(op, f"{op}: bead {bead}")  # fmt: skip
    if op in ("confirm", "reject", "clear") and result == 0:
        message = f"bead {k} already had that status"
    if op == "realign":
        message = result.message
    return {"ok": True, "message": message, "revision": revision, "bead": bead}
