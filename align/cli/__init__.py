"""The `align` command line: thin Typer shells over the library, one module per command.

Command modules are imported here, but each keeps its heavy imports (numpy encoders, torch,
polars) inside the command function, so `align --help` stays fast. Each module also holds the
examples its command's `--help` ends with.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Optional

import typer

import align

app = typer.Typer(
    name="align",
    help="Sentence-align a Japanese original and its English translation; review; export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (command name, module under align.cli, function name, its --help examples). One file per command.
COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("segment", "segment", "segment_cmd", "EXAMPLES"),
    ("pair", "pair", "pair_cmd", "EXAMPLES"),
    ("eval", "eval", "eval_cmd", "EXAMPLES"),
    ("models", "models", "models_cmd", "EXAMPLES"),
    ("add", "add", "add_cmd", "EXAMPLES"),
    ("batch", "batch", "batch_cmd", "EXAMPLES"),
    ("list", "listing", "list_cmd", "EXAMPLES"),
    ("stats", "stats", "stats_cmd", "EXAMPLES"),
    ("show", "show", "show_cmd", "EXAMPLES"),
    ("export", "export", "export_cmd", "EXAMPLES"),
    ("import", "import_tmx", "import_cmd", "EXAMPLES"),
    ("review", "review", "review_cmd", "EXAMPLES"),
    ("confirm", "status", "confirm_cmd", "CONFIRM_EXAMPLES"),
    ("reject", "status", "reject_cmd", "REJECT_EXAMPLES"),
    ("realign", "realign", "realign_cmd", "EXAMPLES"),
    ("serve", "serve", "serve_cmd", "EXAMPLES"),
)

for _name, _module, _func, _examples in COMMANDS:
    _mod = importlib.import_module(f"align.cli.{_module}")
    app.command(_name, epilog=getattr(_mod, _examples))(getattr(_mod, _func))


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"align {align.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print align's version and exit."),
    ] = None,
) -> None:
    pass


def main() -> None:
    """Console-script entry point: like `app()`, but a usage error is one `error:` line too."""
    import sys

    try:  # Typer >= 0.25 ships its own copy of click
        import typer._click.exceptions as exc
    except ImportError:  # pragma: no cover - older Typer on top of click
        import click.exceptions as exc  # type: ignore[no-redef]
    try:
        code = app(standalone_mode=False)
    except exc.NoArgsIsHelpError as e:
        typer.echo(e.ctx.get_help() if e.ctx else "", err=True)
        code = 2
    except exc.UsageError as e:
        name = e.ctx.info_name if e.ctx and e.ctx.parent else None
        where = f"align {name} --help" if name else "align --help"
        message = " ".join(e.format_message().split())
        typer.echo(f"error: {message} (see `{where}`)", err=True)
        code = e.exit_code
    except exc.ClickException as e:
        typer.echo(f"error: {' '.join(e.format_message().split())}", err=True)
        code = e.exit_code
    except typer.Abort:
        typer.echo("error: interrupted", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else 0)
