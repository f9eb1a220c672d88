"""The corpus store: one SQLite file of documents, sentences, beads and a review log."""

from __future__ import annotations

from align.store import edits
from align.store.corpus import AddResult, Corpus, DocumentInfo, StoredBead, default_doc_id

__all__ = ["AddResult", "Corpus", "DocumentInfo", "StoredBead", "default_doc_id", "edits"]
