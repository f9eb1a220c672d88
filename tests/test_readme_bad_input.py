"""The README's bad-input table: every row names tests, and every test it names exists, so
the table cannot claim a behaviour that nothing checks (issue 12)."""

from __future__ import annotations

import ast
import re

from data_paths import ROOT

TESTS = ROOT / "tests"


def table_rows() -> list[tuple[str, str, list[str]]]:
    """(input, what align does, [test ids]) of each row of the README's "Bad input" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Bad input\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| "):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        assert len(cells) == 3, line
        if cells[0] == "input" or set(cells[0]) == {"-"}:  # the header and its rule
            continue
        rows.append((cells[0], cells[1], re.findall(r"`(test_\w+\.py::test_\w+)`", cells[2])))
    return rows


def defined_tests(module: str) -> set[str]:
    tree = ast.parse((TESTS / module).read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_every_row_names_tests_that_exist() -> None:
    rows = table_rows()
    assert len(rows) >= 30
    for what, does, tests in rows:
        assert what and does and tests, (what, tests)
        for test in tests:
            module, name = test.split("::")
            assert (TESTS / module).exists(), test
            assert name in defined_tests(module), f"README bad-input row {what!r} names {test}, which does not exist"


def test_the_table_names_each_issue_12_test_file() -> None:
    named = {t.split("::")[0] for _, _, tests in table_rows() for t in tests}
    for module in ("test_output_safety.py", "test_hardening.py", "test_limits.py", "test_readonly_corpus.py",
                   "test_cache_damage.py"):  # fmt: skip
        assert module in named
        for name in defined_tests(module):  # each of their tests backs a row
            assert any(t == f"{module}::{name}" for _, _, tests in table_rows() for t in tests), f"{module}::{name}"
