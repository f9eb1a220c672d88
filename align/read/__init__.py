"""The read stage: a file's bytes in, a Document of text blocks out.

`read_document` is the entry point. Modules: `decode` (bytes to text: BOMs, UTF-16,
Shift_JIS/CP932, EUC-JP), `markup` (HTML, Markdown and plain text to blocks), `lang` (every
language fact: script detection, languages written without spaces) and `reader` (cleaning and
reflowing the blocks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from align.read.reader import clean_text, parse_document, read_document

__all__ = ["clean_text", "parse_document", "read_document"]


def __getattr__(name: str) -> Any:
    # lazy, so the shared model can use align.read.lang (the language facts) without importing
    # the reader, which builds on the model
    if name in __all__:
        from align.read import reader

        return getattr(reader, name)
    raise AttributeError(f"module 'align.read' has no attribute {name!r}")
