"""The corpus: one SQLite file holding documents, their sentences and beads, and a review log.

Every change (an add, an import, a status change, an edit) is one transaction, so a crash or
kill -9 at any moment leaves the file consistent and loses nothing already committed. WAL mode
lets an export read while another process writes; a writer waits for another writer up to
the busy timeout, then fails with "corpus is busy".
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from align.errors import CorpusError, UsageError
from align.model import (
    BEAD_STATUSES, EXPORTED_STATUSES, REVIEW_THRESHOLD, REVIEWED_STATUSES, Alignment, Document, join_sentences,
    time_span,
)
from align.store import schema
from align.store.unicode import lone_surrogate as _lone_surrogate
from align.store.unicode import require_unicode as _require_unicode
from align.store.merge import Merged, Reviewed, merge_reviewed
from align.store.summary import DocSummary, read_summaries, refresh_summary

AddAction = Literal["added", "unchanged", "realigned", "imported", "replaced"]
FETCH = 2000


@dataclass(frozen=True)
class AddResult:
    """What adding or importing a document did."""

    action: AddAction
    doc_id: str
    beads: int
    kept_reviewed: int = 0
    dropped_reviewed: int = 0


@dataclass(frozen=True, slots=True)
class StoredBead:
    """A bead as stored: its document and place, texts (the edited text where the reviewer
    changed it), sentence ids, confidence, shape and review status."""

    doc_id: str
    bead_index: int
    src: str
    tgt: str
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    confidence: float
    type: str
    status: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class DocumentInfo:
    """A document's record: where it came from and how it was aligned."""

    doc_id: str
    src_path: str | None
    tgt_path: str | None
    src_lang: str
    tgt_lang: str
    model: str | None
    signature: str | None
    origin: str
    aligned_at: str
    revision: int
    """Raised by every realign or replace: bead numbers of an older revision mean other beads."""


def _ids_text(ids: Sequence[int]) -> str:
    return " ".join(map(str, ids))


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sha256(path: Path | None, fallback: str) -> str:
    """The sha256 of a file, or of `fallback` (UTF-8) when there is no file."""
    h = hashlib.sha256()
    if path is None:
        h.update(fallback.encode("utf-8", "surrogatepass"))
        return h.hexdigest()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, as a corpus records each document's two files: what tells
    an unchanged pair (`add` does nothing, `batch` skips it) from a changed one."""
    return _sha256(Path(path), "")


def document_sha256(doc: Document, path: Path | None) -> str:
    """The sha256 a corpus or a batch's dataset records for one side of a pair: of the bytes the
    document was read from, else of the file at `path`, else of its text."""
    return doc.sha256 or _sha256(path, doc.text)


def check_doc_id(doc_id: str) -> None:
    """UsageError if a document id cannot be stored (empty, or not valid Unicode)."""
    if not doc_id.strip():
        raise UsageError("the document id is empty; give a name (--doc-id NAME) or leave the option out")
    if _lone_surrogate(doc_id) is not None:
        raise UsageError(
            f"document id {doc_id!r} is not valid Unicode (a name with bytes that did not decode); "
            "name documents in UTF-8 (align add --doc-id NAME)"
        )


def _path_text(path: Path | str | None) -> str | None:
    """A path as stored (for display only): bytes of a non-UTF-8 file name as \\xNN escapes."""
    if path is None:
        return None
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def owner_conflict(
    doc_id: str, old_src: str | None, old_tgt: str | None, origin: str, src: Path | str | None, tgt: Path | str | None
) -> str | None:
    """Why storing the pair (src, tgt) as `doc_id` would replace another document: the id
    already holds other files (or an imported TMX). None when it is the same pair (or
    either side's files are unknown, as for an alignment built in memory)."""
    new_src, new_tgt = _path_text(src), _path_text(tgt)
    if origin != "align":
        return f"document {doc_id!r} was imported from {old_src}"
    if old_src is None or old_tgt is None or new_src is None or new_tgt is None:
        return None

    def same(old: str, new: str) -> bool:
        return old == new or Path(old).resolve() == Path(new).resolve()

    if same(old_src, new_src) and same(old_tgt, new_tgt):
        return None
    return f"document {doc_id!r} already holds {old_src} + {old_tgt}"


def _owner_hint(doc_id: str) -> str:
    return f"give this pair its own id (--doc-id NAME), or --replace to re-align {doc_id!r} from it"


def default_doc_id(src: Path, src_lang: str = "ja") -> str:
    """A document id from the source file name: `speech.ja.txt` or `speech_ja.pdf` → `speech`
    (as `align batch` names the pair of a folder); a file named only by its language
    (`ja.sent`, `ja.pdf`) takes its folder's name. Bytes of a name that is not
    UTF-8 become \\xNN, so the id is always valid Unicode (exports write UTF-8)."""
    from align.read.lang import strip_language_tag
    from align.read.reader import DOCUMENT_EXTENSIONS

    name = Path(src).name
    suffix = Path(name).suffix.lower()
    if suffix in DOCUMENT_EXTENSIONS or suffix == ".xml":  # every format the reader knows, as batch names a pair
        name = name[: -len(suffix)]
    untagged = strip_language_tag(name, src_lang)
    if untagged is not None:
        name = untagged
    if not name or name.lower() == src_lang.lower():
        name = Path(src).resolve().parent.name or "doc"
    return _path_text(name) or "doc"  # a name that is not UTF-8: its bytes as \xNN


class Corpus:
    """A corpus file. Use as a context manager: `with Corpus(path) as c: ...`.

    create=False refuses a missing file (so a typo does not silently make an empty corpus).
    readonly=True opens it only to read (`list`, `show`, `export`): nothing is written, so a
    corpus on read-only storage can be read; a file of an older schema is brought up to date
    first where it can be written, and refused with a clear message where it cannot.
    """

    def __init__(self, path: Path, *, create: bool = False, readonly: bool = False) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise CorpusError(f"{self.path}: is a folder; give the corpus file, e.g. corpus.db")
        if not self.path.exists():
            if not create:
                raise CorpusError(
                    f"{self.path}: no such corpus; create one with "
                    f"`align add SRC TGT --corpus {self.path}`"
                )
            if not self.path.parent.is_dir():
                raise CorpusError(f"{self.path}: the folder {self.path.parent} does not exist")
        self.readonly = readonly
        if readonly and self.path.exists():
            self._con = schema.connect_readonly(self.path)
            try:
                current = schema.check_version(self._con, self.path) == schema.SCHEMA_VERSION
            except BaseException:
                self._con.close()
                raise
            if current:
                return
            self._con.close()
            self._upgrade()
            self._con = schema.connect_readonly(self.path)
            return
        self._con = schema.connect(self.path)
        try:
            schema.migrate(self._con, self.path)
        except sqlite3.Error as e:
            self._con.close()
            raise schema.translate_error(e, self.path) from None
        except BaseException:
            self._con.close()
            raise

    def _reader(self) -> sqlite3.Connection:
        """Another connection to the file, for a long read (an export's snapshot)."""
        return schema.connect_readonly(self.path) if self.readonly else schema.connect(self.path)

    def _upgrade(self) -> None:
        """Bring an older corpus up to this align's schema for a read-only command: the
        migrations need to write, so a file that cannot be written is refused, saying why."""
        try:
            Corpus(self.path).close()
        except CorpusError as e:
            if "cannot open the corpus for writing" not in str(e):
                raise
            raise CorpusError(
                f"{self.path}: the corpus was written by an older align and must be upgraded to schema "
                f"version {schema.SCHEMA_VERSION}, which needs write access; copy it to writable storage "
                "and open it there once (e.g. `align list COPY`)"
            ) from None

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the file."""
        self._con.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self):  # noqa: ANN202
        """A context manager for one write transaction (BEGIN IMMEDIATE … COMMIT)."""
        return _Transaction(self._con, self.path)

    # -- documents -----------------------------------------------------------------------------

    def _doc_row(self, doc_id: str) -> sqlite3.Row | None:
        check_doc_id(doc_id)
        self._con.row_factory = sqlite3.Row
        try:
            return self._con.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        finally:
            self._con.row_factory = None

    def _doc_key(self, doc_id: str) -> int:
        check_doc_id(doc_id)
        row = self._con.execute("SELECT id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise self._no_document(doc_id)
        return row[0]

    def _no_document(self, doc_id: str) -> CorpusError:
        return CorpusError(f"{self.path}: no document {doc_id!r}; `align list {self.path}` shows them")

    def doc_ids(self) -> list[str]:
        """Every document id, in the order they were first added."""
        return [r[0] for r in self._con.execute("SELECT doc_id FROM documents ORDER BY id")]

    def fingerprints(self) -> dict[str, tuple[str | None, str | None, str | None]]:
        """doc_id → (source sha256, target sha256, signature) of every document aligned from
        files (imported ones are left out): one query, for a batch to skip the pairs already
        stored as they are."""
        rows = self._con.execute(
            "SELECT doc_id, src_sha256, tgt_sha256, signature FROM documents WHERE origin = 'align'"
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def document(self, doc_id: str) -> DocumentInfo:
        """The record of one document."""
        row = self._doc_row(doc_id)
        if row is None:
            raise self._no_document(doc_id)
        return DocumentInfo(
            doc_id=row["doc_id"], src_path=row["src_path"], tgt_path=row["tgt_path"],
            src_lang=row["src_lang"], tgt_lang=row["tgt_lang"], model=row["model"],
            signature=row["signature"], origin=row["origin"], aligned_at=row["aligned_at"],
            revision=row["revision"],
        )  # fmt: skip

    def _times(self, doc: int, con: sqlite3.Connection) -> dict[tuple[str, int], tuple[float, float]]:
        """(side, index) → (start, end) of a document's timed sentences (empty for all but subtitles)."""
        return {
            (side, idx): (a, b)
            for side, idx, a, b in con.execute(
                "SELECT side, idx, t_start, t_end FROM sentences WHERE doc = ? AND t_start IS NOT NULL", (doc,)
            )
        }

    def timed(self, doc_ids: Sequence[str] | None = None) -> bool:
        """Whether any (of these) documents has sentence times: its exports get start/end columns."""
        docs = [self._doc_key(d) for d in doc_ids] if doc_ids else None
        sql = "SELECT 1 FROM sentences WHERE t_start IS NOT NULL"
        if docs:
            sql += f" AND doc IN ({', '.join('?' * len(docs))})"
        return self._con.execute(sql + " LIMIT 1", docs or []).fetchone() is not None

    def _texts(self, doc: int, side: str, con: sqlite3.Connection | None = None) -> list[str]:
        con = con or self._con
        return [r[0] for r in con.execute(
            "SELECT text FROM sentences WHERE doc = ? AND side = ? ORDER BY idx", (doc, side)
        )]  # fmt: skip

    # -- adding --------------------------------------------------------------------------------

    def add_alignment(
        self,
        alignment: Alignment,
        *,
        doc_id: str,
        src_path: Path | None = None,
        tgt_path: Path | None = None,
        replace: bool = False,
    ) -> AddResult:
        """Store an alignment as document `doc_id`, in one transaction.

        An id that already holds other files is refused (CorpusError) unless `replace`: a
        second folder's x/ja.txt must not silently overwrite the first one's reviewed x.

        Same files (the sha256 of the bytes the documents were read from, else of the file at
        the path, else of the text) and same signature as stored: nothing happens ("unchanged").
        A new document: "added". A changed one: "realigned", keeping every confirmed or
        edited bead whose sentences are still there (see align.store.merge).
        """
        if not doc_id:
            raise UsageError("the document id is empty; pass --doc-id")
        src_texts = list(alignment.src.sentence_texts)
        tgt_texts = list(alignment.tgt.sentence_texts)
        for b in alignment.beads:
            if any(not 0 <= i < len(src_texts) for i in b.src) or any(
                not 0 <= j < len(tgt_texts) for j in b.tgt
            ):
                raise UsageError(f"bead {b.src}:{b.tgt} points outside the documents of {doc_id!r}")
        check_doc_id(doc_id)
        fix = "convert the file to UTF-8 (or repair its bytes) and add it again"
        for side, texts, path, a_doc in (
            ("source", src_texts, src_path, alignment.src), ("target", tgt_texts, tgt_path, alignment.tgt)
        ):
            where = _path_text(path or a_doc.source) or repr(doc_id)
            _require_unicode(texts, f"{where}: {side} sentence {{k}}", fix)
        sha_src = document_sha256(alignment.src, src_path)
        sha_tgt = document_sha256(alignment.tgt, tgt_path)
        sig = alignment.signature
        sig_text = str(sig) if sig else None
        auto = [(tuple(b.src), tuple(b.tgt), float(b.confidence)) for b in alignment.beads]
        with self._write():
            other = self.check_add(doc_id, src_path or alignment.src.source, tgt_path or alignment.tgt.source, replace=replace)
            old = self._doc_row(doc_id)
            if old is not None and (old["src_sha256"], old["tgt_sha256"], old["signature"]) == (
                sha_src, sha_tgt, sig_text
            ) and old["origin"] == "align" and not other:
                n = self._con.execute("SELECT count(*) FROM beads WHERE doc = ?", (old["id"],)).fetchone()[0]
                return AddResult("unchanged", doc_id, n)
            meta = (
                _path_text(src_path or alignment.src.source),
                _path_text(tgt_path or alignment.tgt.source),
                alignment.src.lang, alignment.tgt.lang, sha_src, sha_tgt,
                sig.model if sig else None, sig_text,
                json.dumps(dict(sig.settings)) if sig else None, "align", _now(),
            )  # fmt: skip
            kept = dropped = 0
            if old is None:
                doc = self._insert_document(doc_id, meta)
                merged = [Merged(s, t, c) for s, t, c in auto]
                action: AddAction = "added"
            else:
                doc = old["id"]
                reviewed, rejected = self._reviewed(doc)
                merged, kept = merge_reviewed(src_texts, tgt_texts, auto, reviewed, rejected)
                dropped = len(reviewed) - kept
                self._replace_document(doc, meta)
                action = "realigned"
            seconds = alignment.stats.get("total_s")
            if isinstance(seconds, float):
                self._con.execute("UPDATE documents SET align_seconds = ? WHERE id = ?", (seconds, doc))
            times = (alignment.src.sentence_times, alignment.tgt.sentence_times) if alignment.timed else ((), ())
            self._insert_content(doc, src_texts, tgt_texts, merged, times)
            refresh_summary(self._con, doc)
            self._log(doc_id, None, action, old["signature"] if old else None, sig_text)
        return AddResult(action, doc_id, len(merged), kept, dropped)

    def check_add(
        self, doc_id: str, src: Path | str | None, tgt: Path | str | None, *, replace: bool = False,
        hint: str | None = None,
    ) -> str | None:
        """Raise CorpusError now (before a slow alignment) when add_alignment would refuse
        to store the pair src + tgt as `doc_id`; with `replace`, return what it replaces.
        `hint` says how to fix it where `align add`'s advice does not fit."""
        old = self._doc_row(doc_id)
        why = old and owner_conflict(doc_id, old["src_path"], old["tgt_path"], old["origin"], src, tgt)
        if why and not replace:
            raise CorpusError(f"{self.path}: {why}; {hint or _owner_hint(doc_id)}")
        return why or None

    def _insert_document(self, doc_id: str, meta: tuple) -> int:
        cur = self._con.execute(
            "INSERT INTO documents (doc_id, src_path, tgt_path, src_lang, tgt_lang, src_sha256, "
            "tgt_sha256, model, signature, settings, origin, aligned_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, *meta),
        )
        if cur.lastrowid is None:  # sqlite3 always sets it after an INSERT
            raise CorpusError(f"{self.path}: could not add {doc_id!r}")
        return cur.lastrowid

    def _replace_document(self, doc: int, meta: tuple) -> None:
        self._con.execute(
            "UPDATE documents SET src_path = ?, tgt_path = ?, src_lang = ?, tgt_lang = ?, "
            "src_sha256 = ?, tgt_sha256 = ?, model = ?, signature = ?, settings = ?, origin = ?, "
            "aligned_at = ?, align_seconds = NULL, revision = revision + 1 WHERE id = ?",
            (*meta, doc),
        )
        self._con.execute("DELETE FROM beads WHERE doc = ?", (doc,))
        self._con.execute("DELETE FROM sentences WHERE doc = ?", (doc,))

    def _insert_content(
        self,
        doc: int,
        src: Sequence[str],
        tgt: Sequence[str],
        beads: Sequence[Merged],
        times: tuple[Sequence[tuple[float, float] | None], Sequence[tuple[float, float] | None]] = ((), ()),
    ) -> None:
        """Sentences (with their times, for subtitles: `times` per side) and beads of a document."""
        rows = []
        for side, texts, side_times in (("src", src, times[0]), ("tgt", tgt, times[1])):
            for i, text in enumerate(texts):
                t = side_times[i] if i < len(side_times) else None
                rows.append((doc, side, i, text, *(t or (None, None))))
        self._con.executemany(
            "INSERT INTO sentences (doc, side, idx, text, t_start, t_end) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
        self._con.executemany(
            "INSERT INTO beads (doc, idx, src_ids, tgt_ids, confidence, type, status, src_edit, "
            "tgt_edit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (doc, k, _ids_text(b.src), _ids_text(b.tgt), b.confidence,
                 b.type or f"{len(b.src)}-{len(b.tgt)}", b.status, b.src_edit, b.tgt_edit)
                for k, b in enumerate(beads)
            ),  # fmt: skip
        )

    def _reviewed(self, doc: int) -> tuple[list[Reviewed], list[tuple[tuple[str, ...], tuple[str, ...]]]]:
        src, tgt = self._texts(doc, "src"), self._texts(doc, "tgt")
        reviewed, rejected = [], []
        last_s = last_t = 0
        for s_ids, t_ids, conf, status, s_edit, t_edit in self._con.execute(
            "SELECT src_ids, tgt_ids, confidence, status, src_edit, tgt_edit FROM beads "
            "WHERE doc = ? ORDER BY idx",
            (doc,),
        ):
            s, t = _ids(s_ids), _ids(t_ids)
            last_s, last_t = (s[0] if s else last_s), (t[0] if t else last_t)
            texts = (tuple(src[i] for i in s), tuple(tgt[j] for j in t))
            if status in ("confirmed", "edited"):
                reviewed.append(Reviewed(*texts, last_s, last_t, status, conf, s_edit, t_edit))
            elif status == "rejected":
                rejected.append(texts)
        return reviewed, rejected

    def _log(self, doc_id: str, bead: int | None, action: str, old: str | None, new: str | None) -> None:
        self._con.execute(
            "INSERT INTO log (at, doc_id, bead, action, from_value, to_value) VALUES (?, ?, ?, ?, ?, ?)",
            (_now(), doc_id, bead, action, old, new),
        )

    # -- importing -----------------------------------------------------------------------------

    def store_imported(
        self,
        path: Path,
        documents: Sequence[tuple[str, Callable[[], tuple[Sequence[str], Sequence[str], Sequence[Merged]]]]],
        *,
        src_lang: str,
        tgt_lang: str,
        origin: str = "tmx",
    ) -> list[AddResult]:
        """Store the documents of an imported file, all in ONE transaction: each (doc_id,
        content) is "imported", or "replaced" for an existing id (the log keeps a record), or
        "unchanged" when that file (same sha256) was the last import of that id. `content()`
        gives the (source sentences, target sentences, beads); it is called inside the
        transaction, only when needed, and an error it raises changes nothing."""
        sha = _sha256(path, "")
        results: list[AddResult] = []
        with self._write():
            for doc_id, content in documents:
                old = self._doc_row(doc_id)
                if old is not None and old["origin"] == origin and old["src_sha256"] == sha:
                    n = self._con.execute("SELECT count(*) FROM beads WHERE doc = ?", (old["id"],)).fetchone()[0]
                    results.append(AddResult("unchanged", doc_id, n))
                    continue
                meta = (_path_text(path), _path_text(path), src_lang, tgt_lang, sha, sha, None, None, None, origin, _now())
                if old is None:
                    doc = self._insert_document(doc_id, meta)
                else:
                    doc = old["id"]
                    self._replace_document(doc, meta)
                src, tgt, beads = content()
                self._insert_content(doc, src, tgt, beads)
                refresh_summary(self._con, doc)
                action: AddAction = "imported" if old is None else "replaced"
                self._log(doc_id, None, action, old["signature"] if old else None, _path_text(path))
                results.append(AddResult(action, doc_id, len(beads)))
        return results

    # -- reading -------------------------------------------------------------------------------

    def summaries(self, *, threshold: float = REVIEW_THRESHOLD) -> list[DocSummary]:
        """Every document's summary (sentences, beads by type and status, mean confidence,
        beads below `threshold`), in the order they were first added."""
        return read_summaries(self._con, threshold)

    def beads(self, doc_id: str, *, below: float | None = None) -> list[StoredBead]:
        """The beads of one document in order (only those with confidence < `below` if given)."""
        doc = self._doc_key(doc_id)
        return list(self._iter_beads([(doc, doc_id)], None, None, True, below=below))

    def bead(self, doc_id: str, bead_idx: int) -> StoredBead:
        """One bead, reading only its own row and sentences (fast on any document size)."""
        return self._bead(self._doc_key(doc_id), doc_id, bead_idx)

    def _bead(self, doc: int, doc_id: str, bead_idx: int, *, aligned: bool = False) -> StoredBead:
        """Bead `bead_idx` of `doc`; with aligned=True its texts ignore any edit (the aligner's)."""
        from align.store.edits import position  # idx is a position, not the bead's number

        row = self._con.execute(
            "SELECT idx, src_ids, tgt_ids, confidence, type, status, src_edit, tgt_edit "
            "FROM beads WHERE doc = ? AND idx = ?",
            (doc, position(self._con, doc, bead_idx)),
        ).fetchone()
        if row is not None:
            row = (bead_idx, *row[1:])
        if row is None:
            n = self._con.execute("SELECT count(*) FROM beads WHERE doc = ?", (doc,)).fetchone()[0]
            have = f"0..{n - 1}" if n else "none"
            raise CorpusError(f"{self.path}: document {doc_id!r} has no bead {bead_idx} (its beads: {have})")
        if aligned:
            row = (*row[:6], None, None)
        src_lang, tgt_lang = self._con.execute(
            "SELECT src_lang, tgt_lang FROM documents WHERE id = ?", (doc,)
        ).fetchone()
        texts = {}
        for side, ids in (("src", _ids(row[1])), ("tgt", _ids(row[2]))):
            texts[side] = dict(self._con.execute(
                f"SELECT idx, text FROM sentences WHERE doc = ? AND side = ? AND idx IN ({', '.join('?' * len(ids))})",
                (doc, side, *ids),
            )) if ids else {}  # fmt: skip
        return _stored_bead(doc_id, row, texts["src"], texts["tgt"], src_lang, tgt_lang)

    def set_status(
        self, doc_id: str, bead_idx: int, status: str, *, expected_revision: int | None = None
    ) -> bool:
        """Mark a bead auto/confirmed/edited/rejected (logged, one transaction); True if it
        changed. Back to `auto` means back to the aligner's proposal: an edit is dropped
        (logged as revert-src/revert-tgt, from the edited to the aligned text).

        With `expected_revision`, raises CorpusError (changing nothing) when the document has
        been realigned or replaced since that revision was read."""
        return self.set_statuses(doc_id, [bead_idx], status, expected_revision=expected_revision) == 1

    def set_statuses(
        self,
        doc_id: str,
        indices: Iterable[int],
        status: str,
        *,
        expected_revision: int | None = None,
        expected_statuses: Mapping[int, str] | None = None,
    ) -> int:
        """set_status for many beads in ONE transaction with their log entries, so an
        interruption changes all of them or none; returns how many changed. Every index is
        checked first: a missing bead raises CorpusError and nothing changes. With
        `expected_statuses` (bead → status when the change was planned), a bead that another
        process changed meanwhile raises CorpusError too, instead of overwriting its review."""
        from align.store import edits

        return edits.set_statuses(
            self, doc_id, indices, status, expected_revision=expected_revision, expected_statuses=expected_statuses
        )

    def edit_bead(
        self,
        doc_id: str,
        bead_idx: int,
        *,
        src: str | None = None,
        tgt: str | None = None,
        expected_revision: int | None = None,
    ) -> None:
        """Correct the text of a bead's side(s); the bead becomes `edited` (logged, one
        transaction). The sentences stay as aligned, so a re-add can still recognise it.
        Reads only this bead. `expected_revision` as in set_status."""
        from align.store import edits

        edits.edit_text(self, doc_id, bead_idx, src=src, tgt=tgt, expected_revision=expected_revision)

    def log(self, doc_id: str | None = None) -> list[tuple[str, str, int | None, str, str | None, str | None]]:
        """The review log (at, doc_id, bead, action, from, to), oldest first."""
        sql = "SELECT at, doc_id, bead, action, from_value, to_value FROM log"
        if doc_id is None:
            return self._con.execute(sql + " ORDER BY id").fetchall()
        return self._con.execute(sql + " WHERE doc_id = ? ORDER BY id", (doc_id,)).fetchall()

    def iter_beads(
        self,
        *,
        doc_ids: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        min_confidence: float | None = None,
        include_unaligned: bool = True,
    ) -> Iterator[StoredBead]:
        """Stream the beads of the corpus (or of `doc_ids`, in that order), filtered.

        Review status is the truth: `statuses` None means every status but `rejected`, and
        `min_confidence` leaves out only `auto` beads below it (confirmed and edited stay).
        Reads through its own connection in one read transaction: a consistent snapshot,
        while other processes may keep writing. Memory: one document's sentences at a time.
        """
        for s in statuses or ():
            if s not in BEAD_STATUSES:
                raise UsageError(f"unknown status {s!r}; use one of {', '.join(BEAD_STATUSES)}")
        targets = [(self._doc_key(d), d) for d in doc_ids] if doc_ids else None
        statuses = EXPORTED_STATUSES if statuses is None else statuses
        return self._iter_beads(targets, statuses, min_confidence, include_unaligned)

    def _iter_beads(  # noqa: ANN001
        self, targets, statuses, min_confidence, include_unaligned, *, below: float | None = None
    ) -> Iterator[StoredBead]:
        con = self._reader()
        try:
            con.execute("BEGIN")
            docs = targets or con.execute("SELECT id, doc_id FROM documents ORDER BY id").fetchall()
            where, args = "WHERE 1", []
            if statuses is not None:
                where += f" AND status IN ({', '.join('?' * len(statuses))})"
                args += list(statuses)
            if min_confidence is not None:  # a reviewed bead stays whatever the aligner thought
                where += f" AND (confidence >= ? OR status IN ({', '.join('?' * len(REVIEWED_STATUSES))}))"
                args += [min_confidence, *REVIEWED_STATUSES]
            if below is not None:
                where += " AND confidence < ?"
                args.append(below)
            if not include_unaligned:
                where += " AND src_ids != '' AND tgt_ids != ''"
            for doc, doc_id in docs:
                src_lang, tgt_lang = con.execute(
                    "SELECT src_lang, tgt_lang FROM documents WHERE id = ?", (doc,)
                ).fetchone()
                src, tgt = self._texts(doc, "src", con), self._texts(doc, "tgt", con)
                times = self._times(doc, con)
                cur = con.execute(  # a bead's number is its rank: idx is a position (store.edits)
                    "SELECT * FROM (SELECT row_number() OVER (ORDER BY idx) - 1 AS k, src_ids, tgt_ids, "
                    "confidence, type, status, src_edit, tgt_edit FROM beads WHERE doc = ?) "
                    f"{where} ORDER BY k",
                    [doc, *args],
                )
                while chunk := cur.fetchmany(FETCH):
                    for row in chunk:
                        yield _stored_bead(doc_id, row, src, tgt, src_lang, tgt_lang, times)
            con.execute("COMMIT")
        except sqlite3.Error as e:
            raise schema.translate_error(e, self.path) from None
        finally:
            con.close()


def _stored_bead(  # noqa: ANN001
    doc_id: str, row: tuple, src, tgt, src_lang: str, tgt_lang: str, times: dict | None = None
) -> StoredBead:
    """A bead row (idx, src_ids, tgt_ids, confidence, type, status, src_edit, tgt_edit) as a
    StoredBead; `src`/`tgt` map sentence index → text (a list, or a dict of just these);
    `times` maps (side, index) → (start, end) for a subtitle document (see Corpus._times)."""
    idx, s_ids, t_ids, conf, type_, status, s_edit, t_edit = row
    s, t = _ids(s_ids), _ids(t_ids)
    span = time_span([times.get(("src", i)) for i in s] + [times.get(("tgt", j)) for j in t]) if times else None
    return StoredBead(
        doc_id, idx,
        s_edit if s_edit is not None else join_sentences([src[i] for i in s], src_lang),
        t_edit if t_edit is not None else join_sentences([tgt[j] for j in t], tgt_lang),
        s, t, conf, type_, status, *(span or (None, None)),
    )  # fmt: skip


class _Transaction:
    """BEGIN IMMEDIATE on enter; COMMIT on success, ROLLBACK on any exception."""

    def __init__(self, con: sqlite3.Connection, path: Path) -> None:
        self.con, self.path = con, path

    def __enter__(self) -> None:
        try:
            self.con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise schema.translate_error(e, self.path) from None

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        if exc_type is None:
            try:
                self.con.execute("COMMIT")
            except sqlite3.Error as e:
                self.con.execute("ROLLBACK")
                raise schema.translate_error(e, self.path) from None
        else:
            self.con.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise schema.translate_error(exc, self.path) from None
            if isinstance(exc, UnicodeEncodeError):  # a value no check above caught
                raise CorpusError(
                    f"{self.path}: cannot store {exc.object[max(exc.start - 15, 0) : exc.end + 15]!r}: "
                    "not valid Unicode (bytes that did not decode); fix the input's encoding"
                ) from None
