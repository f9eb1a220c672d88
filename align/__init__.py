"""align: turn a Japanese original and its English translation into a sentence-aligned corpus."""

from __future__ import annotations

__version__ = "0.1.0"
