"""The `align` command line: thin Typer shells over the library, one module per command.

Command modules are imported here, but each keeps its heavy imports (numpy encoders, torch,
polars) inside the command function, so `align --help` stays fast.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="align",
    help="Sentence-align a Japanese original and its English translation; review; export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (command name, module under align.cli, function name). One file per command.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("segment", "segment", "segment_cmd"),
    ("pair", "pair", "pair_cmd"),
    ("eval", "eval", "eval_cmd"),
    ("models", "models", "models_cmd"),
    ("add", "add", "add_cmd"),
    ("list", "listing", "list_cmd"),
    ("show", "show", "show_cmd"),
    ("export", "export", "export_cmd"),
    ("import", "import_tmx", "import_cmd"),
    ("review", "review", "review_cmd"),
    ("confirm", "status", "confirm_cmd"),
    ("reject", "status", "reject_cmd"),
    ("realign", "realign", "realign_cmd"),
    ("serve", "serve", "serve_cmd"),
)

for _name, _module, _func in COMMANDS:
    _mod = importlib.import_module(f"align.cli.{_module}")
    app.command(_name)(getattr(_mod, _func))


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
