"""Re-aligning a changed document without losing review work.

A reviewed bead (confirmed or edited) is kept when the texts of its sentences still occur,
each side as a contiguous run, in the new sentence lists, in the same order as the other
kept beads. Kept beads become anchors; between two anchors the new aligner's beads are
clipped to the sentences between them. An aligner bead that had to give sentences to an
anchor survives as the remainder, with confidence 0.0 (the aligner never proposed it, so it
goes to the top of the review queue). A rejected bead stays rejected when the aligner
proposes exactly the same texts again. Every new sentence ends in exactly one bead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Reviewed:
    """A reviewed bead of the old alignment, by the texts of its sentences."""

    src: tuple[str, ...]
    tgt: tuple[str, ...]
    old_src_pos: int
    old_tgt_pos: int
    status: str
    confidence: float
    src_edit: str | None = None
    tgt_edit: str | None = None


@dataclass(frozen=True)
class Merged:
    """A bead of the merged alignment."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    confidence: float
    status: str = "auto"
    src_edit: str | None = None
    tgt_edit: str | None = None
    type: str | None = None
    """The shape to record when it is not the sentence counts': an imported unit whose text
    could not be cut back into the sentences its x-bead-type counts."""


def _runs(seq: Sequence[str]) -> dict[str, list[int]]:
    where: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(seq):
        where[t].append(i)
    return where


def _place(
    run: tuple[str, ...], seq: Sequence[str], where: dict[str, list[int]], start: int, expect: int
) -> int | None:
    """The start of `run` in `seq` at or after `start`, nearest to `expect`."""
    best = None
    n = len(run)
    for p in where.get(run[0], ()):
        if p >= start and tuple(seq[p : p + n]) == run and (
            best is None or abs(p - expect) < abs(best - expect)
        ):
            best = p
    return best


def _split_point(auto: Sequence[tuple[tuple[int, ...], tuple[int, ...], float]], s: int, side: int) -> int:
    """Where to cut the other side for an anchor with one empty side at position s."""
    last = -1
    for bead in auto:
        ids, oids = (bead[0], bead[1]) if side == 0 else (bead[1], bead[0])
        if ids and max(ids) < s and oids:
            last = max(last, max(oids))
    return last + 1


def merge_reviewed(
    new_src: Sequence[str],
    new_tgt: Sequence[str],
    auto: Sequence[tuple[tuple[int, ...], tuple[int, ...], float]],
    reviewed: Sequence[Reviewed],
    rejected: Sequence[tuple[tuple[str, ...], tuple[str, ...]]] = (),
) -> tuple[list[Merged], int]:
    """Merge reviewed beads into a new alignment; returns (beads, number of reviewed kept)."""
    wsrc, wtgt = _runs(new_src), _runs(new_tgt)
    anchors: list[tuple[int, int, int, int, Reviewed]] = []
    cs = ct = 0  # cursors: nothing before them may be used
    shift_s = shift_t = 0
    for r in reviewed:
        p = _place(r.src, new_src, wsrc, cs, r.old_src_pos + shift_s) if r.src else None
        q = _place(r.tgt, new_tgt, wtgt, ct, r.old_tgt_pos + shift_t) if r.tgt else None
        if (r.src and p is None) or (r.tgt and q is None) or (not r.src and not r.tgt):
            continue
        if p is None:  # 0-n bead: cut the source where the aligner puts target q
            p = max(cs, _split_point(auto, q, 1))  # type: ignore[arg-type]
        if q is None:
            q = max(ct, _split_point(auto, p, 0))
        anchors.append((p, p + len(r.src), q, q + len(r.tgt), r))
        cs, ct = p + len(r.src), q + len(r.tgt)
        if r.src:  # an empty side has no position of its own to learn the shift from
            shift_s = p - r.old_src_pos
        if r.tgt:
            shift_t = q - r.old_tgt_pos

    # Region of each sentence: the number of anchors wholly before it; -1 inside an anchor.
    def regions(n: int, spans: list[tuple[int, int]]) -> list[int]:
        reg = [0] * n
        k = 0
        for i in range(n):
            while k < len(spans) and spans[k][1] <= i and spans[k][0] <= i:
                k += 1
            inside = k < len(spans) and spans[k][0] <= i < spans[k][1]
            reg[i] = -1 if inside else k
        return reg

    sreg = regions(len(new_src), [(a[0], a[1]) for a in anchors])
    treg = regions(len(new_tgt), [(a[2], a[3]) for a in anchors])
    buckets: list[list[Merged]] = [[] for _ in range(len(anchors) + 1)]
    banned = Counter(rejected)
    for src, tgt, conf in auto:
        pieces: dict[int, tuple[list[int], list[int]]] = {}
        for i in src:
            if sreg[i] >= 0:
                pieces.setdefault(sreg[i], ([], []))[0].append(i)
        for j in tgt:
            if treg[j] >= 0:
                pieces.setdefault(treg[j], ([], []))[1].append(j)
        for reg in sorted(pieces):
            ps, pt = tuple(pieces[reg][0]), tuple(pieces[reg][1])
            whole = ps == tuple(src) and pt == tuple(tgt)
            status = "auto"
            key = (tuple(new_src[i] for i in ps), tuple(new_tgt[j] for j in pt))
            if whole and banned[key] > 0:
                banned[key] -= 1
                status = "rejected"
            buckets[reg].append(Merged(ps, pt, conf if whole else 0.0, status))
    out: list[Merged] = []
    for k, (s_lo, s_hi, t_lo, t_hi, r) in enumerate(anchors):
        out.extend(buckets[k])
        out.append(
            Merged(tuple(range(s_lo, s_hi)), tuple(range(t_lo, t_hi)), r.confidence, r.status,
                   r.src_edit, r.tgt_edit)
        )  # fmt: skip
    out.extend(buckets[len(anchors)])
    return out, len(anchors)
