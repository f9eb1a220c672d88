"""The exception hierarchy: every error the library raises on purpose derives from AlignError.

Library code raises these; only the CLI turns them into a one-line message and an exit code.
Messages are written for the user and say how to fix the problem where that is known.
"""

from __future__ import annotations

import re


class AlignError(Exception):
    """Base of every error align raises on purpose."""

    exit_code: int = 1


class InputError(AlignError):
    """An input file is missing, unreadable, empty, binary or not decodable."""

    exit_code = 2


class UsageError(AlignError):
    """Options that do not fit together or a value out of range."""

    exit_code = 2


class ModelError(AlignError):
    """An encoder cannot be found or loaded (offline, missing extra, bad folder)."""

    exit_code = 3


class FormatError(AlignError):
    """A file in one of our formats (beads, TMX, JSONL, CSV) is malformed."""

    exit_code = 2


class OutputError(AlignError):
    """An output cannot be written: the disk is full, the target is a disk device or a
    socket, or it is one of the command's own inputs."""

    exit_code = 5


class CorpusError(AlignError):
    """The corpus store cannot be opened, is locked, or a document/bead is not there."""

    exit_code = 4


class StaleError(CorpusError):
    """A write planned on a document revision (or bead) that has changed since it was read:
    refused, so it never lands on a bead that now means something else."""


_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _shown(m: re.Match[str]) -> str:
    o = ord(m.group())
    if o < 0x20:
        return chr(0x2400 + o)  # the Control Pictures block: ESC as ␛, tab as ␉, newline as ␊
    if o == 0x7F:
        return "\u2421"  # ␡
    if 0xDC80 <= o <= 0xDCFF:
        return f"\\x{o - 0xDC00:02x}"  # a byte of a file name that is not UTF-8 (surrogateescape)
    return f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}"


def visible(text: str) -> str:
    """`text` as it may be shown on a terminal or in a one-line message: control characters
    as their pictures (ESC as ␛, so an escape sequence in a document or a document id cannot
    move the cursor, clear the screen or recolour it), line and paragraph separators and
    bidirectional overrides as \\uXXXX, C1 controls as \\xNN, and the bytes of a file name
    that is not UTF-8 as \\xNN. Every message and every piece of corpus text the command line
    prints goes through it."""
    return _INVISIBLE.sub(_shown, text)
