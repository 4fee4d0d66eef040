"""Turning the bytes and encoded words of real mail into text, without ever failing.

Mail in the wild declares charsets that do not exist, mislabels Windows-1252 as ASCII or
ISO-8859-1, and puts raw UTF-8 in headers. Every function here returns *some* text: the
declared charset when it works, then UTF-8, then the declared charset (or UTF-8) with
replacement characters.
"""

from __future__ import annotations

import binascii
import codecs
import functools
import re

__all__ = ["decode_bytes", "decode_header_value", "unfold"]

# Labels that mean "some 8-bit charset, we do not know which", and common labels Python
# does not know or that real senders use for a superset (as browsers do, per WHATWG).
_ALIASES = {
    "unknown-8bit": None,
    "x-unknown": None,
    "unknown": None,
    "x-user-defined": None,
    "default": None,
    "charset": None,
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "utf8": "utf-8",
}


@functools.lru_cache(maxsize=256)
def _codec(charset: str | None) -> str | None:
    """The Python codec name for a declared charset, or None when it is unknown or unusable."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # bytes.decode refuses non-text codecs (base64, zlib, rot13): never accept them here.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset, falling back to UTF-8 and replacement characters."""
    codec = _codec(charset)
    if codec == "ascii":  # "ASCII" mail with 8-bit bytes is almost always UTF-8 or cp1252
        codec = "cp1252"
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if codec is not None:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec is None:
        codec = "cp1252"  # the commonest unlabelled 8-bit charset in mail
    try:
        return data.decode(codec, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


_FOLD_RE = re.compile(r"\r?\n(?=[ \t])")


def unfold(value: str) -> str:
    """Undo header folding and collapse runs of white space to one space."""
    return " ".join(_FOLD_RE.sub("", value).split())


def _fix_8bit(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: decode them as UTF-8 or cp1252."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    return value


_ENCODED_WORD_RE = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS_RE = re.compile(r"(\?=)[ \t]+(?==\?)")
_Q_HEX_RE = re.compile(rb"=([0-9A-Fa-f]{2})")


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, text = match.groups()
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*pl
    try:
        if encoding in "bB":
            data = binascii.a2b_base64(text + "=" * (-len(text) % 4))
        else:
            raw = text.replace("_", " ").encode("ascii")
            data = _Q_HEX_RE.sub(lambda m: bytes.fromhex(m.group(1).decode()), raw)
    except (binascii.Error, ValueError, UnicodeError):
        return match.group(0)  # undecodable: show it as the sender wrote it
    return decode_bytes(data, charset)


def decode_header_value(value: str) -> str:
    """Decode RFC 2047 encoded words (any charset) in an unstructured header value.

    Each encoded word is decoded on its own, so one broken word does not lose the rest;
    white space between adjacent encoded words is dropped, as RFC 2047 says.
    """
    value = unfold(_fix_8bit(value))
    if "=?" not in value:
        return value
    value = _BETWEEN_WORDS_RE.sub(r"\1", value)
    return " ".join(_ENCODED_WORD_RE.sub(_decode_word, value).split())
