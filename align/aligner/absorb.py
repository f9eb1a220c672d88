"""Tell a split translation from an omission: fold a null bead into its neighbour when the
joined text says so, and move bead boundaries on a many-piece side.

A translator who renders one sentence as two (or a subtitle file that cuts one sentence into
pieces) leaves a short piece that the first search, scoring spans by sums of sentence vectors,
often calls a 1-0 / 0-1 bead. The evidence that separates the two cases is the joined text:
for a bead (A, X) beside a candidate null n, encode A+n as the language writes it and compare
sim(A+n, X) with sim(A, X). A true split rises (the piece carries meaning X holds); an omitted
sentence falls (it adds meaning X lacks). Measured on the dev sets, see bench/absorb_eval.py.

Only the spans a decision needs are encoded (one or two joined spans per null, two per boundary
move), in one batch per round, so the work grows with the number of nulls and moves, not with
a window; rounds repeat while something changes, so a run of k pieces is gathered in k rounds
without any search over all span lengths.

Arrays and texts in, beads out: nothing here runs the search or the scorer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from align.aligner.refine import SpanText
from align.aligner.settings import AlignSettings
from align.aligner.weights import FinalWeights
from align.read.lang import join_sentences
from align.segment import split_sentences

__all__ = ["AbsorbPass", "Absorbed", "SpanVectors", "absorb_nulls", "absorb_pass", "belonging", "detach_candidates",
           "detach_edges",
           "move_boundaries", "null_rises"]

Bead4 = tuple[int, int, int, int]


CLOSERS = set(".!?。．！？」』）)\"'”’…")


class SpanVectors:
    """Unit vectors of sentence spans of one side: a sentence's own row, a longer span's joined
    text encoded on demand (asked for in batches, each span encoded once)."""

    def __init__(self, vecs: np.ndarray, text: SpanText, source: bool,
                 known: dict[tuple[int, int], np.ndarray] | None = None, blocks: np.ndarray | None = None) -> None:
        self.vecs, self.text, self.source = vecs, text, source
        self.blocks = blocks  # paragraph id per sentence: a bead grows only within its paragraph
        self.joint: dict[tuple[int, int], np.ndarray] = dict(known or {})
        texts = text.src if source else text.tgt
        self.lengths = np.array([max(len(t.strip()), 1) for t in texts], np.float64)
        # the sentence does not end as a sentence ends: the text after it continues it
        self.open_end = np.array([t.rstrip()[-1:] not in CLOSERS for t in texts], bool)
        self.encoded = 0

    def need(self, spans: list[tuple[int, int]]) -> None:
        """Encode, in one call, the joined text of every span of 2+ sentences not known yet."""
        todo = sorted({sp for sp in spans if sp[1] - sp[0] >= 2 and sp not in self.joint})
        self.joint.update(self.text.vectors(todo, source=self.source))
        self.encoded += len(todo)

    def sentences_in(self, span: tuple[int, int]) -> int:
        """How many sentences the segmenter finds in the joined text of span: more than its
        sentences when a line holds several (pre-segmented input)."""
        texts, lang = (self.text.src, self.text.src_lang) if self.source else (self.text.tgt, self.text.tgt_lang)
        return len(split_sentences(join_sentences(list(texts[span[0]:span[1]]), lang), lang))

    def one_block(self, span: tuple[int, int]) -> bool:
        """The sentences of span lie in one paragraph (always, when no paragraphs are known)."""
        return self.blocks is None or span[1] - span[0] < 2 or self.blocks[span[0]] == self.blocks[span[1] - 1]

    def approx(self, span: tuple[int, int]) -> np.ndarray:
        """The joined vector if known, else the sqrt-length weighted sum of the sentence vectors,
        normalised (what the first search scores spans by): a free first guess."""
        a, b = span
        if b - a == 1 or span in self.joint:
            return self[span]
        v = (np.sqrt(self.lengths[a:b])[:, None] * self.vecs[a:b]).sum(0)
        return v / max(float(np.linalg.norm(v)), 1e-12)

    def __getitem__(self, span: tuple[int, int]) -> np.ndarray:
        a, b = span
        return self.vecs[a] if b - a == 1 else self.joint[span]


@dataclass(frozen=True)
class Absorbed:
    """The path after absorbing, nulls folded into a neighbour, joined spans encoded."""

    beads: list[Bead4]
    absorbed: int
    encoded: int


def _is_null(b: Bead4) -> bool:
    return (b[0] == b[1]) != (b[2] == b[3])


def _grown(b: Bead4, side: int, first: bool) -> Bead4:
    """Bead b with one more sentence on `side` (0 source, 1 target), before it (first) or after it."""
    i0, i1, j0, j1 = b
    if side == 0:
        return (i0 - 1, i1, j0, j1) if first else (i0, i1 + 1, j0, j1)
    return (i0, i1, j0 - 1, j1) if first else (i0, i1, j0, j1 + 1)


def _spans(b: Bead4) -> tuple[tuple[int, int], tuple[int, int]]:
    return (b[0], b[1]), (b[2], b[3])


def _span_len(lengths: np.ndarray, span: tuple[int, int]) -> float:
    return float(lengths[span[0]:span[1]].sum())


def _ratio(S: SpanVectors, T: SpanVectors) -> float:
    """Source characters per target character over the whole pair."""
    return float(S.lengths.sum() / max(T.lengths.sum(), 1.0))


def belonging(part: Bead4, whole: Bead4, side: int, S: SpanVectors, T: SpanVectors, ratio: float,
              length_weight: float) -> float:
    """Evidence that the sentences `whole` has beyond `part` on `side` (the two beads share the
    other side, X) belong in the bead: the joined-text rise sim(whole, X) - sim(part, X), plus
    length_weight times how much better the lengths fit with them (|log len ratio| of part vs X
    minus that of whole vs X, the ratio measured on the whole pair). Both spans must be known
    (SpanVectors.need). One measure for both directions: a null joins a bead when it is high
    (absorb_nulls), a bead's edge sentence leaves it when it is low (detach_edges)."""
    own, other = (S, T) if side == 0 else (T, S)
    x = other[_spans(part)[1 - side]]
    ev = float(own[_spans(whole)[side]] @ x - own[_spans(part)[side]] @ x)
    if length_weight:
        lx = _span_len(other.lengths, _spans(part)[1 - side]) * (ratio if side == 0 else 1 / ratio)
        before = abs(np.log(_span_len(own.lengths, _spans(part)[side]) / lx))
        after = abs(np.log(_span_len(own.lengths, _spans(whole)[side]) / lx))
        ev += length_weight * float(before - after)
    return ev


def null_rises(
    beads: Sequence[Bead4], S: SpanVectors, T: SpanVectors, max_side: int, length_weight: float = 0.0,
    open_weight: float = 0.0,
) -> list[tuple[int, float, float]]:
    """For every null bead of the path: (path index, evidence for folding it into the bead
    before, into the bead after). The evidence is the rise sim(A+n, X) - sim(A, X) for the
    neighbour (A, X) grown on the null's side, plus length_weight times how much better the
    lengths fit after (|log len ratio| of A vs X minus that of A+n vs X, the ratio measured on
    the whole pair), plus open_weight where the earlier of the two sentences that would meet does
    not end as a sentence ends (a cut sentence's halves); -inf where there is no such neighbour
    (another null, a document end, a paragraph boundary, or a side that would exceed max_side)."""
    asks: list[list[tuple[int, int]]] = [[], []]
    plan = []
    for p, b in enumerate(beads):
        if not _is_null(b):
            continue
        side = 0 if b[1] > b[0] else 1
        opts = []
        for q, first in ((p - 1, False), (p + 1, True)):
            if 0 <= q < len(beads) and not _is_null(beads[q]):
                nb = beads[q]
                g = _grown(nb, side, first)
                if g[2 * side + 1] - g[2 * side] <= max_side and (S, T)[side].one_block(_spans(g)[side]):
                    sp, gp = _spans(nb), _spans(g)
                    asks[side] += [sp[side], gp[side]]
                    asks[1 - side].append(sp[1 - side])
                    opts.append((nb, g))
                    continue
            opts.append(None)
        plan.append((p, side, opts))
    S.need(asks[0])
    T.need(asks[1])
    ratio = _ratio(S, T)
    out = []
    for p, side, opts in plan:
        r = []
        for o in opts:
            if o is None:
                r.append(-np.inf)
                continue
            nb, g = o
            own = S if side == 0 else T
            ev = belonging(nb, g, side, S, T, ratio, length_weight)
            if open_weight:
                first = g[2 * side] < nb[2 * side]  # the null comes before the bead
                meet = g[2 * side] if first else nb[2 * side + 1] - 1  # the earlier sentence at the seam
                ev += open_weight * float(own.open_end[meet])
            r.append(ev)
        out.append((p, r[0], r[1]))
    return out


def absorb_nulls(
    beads: Sequence[Bead4], S: SpanVectors, T: SpanVectors, *, rise: float = 0.0, max_side: int = 12,
    rounds: int = 12, length_weight: float = 0.0, open_weight: float = 0.0,
) -> Absorbed:
    """Fold each null into the neighbour whose similarity rises most by taking it, if that rise
    exceeds `rise`; repeat (a run of pieces is gathered one per round) until nothing changes."""
    path = list(beads)
    absorbed = 0
    e0 = S.encoded + T.encoded
    for _ in range(rounds):
        rises = null_rises(path, S, T, max_side, length_weight, open_weight)
        take: dict[int, int] = {}  # null index -> neighbour index
        for p, before, after in rises:
            best = max(before, after)
            if best > rise:
                take[p] = p - 1 if before >= after else p + 1
        # a bead takes at most one null a side per round (its vector changes after)
        used: set[tuple[int, int]] = set()
        new = list(path)
        drop: set[int] = set()
        for p, q in sorted(take.items()):
            if q in drop or (q, p > q) in used:
                continue
            side = 0 if path[p][1] > path[p][0] else 1
            new[q] = _grown(new[q], side, first=p < q)
            used.add((q, p > q))
            drop.add(p)
        if not drop:
            break
        absorbed += len(drop)
        path = [b for k, b in enumerate(new) if k not in drop]
    return Absorbed(path, absorbed, S.encoded + T.encoded - e0)


def _sim(b: Bead4, S: SpanVectors, T: SpanVectors, approx: bool = False) -> float:
    if approx:
        return float(S.approx((b[0], b[1])) @ T.approx((b[2], b[3])))
    return float(S[(b[0], b[1])] @ T[(b[2], b[3])])


# A boundary move is checked with joined text only if the summed sentence vectors make its
# gain > gain - MOVE_SLACK, unless the sentence moved is a short piece (<= SHORT_PIECE
# characters): a fragment's own vector says little, so sums rank such moves badly (filtering
# every move, lecture-dev-subs fell 0.943 -> 0.896), while whole sentences are ranked well and
# are the costly ones to encode (1000 x 1000 Kyoto sentences: 78 joined spans without the filter)
MOVE_SLACK = 0.05
SHORT_PIECE = 40


def _worth(x, path: Sequence[Bead4], S: SpanVectors, T: SpanVectors, gain: float) -> bool:
    p, side, d, na, nb = x
    own = S if side == 0 else T
    piece = na[2 * side + 1] - 1 if d > 0 else nb[2 * side]  # the sentence that changes bead
    if own.lengths[piece] <= SHORT_PIECE:
        return True
    return (_sim(na, S, T, True) + _sim(nb, S, T, True) - _sim(path[p], S, T, True)
            - _sim(path[p + 1], S, T, True) > gain - MOVE_SLACK)


def _moves(beads: Sequence[Bead4], max_side: int) -> list[tuple[int, int, int, Bead4, Bead4]]:
    """Every one-sentence move of a boundary between two adjacent non-null beads that leaves
    both beads non-empty: (p, side, direction, new bead p, new bead p + 1)."""
    out = []
    for p in range(len(beads) - 1):
        a, b = beads[p], beads[p + 1]
        if _is_null(a) or _is_null(b):
            continue
        for side in (0, 1):
            lo, hi = 2 * side, 2 * side + 1
            if a[hi] - a[lo] >= 2 and b[hi] - b[lo] < max_side:  # a's last sentence goes to b
                na, nb = list(a), list(b)
                na[hi] -= 1
                nb[lo] -= 1
                out.append((p, side, -1, tuple(na), tuple(nb)))
            if b[hi] - b[lo] >= 2 and a[hi] - a[lo] < max_side:  # b's first sentence goes to a
                na, nb = list(a), list(b)
                na[hi] += 1
                nb[lo] += 1
                out.append((p, side, +1, tuple(na), tuple(nb)))
    return out


def move_boundaries(
    beads: Sequence[Bead4], S: SpanVectors, T: SpanVectors, *, gain: float = 0.0, max_side: int = 12,
    rounds: int = 12,
) -> tuple[list[Bead4], int]:
    """Move single sentences across the boundary of two adjacent beads while the two beads'
    summed joined-text similarity rises by more than `gain`; each bead moves at most once a
    round, best moves first. Returns (path, sentences moved)."""
    path = list(beads)
    moved = 0
    for _ in range(rounds):
        mv = [x for x in _moves(path, max_side)
              if (S, T)[x[1]].one_block(_spans(x[3])[x[1]]) and (S, T)[x[1]].one_block(_spans(x[4])[x[1]])
              and _worth(x, path, S, T, gain)]
        if not mv:
            break
        asks: list[list[tuple[int, int]]] = [[], []]
        for p, _side, _d, na, nb in mv:
            for b in (path[p], path[p + 1], na, nb):
                asks[0].append((b[0], b[1]))
                asks[1].append((b[2], b[3]))
        S.need(asks[0])
        T.need(asks[1])
        scored = []
        for p, side, d, na, nb in mv:
            delta = _sim(na, S, T) + _sim(nb, S, T) - _sim(path[p], S, T) - _sim(path[p + 1], S, T)
            if delta > gain:
                scored.append((delta, p, na, nb))
        scored.sort(reverse=True)
        busy: set[int] = set()
        done = 0
        for _delta, p, na, nb in scored:
            if p in busy or p + 1 in busy:
                continue
            path[p], path[p + 1] = na, nb
            busy |= {p, p + 1}
            done += 1
        if not done:
            break
        moved += done
    return path, moved


def detach_candidates(beads: Sequence[Bead4], S: SpanVectors, T: SpanVectors) -> list[tuple[int, int, Bead4, bool]]:
    """The edge sentences detach_edges may take out of their bead: (path index, side, the bead
    without it, whether it is the bead's first sentence on that side). The first or last
    sentence of a bead side of 2+ sentences, where the seam between it and the rest is closed
    (the earlier of the two ends as a sentence ends: a cut sentence's halves are one sentence,
    never a dropped one) and the other side holds fewer sentences than this one (the segmenter's
    count in its joined text: a line holding two sentences against two is a true 2-1, with no
    sentence left over to be an omission; on kyoto-synth-21, whose 2-1 beads are all such lines,
    the detach step cost 0.955 -> 0.947 strict F1 without this, nothing with it)."""
    out = []
    for p, b in enumerate(beads):
        if _is_null(b):
            continue
        for side in (0, 1):
            lo, hi = b[2 * side], b[2 * side + 1]
            if hi - lo < 2:
                continue
            own, other = (S, T) if side == 0 else (T, S)
            if other.sentences_in(_spans(b)[1 - side]) >= hi - lo:
                continue
            for first in (True, False):
                if not own.open_end[lo if first else hi - 2]:
                    out.append((p, side, _without_edge(b, side, first), first))
    return out


def detach_edges(
    beads: Sequence[Bead4], S: SpanVectors, T: SpanVectors, *, below: float, length_weight: float,
) -> tuple[list[Bead4], int]:
    """The symmetric case of absorb_nulls: a dropped sentence the search merged into its
    neighbour's bead (a 2-1 / 1-2 / n-1 holding a sentence the other side never translated).

    For each candidate edge sentence (detach_candidates), `belonging` measures what it adds to
    its bead (the bead without it as `part`); the one that adds least leaves the bead as a
    1-0 / 0-1 if that is below `below`. Returns (path, sentences detached)."""
    ratio = _ratio(S, T)
    cands = detach_candidates(beads, S, T)
    asks: list[list[tuple[int, int]]] = [[], []]
    for p, side, rest, _first in cands:
        asks[side] += [_spans(beads[p])[side], _spans(rest)[side]]
        asks[1 - side].append(_spans(beads[p])[1 - side])
    S.need(asks[0])
    T.need(asks[1])
    worst: dict[int, tuple[float, list[Bead4]]] = {}
    for p, side, rest, first in cands:
        ev = belonging(rest, beads[p], side, S, T, ratio, length_weight)
        if ev < below and (p not in worst or ev < worst[p][0]):
            null = _edge_null(beads[p], side, first)
            worst[p] = (ev, [null, rest] if first else [rest, null])
    out: list[Bead4] = []
    for p, b in enumerate(beads):
        out += worst[p][1] if p in worst else [b]
    return out, len(worst)


def _without_edge(b: Bead4, side: int, first: bool) -> Bead4:
    """Bead b without its first (or last) sentence on `side`."""
    i0, i1, j0, j1 = b
    if side == 0:
        return (i0 + 1, i1, j0, j1) if first else (i0, i1 - 1, j0, j1)
    return (i0, i1, j0 + 1, j1) if first else (i0, i1, j0, j1 - 1)


def _edge_null(b: Bead4, side: int, first: bool) -> Bead4:
    """The first (or last) sentence of bead b on `side` as a 1-0 / 0-1 bead, where it stands."""
    i0, i1, j0, j1 = b
    if side == 0:
        return (i0, i0 + 1, j0, j0) if first else (i1 - 1, i1, j1, j1)
    return (i0, i0, j0, j0 + 1) if first else (i1, i1, j1 - 1, j1)


# Confidence of the final path. The first pass's confidence knows nothing of the beads this
# pass made or of the joined-text evidence, so every bead's confidence is recalibrated from
# FINAL_FEATURES by a logistic score and an isotonic map fitted on all 7 dev sets
# (bench/fit_final_confidence.py; weights in align/aligner/weights/final.py), and a bead the
# pass left as it was gets no more than the first pass gave it: held out by set, Text+Berg's
# beads at >= 0.9 are 88.9% right with the fitted map alone, 90.9% with this cap (pooled 98.3%
# on 86.7% of beads -> 99.0% on 80.2%). A null that could be folded into a neighbour (evidence
# above DOUBT_RISE: 72% of those are right on the dev sets, 95% of the others) never gets more
# than DOUBT_CAP.
FINAL_FEATURES = ("const", "prior_logit", "changed", "is_null", "null_evidence", "sim", "sim_margin",
                  "many", "neighbour_changed")
DOUBT_RISE = -0.25
DOUBT_CAP = 0.85


def final_features(
    path: Sequence[Bead4], prior: np.ndarray, changed: np.ndarray, S: SpanVectors, T: SpanVectors,
    max_side: int, length_weight: float,
) -> np.ndarray:
    """(len(path), len(FINAL_FEATURES)): the first pass's confidence as log-odds (0 for a bead
    this pass made), whether the pass made it or a neighbour, null flag and its best evidence
    for joining a neighbour, the bead's joined-text similarity (summed vectors where its spans
    were never encoded) and its lead over the neighbouring beads' similarity, 3+ sentences."""
    N = len(path)
    X = np.zeros((N, len(FINAL_FEATURES)))
    if not N:
        return X
    pr = np.clip(np.where(changed, 0.5, prior), 1e-3, 1 - 1e-3)
    null = np.array([_is_null(b) for b in path])
    sim = np.array([0.0 if n else _sim(b, S, T, True) for b, n in zip(path, null)])
    ev = np.zeros(N)
    for p, a, b in null_rises(path, S, T, max_side, length_weight):
        ev[p] = np.clip(max(a, b), -0.5, 0.5) if np.isfinite(max(a, b)) else -0.5
    nb = np.maximum(np.concatenate([[0.0], sim[:-1]]), np.concatenate([sim[1:], [0.0]]))
    ch = changed.astype(float)
    X[:, 0] = 1.0
    X[:, 1] = np.log(pr / (1 - pr)) * (1 - ch)
    X[:, 2] = ch
    X[:, 3] = null
    X[:, 4] = ev
    X[:, 5] = sim
    X[:, 6] = np.where(null, 0.0, sim - nb)
    X[:, 7] = [(b[1] - b[0]) + (b[3] - b[2]) >= 3 for b in path]
    X[:, 8] = np.maximum(np.concatenate([[0.0], ch[:-1]]), np.concatenate([ch[1:], [0.0]]))
    return X


def final_confidences(X: np.ndarray, weights: FinalWeights | None = None) -> np.ndarray:
    """Calibrated probability that each bead is exactly right, from final_features (the shipped
    weights/final.py unless other weights are given)."""
    if weights is None:
        from align.aligner.weights import default_weights

        weights = default_weights().final
    w = np.array([weights.weights[f] for f in FINAL_FEATURES])
    conf = np.interp(X @ w, weights.score_points, weights.rate_points)
    kept = X[:, FINAL_FEATURES.index("changed")] == 0
    prior = 1 / (1 + np.exp(-X[:, FINAL_FEATURES.index("prior_logit")]))
    conf[kept] = np.minimum(conf[kept], prior[kept])
    doubt = (X[:, FINAL_FEATURES.index("is_null")] > 0) & (X[:, FINAL_FEATURES.index("null_evidence")] > DOUBT_RISE)
    conf[doubt] = np.minimum(conf[doubt], DOUBT_CAP)
    return np.clip(conf, 0.0, 0.999)


@dataclass(frozen=True)
class AbsorbPass:
    """The path after the pass, a confidence per bead, and counts for the run's stats."""

    beads: list[Bead4]
    confidences: np.ndarray
    absorbed: int
    moved: int
    detached: int
    encoded: int
    seconds: float
    features: np.ndarray  # final_features of the path (what the confidence was computed from)


def absorb_pass(
    beads: Sequence[Bead4], confidences: np.ndarray, S: SpanVectors, T: SpanVectors, st: AlignSettings, *,
    weights: FinalWeights | None = None, repeats: int = 3,
) -> AbsorbPass:
    """Absorb split pieces left as nulls (st.absorb_rise, st.absorb_length), move boundary
    sentences (st.move_gain), repeat (up to `repeats` times) while boundaries move; detach the
    dropped sentences merged into a bead (st.detach_below, st.detach_length); then rate every
    bead of the final path (final_confidences)."""
    import time

    t0 = time.perf_counter()
    rise, length_weight, move_gain, max_side = st.absorb_rise, st.absorb_length, st.move_gain, st.absorb_max_side
    e0 = S.encoded + T.encoded
    path = list(beads)
    absorbed = moved = 0
    for _ in range(repeats):
        if rise is not None:
            a = absorb_nulls(path, S, T, rise=rise, max_side=max_side, length_weight=length_weight,
                             open_weight=st.absorb_open)
            path, absorbed = a.beads, absorbed + a.absorbed
        k = 0
        if move_gain is not None:
            path, k = move_boundaries(path, S, T, gain=move_gain, max_side=max_side)
            moved += k
        if not k:
            break
    detached = 0
    if st.detach_below is not None:
        path, detached = detach_edges(path, S, T, below=st.detach_below, length_weight=st.detach_length)
    old = dict(zip(beads, np.asarray(confidences, np.float64)))
    prior = np.array([old.get(b, 0.5) for b in path], np.float64)
    changed = np.array([b not in old for b in path])
    X = final_features(path, prior, changed, S, T, max_side, length_weight)
    return AbsorbPass(path, final_confidences(X, weights), absorbed, moved, detached, S.encoded + T.encoded - e0,
                      time.perf_counter() - t0, X)
