"""The corpus store: one SQLite file of documents, sentences, beads and a review log.

`corpus` is the storage (open, add, update, query, log); `tmx_import` brings a TMX file in;
`export` maps stored beads to export rows; `tables` builds the display tables of `align list`.
"""

from __future__ import annotations

from align.store.corpus import AddResult, Corpus, DocumentInfo, StoredBead, default_doc_id
from align.store.export import export_rows
from align.store.tmx_import import import_tmx

__all__ = ["AddResult", "Corpus", "DocumentInfo", "StoredBead", "default_doc_id", "export_rows", "import_tmx"]
