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
)

for _name, _module, _func in COMMANDS:
    _mod = importlib.import_module(f"align.cli.{_module}")
    app.command(_name)(getattr(_mod, _func))


def main() -> None:
    """Console-script entry point."""
    app()
