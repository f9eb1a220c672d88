"""The align stage's layering: the DP kernel and band arithmetic import nothing from align, and
no module of the aligner reaches up into the CLI, the store or the export formats."""

from __future__ import annotations

import ast
from pathlib import Path

ALIGNER = Path(__file__).resolve().parents[1] / "align" / "aligner"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at top level or inside functions (a relative import counts
    as an import of align.aligner: the package uses absolute imports, so any is suspect)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            out.add(f"align.aligner.{node.module or ''}".rstrip(".") if node.level else node.module or "")
    return out


def test_the_dp_kernel_and_band_arithmetic_import_nothing_from_align() -> None:
    for name in ("dp.py", "band.py"):
        mods = imported_modules(ALIGNER / name)
        # dp may use band (pure numpy, below it); nothing else of align
        above = {m for m in mods if m.split(".")[0] == "align" and m != "align.aligner.band"}
        assert not above, f"{name} imports {sorted(above)}"
    assert "align.aligner.band" in imported_modules(ALIGNER / "dp.py")


def test_no_aligner_module_imports_the_cli_store_or_formats() -> None:
    files = sorted(ALIGNER.rglob("*.py"))
    assert len(files) >= 12
    for path in files:
        for m in imported_modules(path):
            assert not m.startswith(("align.cli", "align.store", "align.formats")), f"{path.name} imports {m}"


def test_the_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    probe = tmp_path / "dp.py"
    probe.write_text("import numpy as np\n\ndef f():\n    from align.store import corpus\n    from . import gains\n",
                     encoding="utf-8")
    assert imported_modules(probe) == {"numpy", "align.store", "align.aligner"}
