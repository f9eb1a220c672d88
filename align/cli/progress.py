"""Progress on stderr for the commands whose work is long (`pair`, `add`, `batch`).

The library reports `align.model.Progress` through a callback and never prints; this module
renders it: a rich progress bar with counts, rate and ETA on a terminal, a plain line every
PLAIN_EVERY seconds when stderr is a file or a pipe (a log, CI), nothing with `-q`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from align.model import Progress, ProgressCallback, ProgressStage

if TYPE_CHECKING:
    from rich.progress import Task

PLAIN_EVERY = 10.0
"""Seconds between two plain progress lines (ALIGN_PROGRESS_EVERY overrides it)."""

UNITS: dict[ProgressStage, str] = {"encode": "sentences encoded", "documents": "documents"}


def _duration(seconds: float) -> str:
    seconds = max(int(round(seconds)), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def plain_line(label: str, event: Progress, elapsed: float) -> str:
    """One progress line: `label: done/total unit (share)`, the rate, what failed, the ETA."""
    share = f" ({event.done / event.total:.0%})" if event.total else ""
    parts = [f"{label}: {event.done:,}/{event.total:,} {UNITS[event.stage]}{share}"]
    rate = event.done / elapsed if elapsed > 0 else 0.0
    if event.stage == "documents":
        parts.append(f"{rate * 60:,.1f} documents/min")
        parts.append(f"{event.sentences / elapsed if elapsed > 0 else 0:,.0f} sentences/s")
        if event.failed:
            parts.append(f"{event.failed} failed")
        if event.skipped:
            parts.append(f"{event.skipped} already done")
    else:
        parts.append(f"{rate:,.0f} sentences/s")
    if 0 < event.done < event.total and rate > 0:
        parts.append(f"ETA {_duration((event.total - event.done) / rate)}")
    return ", ".join(parts)


class _Plain:
    """Plain lines at most every `every` seconds (and none for work shorter than that)."""

    def __init__(self, label: str, every: float) -> None:
        self.label, self.every = label, every
        self.start = self.last = time.monotonic()

    def __call__(self, event: Progress) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            print(plain_line(self.label, event, now - self.start), file=sys.stderr, flush=True)


def _columns(stage: ProgressStage) -> list[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        """Documents a minute and sentences a second (a batch), or sentences a second (a pair)."""

        def render(self, task: Task) -> Text:
            elapsed = task.elapsed or 0.0
            if not elapsed:
                return Text("")
            if stage == "documents":
                docs = task.completed / elapsed * 60
                return Text(f"{docs:,.1f} docs/min  {task.fields.get('sentences', 0) / elapsed:,.0f} sent/s")
            return Text(f"{task.completed / elapsed:,.0f} sent/s")

    return [
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(UNITS[stage]),
        Rate(), TextColumn("{task.fields[note]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    ]  # fmt: skip


@contextlib.contextmanager
def progress_reporter(label: str, stage: ProgressStage, *, quiet: bool = False) -> Iterator[ProgressCallback | None]:
    """The callback to hand the library while the block runs: None with `quiet` (the library
    then reports nothing), a rich bar on a terminal, plain periodic lines otherwise."""
    if quiet:
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield _Plain(label, float(os.environ.get("ALIGN_PROGRESS_EVERY") or PLAIN_EVERY))
        return
    from rich.progress import Progress as Bar

    with Bar(*_columns(stage), console=console, transient=True) as bar:
        task = bar.add_task(label, total=None, sentences=0, note="")

        def update(event: Progress) -> None:
            notes = [f"{event.failed} failed" if event.failed else "", f"{event.skipped} done before" if event.skipped else ""]
            if event.stage == "encode" and event.done >= event.total:
                notes.append("aligning")  # the search after the last sentence is encoded
            bar.update(task, completed=event.done, total=event.total, sentences=event.sentences,
                       note=", ".join(n for n in notes if n))  # fmt: skip

        yield update
