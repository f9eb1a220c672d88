"""Running the command line in tests: in-process (CliRunner) or as a real process, and the
shape every error must have (one `error:` line on stderr)."""

from __future__ import annotations

import sys

from typer.testing import CliRunner

from align.cli import app

ALIGN = [sys.executable, "-c", "from align.cli import main; main()"]
"""The `align` command as a subprocess of this interpreter (for real file descriptors)."""


def run(*args: object, **kw):  # noqa: ANN003, ANN201
    """`align ARGS` in-process; kw go to CliRunner.invoke (e.g. input=...)."""
    return CliRunner().invoke(app, [str(a) for a in args], **kw)


def one_line_error(result, *needles: str) -> str:  # noqa: ANN001
    """The single `error: ...` line a failed command printed (checked), holding every needle."""
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]
