"""Text the corpus cannot hold: SQLite stores UTF-8, which has no lone surrogates (what
Python's errors='surrogateescape' leaves for bytes that did not decode)."""

from __future__ import annotations

from collections.abc import Sequence

from align.errors import InputError


def lone_surrogate(text: str) -> int | None:
    """Where `text` has a lone surrogate (which UTF-8, hence SQLite, cannot hold), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return e.start
    return None


def require_unicode(texts: Sequence[str], what: str, how: str) -> None:
    """Raise InputError naming the first text with a lone surrogate (texts decoded with
    errors='surrogateescape' carry the undecodable bytes that way): `what` is formatted with
    the text's 1-based number k."""
    try:
        "".join(texts).encode("utf-8")  # one pass for the usual, clean case
        return
    except UnicodeEncodeError:
        pass
    for k, text in enumerate(texts, 1):
        if (at := lone_surrogate(text)) is not None:
            raise InputError(
                f"{what.format(k=k)} is not valid Unicode: {text[max(at - 15, 0) : at + 15]!r} has the "
                f"lone surrogate U+{ord(text[at]):04X} at character {at + 1} (bytes that did not decode); {how}"
            )
