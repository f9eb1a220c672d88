"""What every command shares: turning library errors into one line on stderr and an exit code."""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from align.errors import AlignError, visible

F = TypeVar("F", bound=Callable[..., Any])


def examples(*commands: str) -> str:
    """A command's `--help` epilog: its example command lines, indented under 'Examples:'."""
    return "Examples:\n\n" + "\n".join(f"  {c}" for c in commands)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text for the user to read, each line through `align.errors.visible`: a document
    id, a file name or a sentence with an escape sequence in it shows it as ␛, never runs it
    on the terminal. Every command prints through this (tables: their cells through visible)."""
    typer.echo("\n".join(visible(line) for line in text.split("\n")), err=err, nl=nl)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `error: message` on stderr (one line, control characters visible) and return
    the Exit to raise."""
    typer.echo(f"error: {visible(message)}", err=True)
    return typer.Exit(code)


def warn(message: str) -> None:
    """Print `warning: message` on stderr (one line, control characters visible)."""
    typer.echo(f"warning: {visible(message)}", err=True)


def warn_report(report: Any) -> None:
    """The warnings every writer's WriteReport can carry, said the same way by every command."""
    if report.dropped_chars:
        warn(f"{report.dropped_chars} characters illegal in XML were dropped")
    if report.neutralised_cells:
        warn(f"{report.neutralised_cells} cells that a spreadsheet would run as formulas were prefixed with '")


def _show_warning(message: Warning | str, *_args: Any, **_kwargs: Any) -> None:
    """Library warnings (e.g. an unwritable cache) as one `warning:` line, not Python's format."""
    warn(str(message).replace("\n", " "))


def cli_errors(func: F) -> F:
    """Run a command so that no traceback ever reaches the user.

    AlignError becomes its message and exit code; anything unexpected becomes a one-line
    internal error (set ALIGN_DEBUG=1 to see the traceback).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warnings.showwarning = _show_warning
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except AlignError as e:
            raise fail(str(e), e.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None
        except BrokenPipeError:
            # stdout closed early (e.g. `| head`): not an error for the user.
            try:
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            except OSError:
                pass
            raise typer.Exit(0) from None
        except MemoryError:
            raise fail("out of memory", 1) from None
        except Exception as e:  # noqa: BLE001
            if os.environ.get("ALIGN_DEBUG"):
                raise
            raise fail(
                f"internal error: {type(e).__name__}: {e} (rerun with ALIGN_DEBUG=1 for details)", 1
            ) from None

    return wrapper  # type: ignore[return-value]
