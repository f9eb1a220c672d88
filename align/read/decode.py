"""Turning the bytes of an input file into text: encodings, binary files, unreadable paths.

Japanese documents still come as Shift_JIS/CP932 or EUC-JP, and Windows tools write UTF-16
with a BOM, so those are detected; anything else is refused with a message that says how to
fix it rather than guessed (a wrong guess would put mojibake into a corpus without warning).
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from align.errors import InputError, visible

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy Japanese encodings, tried in this order; the most plausible decode wins.
_LEGACY = ("cp932", "euc_jp", "euc_jis_2004")
# Names of the Japanese legacy encodings as HTML declares them, to their Microsoft supersets.
_CODEC_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "x-euc-jp": "euc_jp",
}
_TRUSTED_DECLARATIONS = frozenset(("utf-8", "cp932", "euc_jp", "euc_jis_2004", "iso2022_jp"))
# ISO-2022-JP (7-bit "JIS", old mail and web pages) switches to kanji with these escapes.
_ISO2022_ESCAPE = re.compile(rb"\x1b\$[@B]|\x1b\(J")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx, .xlsx, .epub)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc, .xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
)
# Binary formats the read stage reads, by their extension: the fix for a misnamed file.
_READABLE_AS = {
    b"%PDF": "give it the .pdf extension to read it as a PDF",
    b"PK\x03\x04": "if it is a Word file, give it the .docx extension; else save it as text",
}
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# Kana, CJK punctuation, full-width forms and common symbols: with level-1 kanji, what a
# right decode of Japanese is mostly made of.
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30fa]")
_KANA_OR_PUNCT = re.compile(r"[\u3000-\u30ff\uff01-\uff5e\u2010-\u2027\u2030-\u203b\u2460-\u24ff\u2500-\u25ff]")
# What a wrong decode of another legacy encoding tends to produce: half-width katakana (EUC
# read as CP932), C1 controls, private-use and compatibility characters.
_IMPLAUSIBLE = re.compile(r"[\x80-\x9f\ue000-\uf8ff\uff61-\uff9f\ufffd]")
_SAMPLE = 1 << 16


def describe_path(path: str | Path) -> str:
    """The path as one printable line, for messages (see `align.errors.visible`: a newline or
    an escape sequence in a file name must not split the line or reach the terminal)."""
    return visible(str(path))


MAX_INPUT_BYTES = 16 * 1024 * 1024
"""The largest file align reads: 16 MiB, about 120,000 sentences of Kyoto Wikipedia English
(a long book is 1-4 MB). Bigger is refused before it is read, with the advice to split it:
reading, segmenting and aligning a pair within the limits (pipeline.MAX_SENTENCES too) stays
within 4 GiB (bench/memory_bound.py), where a 200 MB pair ran past 11.6 GB."""


def read_bytes(path: str | Path, *, limit: int | None = None) -> bytes:
    """The bytes of a file, or InputError with a one-line reason (missing, directory,
    permission, bigger than `limit`, default MAX_INPUT_BYTES: refused before it is read, or
    as soon as a pipe has given more). The file is read once: a pipe or a FIFO works."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    p = Path(path)
    name = describe_path(path)
    try:
        if p.is_dir():
            raise InputError(f"{name}: is a directory, not a file; give a .txt, .md or .html file")
        with open(p, "rb") as f:
            size = os.fstat(f.fileno()).st_size if p.is_file() else 0
            data = f.read(limit + 1) if size <= limit else b""
        if size > limit or len(data) > limit:
            raise InputError(
                f"{name}: {'more than ' if size <= limit else ''}{_mib(max(size, len(data)))}, over align's limit of "
                f"{_mib(limit)} a file (memory); split it into parts (by chapter or section) and "
                "align each part with the same part of the translation"
            )
        return data
    except FileNotFoundError:
        raise InputError(f"{name}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a file; give a .txt, .md or .html file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied; make the file readable (chmod +r)") from None
    except OSError as e:
        reason = (e.strerror or type(e).__name__).replace("\n", " ")
        raise InputError(f"{name}: cannot read the file: {reason}") from None


def _mib(n: int) -> str:
    return f"{n / 2**20:.{0 if n >= 10 * 2**20 else 1}f} MiB"


def decode_bytes(data: bytes, *, name: str, declared: str | None = None) -> str:
    """Decode a text file's bytes: UTF-8 (with or without BOM), UTF-16/32 with BOM, CP932,
    EUC-JP (and ISO-2022-JP, recognised by its escapes).

    `declared` is an encoding the file names itself (an HTML meta charset); it is used when the
    bytes decode with it, since a declaration beats a guess. Raises InputError naming `name` for
    empty or binary data and for bytes that decode as none of them. Strict decoders only: a
    file is never decoded with replacement characters.
    """
    name = describe_path(name)
    if not data.strip():
        raise InputError(f"{name}: the file is empty; give a file with text in it")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{name}: starts with a {codec.upper().replace('-SIG', '')} byte order mark but "
                    f"byte {e.start} does not decode; convert it to UTF-8"
                ) from None
    _refuse_known_binary(data, name)
    utf16 = _bomless_utf16(data[:_SAMPLE])
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            raise InputError(
                f"{name}: looks like {utf16.upper()} without a byte order mark but does not decode; "
                "convert it to UTF-8"
            ) from None
    _refuse_binary(data, name)
    named = _declared_codec(declared)
    if named:
        try:
            return data.decode(named)
        except UnicodeDecodeError:
            pass  # a wrong declaration: detect as for any other file
    if _ISO2022_ESCAPE.search(data[:_SAMPLE]):
        try:
            return data.decode("iso2022_jp_ext")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best: tuple[float, str] | None = None
    for codec in _LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _japanese_plausibility(text)
        if score > 0 and (best is None or score > best[0]):
            best = (score, text)
    if best is None:
        raise InputError(
            f"{name}: cannot decode as UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP; convert it to UTF-8"
        )
    return best[1]


def _declared_codec(declared: str | None) -> str | None:
    """The codec for a declared charset if it is one we read (UTF-8 or a Japanese legacy one).

    Pages often declare ISO-8859-1 or windows-1252 wrongly; those decode any bytes, so they
    are not trusted and the bytes are detected instead.
    """
    if not declared:
        return None
    name = _CODEC_ALIASES.get(declared.lower(), declared)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return codec if codec in _TRUSTED_DECLARATIONS else None


def _refuse_known_binary(data: bytes, name: str) -> None:
    """InputError if the data starts like a known binary format (PDF, ZIP, images...)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            fix = _READABLE_AS.get(magic, "save it as text, Markdown or HTML")
            raise InputError(f"{name}: looks like a binary file ({kind}); {fix}")


def _refuse_binary(data: bytes, name: str) -> None:
    """InputError if the data is not text: NUL bytes or many control bytes."""
    head = data[:_SAMPLE]
    if b"\x00" in head or len(_CONTROL_BYTES.findall(head)) > 0.05 * len(head):
        raise InputError(f"{name}: looks like a binary file, not text; give a .txt, .md or .html file")


def _bomless_utf16(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit at one parity only, as in BOM-less UTF-16 text."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if half < 8:
        return None
    if odd > 0.3 * half and even == 0:
        codec = "utf-16-le"
    elif even > 0.3 * half and odd == 0:
        codec = "utf-16-be"
    else:
        return None
    text = head[: half * 2].decode(codec, errors="replace")
    controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f")
    return codec if controls <= 0.01 * len(text) else None


def _jis_level1() -> frozenset[str]:
    """The 2,965 common kanji of JIS X 0208 level 1 (EUC-JP rows 0xB0-0xCF)."""
    raw = bytes(b for lead in range(0xB0, 0xD0) for trail in range(0xA1, 0xFF) for b in (lead, trail))
    return frozenset(raw.decode("euc_jp", errors="ignore"))


_COMMON_KANJI = _jis_level1()


def _japanese_plausibility(text: str) -> float:
    """How much a legacy decode looks like real Japanese: 0 if implausible, else a score.

    Latin-1 or GBK bytes often decode as CP932/EUC-JP too, but give rare ideographs; EUC-JP
    read as CP932 gives half-width katakana. Real Japanese is mostly kana, punctuation and
    common (JIS level 1) kanji, so the share of those among non-ASCII characters decides.
    """
    sample = text[:_SAMPLE]
    non_ascii = [c for c in sample if ord(c) > 127]
    if not non_ascii:
        return 0.0
    if _IMPLAUSIBLE.search(sample):
        return 0.0
    if len(non_ascii) >= 200 and not _KANA.search(sample):
        return 0.0  # many ideographs and not one kana: Chinese (GBK) bytes, not Japanese
    common = sum(1 for c in non_ascii if c in _COMMON_KANJI or _KANA_OR_PUNCT.match(c))
    score = common / len(non_ascii)
    return score if score >= 0.6 else 0.0
