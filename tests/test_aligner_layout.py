"""The align stage's layering: the DP kernel and band arithmetic import nothing from align, and
no module of the aligner reaches up into the CLI, the store or the export formats."""

from __future__ import annotations

from import_graph import ALIGN, imported_modules

ALIGNER = ALIGN / "aligner"


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
