"""`align review C DOC`: go through the beads that need a look, one key (and Enter) each.

Reads answers as lines from stdin, so it works in a terminal and with piped input alike.
Every answer is committed at once; quitting, Ctrl-C, end of input or a crash lose nothing,
and the next `align review` starts with what is still unreviewed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from align.cli._common import cli_errors, echo, examples
from align.errors import visible
from align.review import DEFAULT_BELOW

if TYPE_CHECKING:
    from rich.console import Console

    from align.review import ReviewSession
    from align.store import StoredBead

KEYS = {"y": "confirm", "n": "reject", "e": "edit", "s": "skip", "u": "undo", "b": "back", "q": "quit"}
WORDS = {"yes": "confirm", "no": "reject", **{v: v for v in KEYS.values()}}
HELP_LINE = "  ".join(f"[{k}] {action}" for k, action in KEYS.items())
"""The key help shown in every prompt, made from KEYS so it cannot drift from them."""


def _read_line(prompt: str) -> str | None:
    """Print the prompt and read one line (None at end of input). Piped answers are echoed so
    a transcript reads like a terminal session."""
    echo(prompt, nl=False)
    line = sys.stdin.readline()
    if not line:
        echo()
        return None
    line = line.rstrip("\r\n")
    if not sys.stdin.isatty():
        echo(line)
    return line


def _read_text(prompt: str, old: str) -> str | None:
    """Read a bead's new text. In a terminal the old text is pre-filled for editing (readline),
    so a typo is fixed without retyping the sentence; piped input reads a plain line."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return _read_line(prompt)
    try:
        import readline
    except ImportError:  # no GNU readline (Windows): a plain line, as when piped
        return _read_line(prompt)
    readline.set_startup_hook(lambda: readline.insert_text(old))
    try:
        return input(prompt)
    except EOFError:
        echo()
        return None
    finally:
        readline.set_startup_hook(None)


def _key(line: str) -> str | None:
    """The action of an answer: one of KEYS' letters or its whole word, any case."""
    word = line.strip().lower()
    return KEYS.get(word) or WORDS.get(word)


def _render(console: Console, session: ReviewSession) -> None:
    from rich.table import Table

    before, bead, after = session.context()
    i, n = session.progress()
    table = Table(
        title=visible(f"{i}/{n}  {session.doc_id} bead {bead.bead_index}  {bead.type}  conf {bead.confidence:.2f}  {bead.status}"),
        title_justify="left", show_lines=True, expand=True,
    )  # fmt: skip
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("source", ratio=1, overflow="fold")
    table.add_column("target", ratio=1, overflow="fold")
    table.add_column("", no_wrap=True)

    def row(b: StoredBead | None, style: str) -> None:
        if b is not None:
            meta = f"{b.type} {b.confidence:.2f}" + ("" if b.status == "auto" else f" {b.status}")
            table.add_row(str(b.bead_index), visible(b.src) or "(none)", visible(b.tgt) or "(none)", meta, style=style)

    row(before, "dim")
    row(bead, "bold")
    row(after, "dim")
    console.print(table)


def _edit(session: ReviewSession) -> bool:
    """Ask for the new texts and save them; False at end of input (the review stops). Text
    that cannot be stored (not valid Unicode) is reported and the bead asked about again."""
    from align.errors import InputError, UsageError

    bead = session.current
    texts: list[str | None] = []
    for name, old in (("source", bead.src), ("target", bead.tgt)):
        line = _read_text(f"new {name} (Enter keeps it): ", old)
        if line is None:
            return False
        texts.append(line.strip() or None)
    try:
        session.edit(src=texts[0], tgt=texts[1])
    except UsageError:
        echo("nothing changed; answer again")
    except InputError as e:
        echo(f"error: {e}")
    return True


def _loop(console: Console, session: ReviewSession) -> None:
    """Show each bead of the queue and apply the answers until done, q or end of input."""
    shown = -1
    while not session.done:
        if shown != session.pos:
            _render(console, session)
            shown = session.pos
        i, n = session.progress()
        line = _read_line(f"{i}/{n} {HELP_LINE}: ")
        action = "quit" if line is None else _key(line)
        if action is None and line is not None:
            echo(f"unknown answer {line.strip()!r}; {HELP_LINE}")
        elif action == "quit":
            return
        elif action == "back":
            if not session.back():
                echo("this is the first bead")
        elif action == "edit":
            if not _edit(session):
                return
        elif action == "undo":
            k = session.current.bead_index
            if session.undo():
                echo(f"bead {k} is auto again (as aligned); answer it again or s to move on")
                shown = -1  # show it again: an edit may have been dropped
            else:
                echo(f"bead {k} is already auto; nothing to undo")
        elif action is not None:
            getattr(session, action)()  # confirm / reject / skip


EXAMPLES = examples(
    "align review speeches.db cmac-2024             # beads below 0.9 still auto",
    "align review speeches.db cmac-2024 --below 0.95 --status auto --status edited",
)


@cli_errors
def review_cmd(
    corpus: Annotated[Path, typer.Argument(help="Corpus file.")],
    doc_id: Annotated[str, typer.Argument(help="Document id (see `align list`).")],
    below: Annotated[
        float, typer.Option("--below", min=0.0, max=1.0, help="Review beads with confidence below this.")
    ] = DEFAULT_BELOW,
    status: Annotated[
        list[str], typer.Option("--status", help="Review beads with this status (repeatable).")
    ] = ["auto"],  # noqa: B006 (typer needs a literal default)
) -> None:
    """Review DOC's low-confidence beads in document order: y confirm, n reject, e edit, s skip,
    u undo (back to auto), b back, q quit. Each answer is saved at once; run again to resume. Ends with a summary
    (left = skipped and not reached)."""
    from rich.console import Console

    from align.review import ReviewSession
    from align.store import Corpus

    with Corpus(corpus) as c:
        session = ReviewSession(c, doc_id, below=below, statuses=status)
        if not session.queue:
            echo(f"{doc_id}: nothing to review (no {'/'.join(session.statuses)} bead below {below:g})")
            return
        console = Console(highlight=False, markup=False, emoji=False)
        interrupted = False
        try:
            _loop(console, session)
        except KeyboardInterrupt:
            interrupted = True
            echo()
        finally:
            echo(f"{doc_id}: {session.tally().format()}")
    if interrupted:
        raise typer.Exit(130)
