"""Subtitles (SRT, WebVTT) to a timed Document: cues joined into running text, cue times kept.

A cue may hold several sentences or half of one, so the cues are joined into one block of
text (the way the language writes: no space between Japanese characters) and the segmenter
finds the sentences in it; every cue's character span and times go into `Document.cues`,
from which each sentence takes the start of its first cue and the end of its last.

Parsing: `srt` for SRT (it refuses text between cues), `webvtt-py` for WebVTT (it strips cue
tags and voice spans). Neither refuses a malformed timing line (both skip or misread the cue:
'00:00:0x,500' silently becomes 0 s in srt and drops the cue in webvtt-py), so every line with
'-->' is checked first, and a cue that ends before it starts, or starts before the cue
before it, is an error: timings that a file gets wrong would mislead the alignment.
"""

from __future__ import annotations

import html
import io
import re

from align.errors import InputError
from align.model import Block, Cue, Document
from align.read.decode import describe_path
from align.read.lang import detect_language
from align.read.text import collapse, separator

_TIME = r"(?:\d{1,3}:)?\d{1,2}:\d{2}[,.]\d{1,3}"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_DIALOGUE_DASH = re.compile(r"^[-‐–—]\s+")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|\{\\[^{}]*\}")  # HTML-like tags; SSA overrides {\an8}
_RUBY_TEXT = re.compile(r"<(rt|rp)\b[^<>]*>.*?</\1>", re.S)  # a reading over the text, not text


def parse_subtitles(text: str, *, fmt: str, lang: str | None, source: str | None) -> Document:
    """A subtitle file's cleaned text into a Document of one block with cue timings."""
    name = describe_path(source) if source is not None else "<text>"
    _check_timing_lines(text, name)
    raw = _srt_cues(text, name) if fmt == "srt" else _vtt_cues(text, name)
    lang = lang or detect_language("\n".join(_TAG.sub("", t) for _, _, t in raw))
    cues = [(a, b, t) for a, b, r in raw if (t := _cue_text(r, lang))]
    if not cues:
        raise InputError(f"{name}: the subtitle file has no cues with text")
    for k, (a, b, _) in enumerate(cues):
        if b < a:
            raise InputError(f"{name}: cue {k + 1} ends ({_fmt(b)}) before it starts ({_fmt(a)}); fix its timing")
        if k and a < cues[k - 1][0]:
            raise InputError(
                f"{name}: cue {k + 1} starts ({_fmt(a)}) before the cue before it ({_fmt(cues[k - 1][0])}); "
                "the timings are out of order"
            )
    parts: list[str] = []
    spans: list[Cue] = []
    pos = 0
    last = ""
    for a, b, t in cues:
        if parts:
            sep = separator(last, t, lang)
            parts.append(sep)
            pos += len(sep)
        parts.append(t)
        spans.append(Cue(pos, pos + len(t), a, b))
        pos += len(t)
        last = t
    body = "".join(parts)
    return Document(text=body, lang=lang, blocks=(Block("paragraph", 0, len(body)),), source=source, cues=tuple(spans))


def _fmt(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _check_timing_lines(text: str, name: str) -> None:
    for n, line in enumerate(text.split("\n"), 1):
        if "-->" in line and not _TIMING.match(line):
            raise InputError(f"{name}: line {n} is not a valid cue timing: {line.strip()[:60]!r}")


def _cue_text(raw: str, lang: str) -> str:
    """A cue's lines as one line: tags and dialogue dashes removed, entities decoded."""
    raw = _RUBY_TEXT.sub("", raw)
    lines = [_DIALOGUE_DASH.sub("", html.unescape(_TAG.sub("", line)).strip()) for line in raw.split("\n")]
    out = ""
    for line in lines:
        line = collapse(line)
        if line:
            out = f"{out}{separator(out, line, lang)}{line}" if out else line
    return out


def _srt_cues(text: str, name: str) -> list[tuple[float, float, str]]:
    import srt

    try:
        subs = list(srt.parse(text))
    except srt.SRTParseError as e:
        raise InputError(f"{name}: not a valid SRT file ({str(e).split(' (')[0]})") from None
    except (ValueError, TypeError) as e:
        raise InputError(f"{name}: not a valid SRT file ({e})") from None
    return [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subs]


def _vtt_cues(text: str, name: str) -> list[tuple[float, float, str]]:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_buffer(io.StringIO(text))
    except MalformedFileError as e:
        raise InputError(f"{name}: not a valid WebVTT file ({e})") from None
    except (ValueError, TypeError, IndexError) as e:
        raise InputError(f"{name}: not a valid WebVTT file ({e})") from None
    return [
        (c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.raw_text)
        for c in captions
    ]
