"""The library's main entry points: file → Document, and two Documents → Alignment.

The CLI commands are thin shells over these functions; a Python user calls them directly:

    from align.pipeline import align_files
    alignment = align_files("ja.md", "en.md")
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from align import __version__
from align.errors import InputError
from align.model import Alignment, Bead, Block, Document, Sentence, Signature, join_sentences
from align.aligner.notes import insert_null_beads, split_notes

if TYPE_CHECKING:
    from align.aligner import AlignSettings
    from align.encoders import Encoder

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


def align_documents(
    src: Document,
    tgt: Document,
    *,
    encoder: Encoder,
    settings: AlignSettings | None = None,
    segmenter: str | None = None,
) -> Alignment:
    """Align two segmented documents; the result carries a signature of every setting used."""
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
    if src.cues and tgt.cues:  # two subtitle files: when a sentence is spoken is evidence too
        from align.aligner.refine import MAX_SIDE as REFINE_MAX_SIDE
        from align.aligner.timing import timed_inputs

        encode, vecs["src_vecs"], vecs["tgt_vecs"] = timed_inputs(
            encoder.encode,
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
    if segmenter is None:
        from align.segment import SEGMENTER_ID

        segmenter = SEGMENTER_ID
    signature = Signature(
        version=__version__,
        model=encoder.name,
        segmenter=segmenter,
        settings=tuple(settings.items()),
    )
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
) -> Alignment:
    """Read, segment, encode and align a file pair: the one call behind `align pair` and `align add`."""
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
