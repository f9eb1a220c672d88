"""Reviewing the corpus: the terminal session (`align review`) and the browser editor (`align serve`).

Both drive the same store operations (align.store.edits); this package only decides what to
show and in what order. The web app lives in align.review.web and is imported lazily by
`align serve`, so `align review` never loads Starlette.
"""

from __future__ import annotations

from align.review.session import (
    DEFAULT_BELOW,
    DEFAULT_STATUSES,
    Answer,
    ReviewSession,
    StatusChange,
    Tally,
    apply_status_change,
    check_below,
    check_statuses,
    needs_review,
    plan_status_change,
)

__all__ = [
    "DEFAULT_BELOW",
    "DEFAULT_STATUSES",
    "Answer",
    "ReviewSession",
    "StatusChange",
    "Tally",
    "apply_status_change",
    "check_below",
    "check_statuses",
    "needs_review",
    "plan_status_change",
]
