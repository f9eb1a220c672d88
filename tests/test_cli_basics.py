"""The CLI's shell: version, help with examples, one-line usage errors, and CI running the README's
test command (help imports nothing heavy: tests/test_architecture.py)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import align
from align.cli import COMMANDS, app

ROOT = Path(__file__).resolve().parents[1]


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("segment", "pair", "eval", "models"):
        assert command in result.output


def test_version_is_the_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"align {align.__version__}\n" == "align 0.1.0\n"


@pytest.mark.parametrize("name", [c[0] for c in COMMANDS])
def test_every_command_help_ends_with_examples_that_use_its_own_options(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Examples:" in result.stdout, f"align {name} --help shows no example"
    tail = result.stdout[result.stdout.index("Examples:") :]
    examples = [line.strip() for line in tail.splitlines() if line.strip().startswith(f"align {name} ")]
    assert examples, tail
    params = typer.main.get_command(app).commands[name].params  # type: ignore[attr-defined]
    known = {o for p in params for o in (*p.opts, *p.secondary_opts)}
    for line in examples:
        words = shlex.split(re.split(r"\s[#>|]", line)[0])
        assert {w for w in words if w.startswith("-")} <= known, line


def test_doc_id_help_says_what_default_doc_id_does() -> None:
    from align.store import default_doc_id

    text = " ".join(CliRunner().invoke(app, ["add", "--help"], env={"COLUMNS": "200"}).stdout.split())
    for path, expected in (("speech.ja.txt", "speech"), ("speech_ja.md", "speech"), ("corpora/cmac-2024/ja.md", "cmac-2024")):
        assert f"{path}" in text and default_doc_id(ROOT / path, "ja") == expected
    assert "corpora/cmac-2024/ja.md → cmac-2024" in text and "folder's name" in text


def test_ci_runs_the_readme_test_command_then_the_suite_of_a_plain_clone() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    setup = [k for k, line in enumerate(lines) if line.startswith("python3 -m venv")]
    assert len(setup) == 1
    command = lines[setup[0]]
    assert command in readme, "the README must show the exact command .ci/run runs"
    assert re.search(r"\bpytest\b", command)
    plain = [line for line in lines[setup[0] + 1 :] if re.search(r"\bpytest\b", line) and not line.startswith("#")]
    assert plain and "-u ALIGN_SHARED_DATA" in plain[-1], "CI must also run the suite without ../shared"


def test_usage_errors_are_one_line_through_the_console_script(tmp_path: Path) -> None:
    cases = [
        (["pair"], "Missing argument"),
        (["pair", "a", "b", "--threads", "0"], "--threads"),
        (["add", str(tmp_path / "nope.md"), str(tmp_path / "nope2.md"), "--corpus", str(tmp_path / "c.db")], "nope.md"),
        (["frobnicate"], "frobnicate"),
    ]
    for args, needle in cases:
        out = subprocess.run(
            [sys.executable, "-c", "from align.cli import main; main()", *args],
            capture_output=True, text=True, timeout=60,
        )
        assert out.returncode == 2, (args, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], (args, out.stderr)
    assert not (tmp_path / "c.db").exists()
