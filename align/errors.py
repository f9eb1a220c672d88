"""The exception hierarchy: every error the library raises on purpose derives from AlignError.

Library code raises these; only the CLI turns them into a one-line message and an exit code.
Messages are written for the user and say how to fix the problem where that is known.
"""

from __future__ import annotations


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


class CorpusError(AlignError):
    """The corpus store cannot be opened, is locked, or a document/bead is not there."""

    exit_code = 4


class StaleError(CorpusError):
    """A write planned on a document revision (or bead) that has changed since it was read:
    refused, so it never lands on a bead that now means something else."""
