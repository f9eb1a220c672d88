"""The corpus as export rows: stored beads mapped to the rows every format writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from align.formats.rows import FIELDS, ExportRow
from align.store.corpus import Corpus, StoredBead


def export_row(bead: StoredBead) -> ExportRow:
    """A stored bead as an export row (its texts as stored, edits included)."""
    return ExportRow(**{name: getattr(bead, name) for name in FIELDS})


def export_rows(
    corpus: Corpus,
    *,
    doc_ids: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    min_confidence: float | None = None,
    include_unaligned: bool = True,
) -> Iterator[ExportRow]:
    """Stream the beads of the corpus (or of `doc_ids`, in that order) as export rows; the
    filters and the consistent snapshot are Corpus.iter_beads'. Arguments are checked now,
    before the first row is asked for."""
    beads = corpus.iter_beads(
        doc_ids=doc_ids, statuses=statuses, min_confidence=min_confidence, include_unaligned=include_unaligned
    )
    return map(export_row, beads)
