"""The library's main entry points: file → Document, two Documents → Alignment, and a file
pair → a document of a corpus (`add_files`, the one source of what `align add` and `align batch`
do with a pair).

The CLI commands are thin shells over these functions; a Python user calls them directly:

    from align.pipeline import align_files
    alignment = align_files("ja.md", "en.md")
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from align import __version__
from align.errors import InputError
from align.model import (
    Alignment, Bead, Block, Document, Progress, ProgressCallback, Sentence, Signature, join_sentences,
)
from align.aligner.notes import insert_null_beads, split_notes

if TYPE_CHECKING:
    from align.aligner import AlignSettings
    from align.encoders import Encoder
    from align.store import AddResult

PRESEGMENTED = "presegmented"
MAX_SENTENCES = 120_000
"""The most sentences a side that one pair may have: reading, segmenting, encoding and
aligning two documents of this many sentences stays within 4 GiB of memory, model and all
(bench/memory_bound.py --full: 2.68 GiB peak at 116,400 a side). A file of at most
read.decode.MAX_INPUT_BYTES can still hold more (a list of very short lines): it is
refused before it is encoded."""


def load_document(
    path: str | Path, *, lang: str | None = None, presegmented: bool = False, footnotes: bool = False
) -> Document:
    """Read and segment one file; `lang=None` detects the language from the script.

    With `presegmented`, each line is one sentence used as it is (line i is sentence i);
    `footnotes` reads a DOCX file's footnotes too.
    """
    if presegmented:
        return read_presegmented(path, lang=lang)
    from align.read import read_document
    from align.segment import segment_document

    return segment_document(read_document(path, lang=lang, footnotes=footnotes))


def read_presegmented(path: str | Path, *, lang: str | None = None) -> Document:
    """One sentence a line, no cleaning; an empty line inside the file is an error (it would shift ids)."""
    from align.read.decode import decode_bytes, read_bytes
    from align.read.lang import detect_language, normalise_language

    lang = normalise_language(lang)

    p = Path(path)
    data = read_bytes(p)
    text = decode_bytes(data, name=str(p)).lstrip("\ufeff")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()  # trailing blank lines shift no ids
    blocks: list[Block] = []
    sentences: list[Sentence] = []
    pos = 0
    for n, line in enumerate(lines):
        if not line.strip():
            raise InputError(
                f"{p}: line {n + 1} is empty; --presegmented needs one sentence on every line"
            )
        blocks.append(Block("line", pos, pos + len(line)))
        sentences.append(Sentence(pos, pos + len(line), n))
        pos += len(line) + 1
    if not sentences:
        raise InputError(f"{p}: the file is empty; give one sentence a line")
    joined = "\n".join(lines)
    return Document(
        text=joined,
        lang=lang or detect_language(joined),
        blocks=tuple(blocks),
        sentences=tuple(sentences),
        source=str(p),
        sha256=hashlib.sha256(data).hexdigest(),
    )


ENCODE_CHUNK = 1024
"""Sentences encoded between two progress reports: a multiple of the encoders' batch (256) and a
divisor of the cache's save chunk (2048), so the batches the model sees stay the same."""


def _reporting(encode: Callable[[Sequence[str]], Any], total: int, progress: ProgressCallback) -> Callable[[Sequence[str]], Any]:
    """`encode`, reporting sentences encoded until `total` is reached (the documents' own
    sentences come first; the few joined spans encoded after them are not counted). A long call
    is cut into chunks of ENCODE_CHUNK, so a 50,000-sentence side reports as it goes; the model
    still encodes the same batches of 256 (a sentence's vector can move in its last bit with the
    sentences batched beside it), unless repeated or cached sentences shift them."""
    import numpy as np

    done = 0

    def encode_reporting(texts: Sequence[str]) -> Any:
        nonlocal done
        if done >= total:
            return encode(texts)
        parts = []
        for i in range(0, max(len(texts), 1), ENCODE_CHUNK):
            part = texts[i : i + ENCODE_CHUNK]
            parts.append(encode(part))
            done = min(done + len(part), total)
            progress(Progress("encode", done, total))
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    return encode_reporting


def make_signature(encoder_name: str, *, segmenter: str | None = None, settings: AlignSettings | None = None) -> Signature:
    """The signature an alignment made with this encoder, segmenter and settings carries; known
    before aligning, so a batch can tell a pair already aligned this way without aligning it."""
    from align.aligner import AlignSettings

    if segmenter is None:
        from align.segment import SEGMENTER_ID

        segmenter = SEGMENTER_ID
    return Signature(
        version=__version__, model=encoder_name, segmenter=segmenter, settings=(settings or AlignSettings()).items()
    )


def align_documents(
    src: Document,
    tgt: Document,
    *,
    encoder: Encoder,
    settings: AlignSettings | None = None,
    segmenter: str | None = None,
    progress: ProgressCallback | None = None,
) -> Alignment:
    """Align two segmented documents; the result carries a signature of every setting used.
    `progress` hears how many of the documents' sentences are encoded."""
    from align.aligner import AlignSettings, align_sentences

    for doc, role in ((src, "source"), (tgt, "target")):
        if not doc.sentences:
            raise InputError(f"{doc.source or role}: no sentences to align")
        if len(doc.sentences) > MAX_SENTENCES:
            raise InputError(
                f"{doc.source or role}: {len(doc.sentences):,} sentences, over align's limit of "
                f"{MAX_SENTENCES:,} a side in one pair (memory); split it into parts (by chapter or "
                "section) and align each part with the same part of the translation"
            )
    settings = settings or AlignSettings()
    src_keep, src_notes = split_notes(src.sentence_texts)
    tgt_keep, tgt_notes = split_notes(tgt.sentence_texts)
    src_texts = [src.sentence_texts[i] for i in src_keep]
    tgt_texts = [tgt.sentence_texts[i] for i in tgt_keep]
    encode, vecs = encoder.encode, {}
    if progress is not None:
        encode = _reporting(encode, len(src_texts) + len(tgt_texts), progress)
    if src.cues and tgt.cues:  # two subtitle files: when a sentence is spoken is evidence too
        from align.aligner.refine import MAX_SIDE as REFINE_MAX_SIDE
        from align.aligner.timing import timed_inputs

        encode, vecs["src_vecs"], vecs["tgt_vecs"] = timed_inputs(
            encode,
            (src_texts, [src.sentence_times[i] for i in src_keep], lambda t: join_sentences(t, src.lang)),
            (tgt_texts, [tgt.sentence_times[i] for i in tgt_keep], lambda t: join_sentences(t, tgt.lang)),
            max_len=max(settings.max_side, REFINE_MAX_SIDE),
        )
    result = align_sentences(
        src_texts,
        tgt_texts,
        encode,
        src_lang=src.lang,
        tgt_lang=tgt.lang,
        settings=settings,
        src_blocks=[src.sentences[i].block for i in src_keep],
        tgt_blocks=[tgt.sentences[i].block for i in tgt_keep],
        src_block_kinds=[src.blocks[src.sentences[i].block].kind for i in src_keep],
        tgt_block_kinds=[tgt.blocks[tgt.sentences[i].block].kind for i in tgt_keep],
        **vecs,
    )
    beads = [
        Bead(tuple(src_keep[i] for i in b.src), tuple(tgt_keep[j] for j in b.tgt), b.confidence)
        for b in result.beads
    ]
    beads = insert_null_beads(beads, src_notes=src_notes, tgt_notes=tgt_notes)
    if progress is not None:  # every sentence was found in the cache or encoded
        progress(Progress("encode", len(src_texts) + len(tgt_texts), len(src_texts) + len(tgt_texts)))
    signature = make_signature(encoder.name, segmenter=segmenter, settings=settings)
    return Alignment(src=src, tgt=tgt, beads=tuple(beads), signature=signature, stats=dict(result.stats))


def align_files(
    src: str | Path,
    tgt: str | Path,
    *,
    src_lang: str | None = "ja",
    tgt_lang: str | None = "en",
    model: str = "use-m3",
    presegmented: bool = False,
    footnotes: bool = False,
    cache: bool = True,
    threads: int = 1,
    settings: AlignSettings | None = None,
    progress: ProgressCallback | None = None,
) -> Alignment:
    """Read, segment, encode and align a file pair: the one call behind `align pair`, `align add`
    and every pair of `align batch`. `progress` hears how many sentences are encoded."""
    from align.encoders import get_encoder

    t0 = time.perf_counter()
    src_doc = load_document(src, lang=src_lang, presegmented=presegmented, footnotes=footnotes)
    tgt_doc = load_document(tgt, lang=tgt_lang, presegmented=presegmented, footnotes=footnotes)
    t1 = time.perf_counter()
    encoder = get_encoder(model, threads=threads, cache=cache)
    alignment = align_documents(
        src_doc,
        tgt_doc,
        encoder=encoder,
        settings=settings,
        segmenter=PRESEGMENTED if presegmented else None,
        progress=progress,
    )
    stats = dict(alignment.stats)
    stats["read_segment_s"] = t1 - t0
    stats["total_s"] = time.perf_counter() - t0
    for counter in ("hits", "misses"):
        if hasattr(encoder, counter):
            stats[f"cache_{counter}"] = float(getattr(encoder, counter))
    return replace(alignment, stats=stats)


PAIR_PROBLEMS = ("files look unrelated", "languages look swapped")
"""The aligner's warnings that mean the two files are not a document and its translation."""


def pair_problems(alignment: Alignment) -> list[str]:
    """What says this pair is not an original and its translation: the same file (or the
    same content) on both sides, unrelated files, swapped languages (the aligner's checks),
    both files in one language, or one file not in the language its option says. `align
    pair` warns about them; `align add` refuses to store such a pair unless forced."""
    from align.read.lang import base_language, detect_language, reads_as_other

    src, tgt = alignment.src, alignment.tgt
    src_name, tgt_name = src.source or "source", tgt.source or "target"
    if (src.sha256 is not None and src.sha256 == tgt.sha256) or src.text == tgt.text:
        return [f"{src_name} and {tgt_name} are the same file (the same content on both sides): is one of them the wrong file?"]
    found = [w for w in alignment.stats.get("warnings", []) if w.startswith(PAIR_PROBLEMS)]
    if any(w.startswith("languages look swapped") for w in found) or not (src.text.strip() and tgt.text.strip()):
        return found
    want_s, want_t = base_language(src.lang), base_language(tgt.lang)
    src_sample, tgt_sample = src.text[:20_000], tgt.text[:20_000]
    got_s, got_t = detect_language(src_sample), detect_language(tgt_sample)
    if want_s != want_t and got_s == got_t:
        found.append(
            f"both files read as {got_s} ({src_name} should be {want_s}, "
            f"{tgt_name} {want_t}): is one of them the wrong file?"
        )
        return found
    for name, sample, lang, option in ((src_name, src_sample, src.lang, "--src-lang"), (tgt_name, tgt_sample, tgt.lang, "--tgt-lang")):
        if (other := reads_as_other(sample, lang)) is not None:
            found.append(f"{name} reads as {other}, not {base_language(lang)} ({option}): is it the wrong file, or the wrong {option}?")
    return found


def refuse_bad_pair(alignment: Alignment, src: str | Path, tgt: str | Path, *, force: bool = False) -> None:
    """InputError when the pair does not look like an original and its translation
    (`pair_problems`), unless `force`: what keeps such a pair out of a corpus."""
    problems = pair_problems(alignment)
    if problems and not force:
        raise InputError(f"{src} + {tgt}: {'; '.join(problems)}; not added (--force stores it anyway)")


@dataclass(frozen=True)
class PairOptions:
    """How a pair is read, aligned and checked on its way into a corpus: `align add`'s options,
    the same for every pair of `align batch` (the languages go with each pair)."""

    model: str = "use-m3"
    presegmented: bool = False
    footnotes: bool = False
    cache: bool = True
    threads: int = 1
    force: bool = False
    """Store a pair that does not look like an original and its translation."""


def align_for_corpus(
    src: str | Path,
    tgt: str | Path,
    *,
    src_lang: str | None = "ja",
    tgt_lang: str | None = "en",
    options: PairOptions = PairOptions(),
    progress: ProgressCallback | None = None,
) -> Alignment:
    """`align_files`, then `refuse_bad_pair`: the alignment of a pair that may be stored.
    `align add` runs it in its own process; `align batch` in its workers."""
    o = options
    alignment = align_files(
        src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, model=o.model, presegmented=o.presegmented,
        footnotes=o.footnotes, cache=o.cache, threads=o.threads, progress=progress,
    )  # fmt: skip
    refuse_bad_pair(alignment, src, tgt, force=o.force)
    return alignment


def add_files(
    corpus: str | Path,
    src: str | Path,
    tgt: str | Path,
    *,
    doc_id: str | None = None,
    src_lang: str = "ja",
    tgt_lang: str = "en",
    options: PairOptions = PairOptions(),
    replace: bool = False,
    progress: ProgressCallback | None = None,
) -> AddResult:
    """Align a file pair and store it in a corpus (created if missing) as `align add` does.

    The id defaults to `default_doc_id(src)`. A taken id (other files: `replace`), a bad or
    newer corpus fails before the slow alignment; a pair that is not a translation is refused
    unless `options.force`. Re-adding a changed pair keeps its reviewed beads
    (Corpus.add_alignment).
    """
    from align.store import Corpus, default_doc_id
    from align.store.corpus import check_doc_id

    corpus, src, tgt = Path(corpus), Path(src), Path(tgt)
    doc = default_doc_id(src, src_lang) if doc_id is None else doc_id
    check_doc_id(doc)  # an empty id is an error, not a silent default
    if corpus.exists():
        with Corpus(corpus) as c:
            c.check_add(doc, src, tgt, replace=replace)
    elif not corpus.parent.is_dir():
        Corpus(corpus, create=True)  # raises: the folder does not exist
    alignment = align_for_corpus(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, options=options, progress=progress)
    with Corpus(corpus, create=True) as c:
        return c.add_alignment(alignment, doc_id=doc, src_path=src, tgt_path=tgt, replace=replace)
