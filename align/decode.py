"""Turning the bytes of an input file into text: encodings, binary files, unreadable paths.

Japanese documents still come as Shift_JIS/CP932 or EUC-JP, and Windows tools write UTF-16
with a BOM, so those are detected; anything else is refused with a message that says how to
fix it rather than guessed (a wrong guess would put mojibake into a corpus without warning).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from align.errors import InputError

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
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# Kana, CJK punctuation and the ideographs: what a right decode of Japanese is made of.
_JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30fa]")
# What a wrong decode of another legacy encoding tends to produce: half-width katakana (EUC
# read as CP932), C1 controls, private-use and compatibility characters.
_IMPLAUSIBLE = re.compile(r"[\x80-\x9f\ue000-\uf8ff\uff61-\uff9f\ufffd]")
_SAMPLE = 1 << 16


def describe_path(path: str | Path) -> str:
    """The path as one printable line, for messages (a newline in a file name must not split it)."""
    return str(path).replace("\n", "\\n").replace("\r", "\\r")


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a file, or InputError with a one-line reason (missing, directory, permission)."""
    p = Path(path)
    name = describe_path(path)
    try:
        if p.is_dir():
            raise InputError(f"{name}: is a directory, not a file; give a .txt, .md or .html file")
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a file; give a .txt, .md or .html file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied; make the file readable (chmod +r)") from None
    except OSError as e:
        reason = (e.strerror or type(e).__name__).replace("\n", " ")
        raise InputError(f"{name}: cannot read the file: {reason}") from None


def decode_bytes(data: bytes, *, name: str, declared: str | None = None) -> str:
    """Decode a text file's bytes: UTF-8 (with or without BOM), UTF-16/32 with BOM, CP932, EUC-JP.

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
    if declared:
        try:
            return data.decode(_CODEC_ALIASES.get(declared.lower(), declared))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: detect as for any other file
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


def _refuse_binary(data: bytes, name: str) -> None:
    """InputError if the data is not text: a known binary format, NUL bytes, many control bytes."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: looks like a binary file ({kind}); save it as text, Markdown or HTML")
    head = data[:_SAMPLE]
    if b"\x00" in head or len(_CONTROL_BYTES.findall(head)) > 0.05 * len(head):
        raise InputError(f"{name}: looks like a binary file, not text; give a .txt, .md or .html file")


def _bomless_utf16(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit at one parity only, as in BOM-less UTF-16 text."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if half >= 2 and odd > 0.3 * half and even == 0:
        return "utf-16-le"
    if half >= 2 and even > 0.3 * half and odd == 0:
        return "utf-16-be"
    return None


def _japanese_plausibility(text: str) -> float:
    """How much a legacy decode looks like real Japanese: 0 if implausible, else a score.

    Latin-1 or GBK bytes often decode as CP932/EUC-JP too, but give scattered ideographs with no
    kana; EUC-JP read as CP932 gives half-width katakana. Real Japanese has kana and neither.
    """
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if not non_ascii:
        return 0.0
    kana = len(_KANA.findall(text))
    if kana < max(1, 0.05 * non_ascii):
        return 0.0
    japanese = len(_JAPANESE.findall(text))
    bad = len(_IMPLAUSIBLE.findall(text))
    return (japanese - 5 * bad) / non_ascii
