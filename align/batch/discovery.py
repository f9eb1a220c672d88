"""Which document pairs a batch holds: found by name in a folder, or listed in a manifest.

Folder layouts (any mix of the first two; the third alone):

- `NAME.ja.EXT` beside `NAME.en.EXT` (also `NAME_ja.EXT`, `NAME-ja.EXT`), in any sub-folder:
  the id is NAME, with its sub-folder (`2024/speech`);
- a folder per document holding `ja.EXT` and `en.EXT` (as corpora/cmac-2024/): the id is the
  folder's name (its path below INPUT);
- `ja/NAME.EXT` and `en/NAME.EXT` (two language folders, matched by path below them).

EXT is any extension the reader knows (.txt .md .html .pdf .docx .srt .vtt …) or `.sent`
(one sentence a line, used with --presegmented, left out without it where another file
serves). Files that name a language but find no partner are reported, never guessed at.

A manifest is a CSV, TSV or JSONL file with columns `src`, `tgt` and optionally `doc_id`,
`src_lang`, `tgt_lang` (paths relative to the manifest's folder), read with polars.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from align.batch.jobs import Failure, PairSpec
from align.errors import FormatError, InputError, UsageError
from align.read.lang import strip_language_tag

LAYOUTS = (
    "Folder layouts: NAME.ja.EXT + NAME.en.EXT (or NAME_ja / NAME-ja) in any sub-folder, id NAME; a folder"
    " per document with ja.EXT + en.EXT, id the folder; ja/NAME.EXT + en/NAME.EXT, id NAME (ja/en: the"
    " languages). EXT: any the reader knows (.txt .md .html .pdf .docx .srt .vtt), or .sent with"
    " --presegmented. Manifest columns: src, tgt, and optionally doc_id, src_lang, tgt_lang. Files that"
    " name a language but find no partner are reported as failures."
)
"""The layouts `align batch --help` names (the language tags are --src-lang/--tgt-lang)."""

MANIFEST_SEPARATORS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
MANIFEST_JSONL = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Discovery:
    """The pairs of a batch in the order they are stored, and what could not be paired
    (files without a partner, ambiguous files, an id given twice, a missing file)."""

    pairs: tuple[PairSpec, ...]
    problems: tuple[Failure, ...] = ()
    ignored: int = 0
    """Files that name no language (README.md, notes.txt…), left alone."""


def discover(
    source: str | Path, *, src_lang: str = "ja", tgt_lang: str = "en", presegmented: bool = False
) -> Discovery:
    """The pairs of a folder (by the layouts above) or of a manifest file."""
    source = Path(source)
    if not source.exists():
        raise InputError(f"{source}: no such folder or manifest")
    if src_lang.lower() == tgt_lang.lower():
        raise UsageError(f"--src-lang and --tgt-lang are both {src_lang!r}; a batch pairs two languages")
    if source.is_file():
        found = read_manifest(source, src_lang=src_lang, tgt_lang=tgt_lang)
    else:
        found = scan_folder(source, src_lang=src_lang, tgt_lang=tgt_lang, presegmented=presegmented)
    if not found.pairs and not found.problems:
        raise InputError(f"{source}: no document pairs found. {LAYOUTS}")
    return found


# -- folders -----------------------------------------------------------------------------------


def _known_extensions() -> frozenset[str]:
    from align.read.reader import DOCUMENT_EXTENSIONS

    return DOCUMENT_EXTENSIONS


def _files(folder: Path) -> Iterator[Path]:
    """Every file below `folder`, hidden files and folders left out, in a stable order."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def _key(rel_folder: Path, name: str) -> str:
    return (rel_folder / name).as_posix() if str(rel_folder) not in ("", ".") else name


def scan_folder(folder: Path, *, src_lang: str = "ja", tgt_lang: str = "en", presegmented: bool = False) -> Discovery:
    """The pairs of a folder, by the layouts of this module's docstring, sorted by id."""
    extensions = _known_extensions()
    langs = {"src": src_lang, "tgt": tgt_lang}
    groups: dict[str, dict[str, list[Path]]] = {}
    ignored = 0
    side_folders = {side: folder / lang for side, lang in langs.items()}
    if all(p.is_dir() for p in side_folders.values()):  # ja/NAME.EXT + en/NAME.EXT
        for side, base in side_folders.items():
            for path in _files(base):
                if path.suffix.lower() not in extensions:
                    ignored += 1
                    continue
                stem = strip_language_tag(path.stem, langs[side]) or path.stem
                groups.setdefault(_key(path.parent.relative_to(base), stem), {}).setdefault(side, []).append(path)
    else:
        for path in _files(folder):
            if path.suffix.lower() not in extensions:
                ignored += 1
                continue
            rel = path.parent.relative_to(folder)
            for side, lang in langs.items():
                if path.stem.lower() == lang.lower():  # a folder per document: ja.md + en.md
                    key = rel.as_posix() if str(rel) != "." else folder.resolve().name
                    break
                name = strip_language_tag(path.stem, lang)
                if name:  # NAME.ja.md + NAME.en.md
                    key = _key(rel, name)
                    break
            else:
                ignored += 1
                continue
            groups.setdefault(key, {}).setdefault(side, []).append(path)
    pairs, problems = [], []
    for key in sorted(groups):
        got = _pair(groups[key], langs, presegmented)
        if isinstance(got, list):
            problems += [Failure(key, str(p), None, why) for p, why in got]
        else:
            pairs.append(PairSpec(key, got[0], got[1], src_lang, tgt_lang))
    return Discovery(tuple(pairs), tuple(problems), ignored)


def _pool(paths: list[Path], presegmented: bool) -> list[Path]:
    """The candidates of one side: `.sent` files with --presegmented, the others without it,
    where both kinds are there."""
    from align.read.reader import PRESEGMENTED_EXTENSION

    sent = [p for p in paths if p.suffix.lower() == PRESEGMENTED_EXTENSION]
    rest = [p for p in paths if p.suffix.lower() != PRESEGMENTED_EXTENSION]
    if sent and rest:
        return sent if presegmented else rest
    return paths


def _pair(sides: dict[str, list[Path]], langs: dict[str, str], presegmented: bool) -> tuple[Path, Path] | list[tuple[Path, str]]:
    """The (source, target) of one id, or each file with why it has no single partner."""
    src, tgt = _pool(sides.get("src", []), presegmented), _pool(sides.get("tgt", []), presegmented)
    if not src or not tgt:
        have, want = ("src", "tgt") if src else ("tgt", "src")
        return [(p, f"no partner: no {langs[want]} file beside this {langs[have]} one") for p in sides[have]]
    if len(src) == 1 and len(tgt) == 1:
        return src[0], tgt[0]
    common = {p.suffix.lower() for p in src} & {p.suffix.lower() for p in tgt}
    if len(common) == 1:
        ext = common.pop()
        s = [p for p in src if p.suffix.lower() == ext]
        t = [p for p in tgt if p.suffix.lower() == ext]
        if len(s) == 1 and len(t) == 1:
            return s[0], t[0]
    names = ", ".join(p.name for p in [*src, *tgt])
    return [(p, f"ambiguous: several files could pair here ({names}); keep one of each language") for p in [*src, *tgt]]


# -- manifests ---------------------------------------------------------------------------------


def read_manifest(path: Path, *, src_lang: str = "ja", tgt_lang: str = "en") -> Discovery:
    """The pairs a manifest lists, in its order: paths relative to its folder; a pair whose
    file is missing, or whose id an earlier row took, is a problem, not a stop."""
    import polars as pl

    ext = path.suffix.lower()
    try:
        if ext in MANIFEST_SEPARATORS:
            df = pl.read_csv(path, separator=MANIFEST_SEPARATORS[ext], infer_schema=False, quote_char='"')
        elif ext in MANIFEST_JSONL:
            df = pl.read_ndjson(path)
        else:
            raise UsageError(
                f"{path}: a manifest is .csv, .tsv or .jsonl (columns src, tgt [, doc_id, src_lang, tgt_lang]); "
                "or give a folder"
            )
        missing = [c for c in ("src", "tgt") if c not in df.columns]
        if missing:
            raise FormatError(
                f"{path}: the manifest has no column {' or '.join(missing)} (it has: {', '.join(df.columns) or 'none'})"
            )
        df = df.select([pl.col(c).cast(pl.Utf8) for c in ("src", "tgt", "doc_id", "src_lang", "tgt_lang") if c in df.columns])
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as e:
        raise FormatError(f"{path}: cannot read the manifest ({' '.join(str(e).split())[:200]})") from None
    first = 1 if ext in MANIFEST_JSONL else 2  # the line of the first row (after a CSV/TSV header)
    return _listed(df.iter_rows(named=True), path.parent, first=first, src_lang=src_lang, tgt_lang=tgt_lang)


def _listed(
    rows: Iterable[dict[str, str | None]], base: Path, *, first: int, src_lang: str, tgt_lang: str
) -> Discovery:
    from align.store import default_doc_id

    pairs: list[PairSpec] = []
    problems: list[Failure] = []
    taken: dict[str, str] = {}
    for n, row in enumerate(rows, start=first):
        src_text, tgt_text = (row.get("src") or "").strip(), (row.get("tgt") or "").strip()
        s_lang = (row.get("src_lang") or "").strip() or src_lang
        t_lang = (row.get("tgt_lang") or "").strip() or tgt_lang
        if not src_text or not tgt_text:
            problems.append(Failure(row.get("doc_id"), src_text or None, tgt_text or None, f"line {n}: src and tgt are both needed"))
            continue
        src, tgt = base / src_text, base / tgt_text
        doc_id = (row.get("doc_id") or "").strip() or default_doc_id(src, s_lang)
        bad = [p for p in (src, tgt) if not p.is_file()]
        if bad:
            why = "; ".join(f"{p}: {'is a folder' if p.is_dir() else 'no such file'}" for p in bad)
            problems.append(Failure(doc_id, str(src), str(tgt), f"line {n}: {why}"))
            continue
        if doc_id in taken:
            problems.append(Failure(doc_id, str(src), str(tgt), f"line {n}: document id {doc_id!r} is also given to {taken[doc_id]}; give each pair its own doc_id"))
            continue
        taken[doc_id] = f"{src} + {tgt}"
        pairs.append(PairSpec(doc_id, src, tgt, s_lang, t_lang))
    return Discovery(tuple(pairs), tuple(problems))
