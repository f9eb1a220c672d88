"""What align's modules import, read statically from their source: for the architecture guards."""

from __future__ import annotations

import ast
from pathlib import Path

from data_paths import ROOT

ALIGN = ROOT / "align"


def module_name(path: Path) -> str:
    """align/store/corpus.py → align.store.corpus; align/store/__init__.py → align.store."""
    parts = path.resolve().relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ALIGN.rglob("*.py"))}


def _is_type_checking(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` blocks import for the type checker only, never at run time."""
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Every module a file imports, at top level or inside functions (lazy imports), but not
    under `if TYPE_CHECKING`. Relative imports resolve against `package` (default: the file's
    own package in align/); `from pkg import name` counts as pkg.name when that is a module of
    align, else as pkg."""
    if package is None:
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _is_type_checking(node):
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for a in node.names:
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found
