"""Subject lines for threading: strip reply and forward prefixes in many languages.

A reply that lost its In-Reply-To and References (forwarded by a phone client, pasted into
a new message) is still matched to its thread by subject. Our own case tags
(`[#cas_...]`) are kept, so a normalised subject still tells which case it belongs to.
"""

from __future__ import annotations

import re

__all__ = ["CASE_TAG_RE", "case_tag", "is_reply_subject", "normalize_subject", "reply_subject"]

# Reply and forward prefixes as mail clients write them, by language:
# en Re/Fwd/Fw, de AW/WG/Antw, pl Odp/PD/ODP, nl Antw/Doorst, nordic SV/VS/VB/VL/Vs,
# fr TR/RE/Réf, es/pt RV/Enc/RES, it R/I, tr YNT/İLT, fi VL/VS, el ΑΠ/ΣΧΕΤ/ΠΡΘ, ru Ответ/Отв/Пересл,
# zh 回复/答复/转发/回覆/轉寄, he השב/הועבר, ar رد/إعادة توجيه.
_PREFIXES = (
    "re", "fwd", "fw", "aw", "wg", "antw", "odp", "pd", "doorst", "sv", "vs", "vb", "vl",
    "tr", "réf", "ref", "rv", "enc", "res", "r", "i", "ynt", "ilt", "İlt", "απ", "σχετ",
    "πρθ", "ответ", "отв", "пересл", "回复", "答复", "转发", "回覆", "轉寄", "השב", "הועבר",
    "رد", "إعادة توجيه",
)  # fmt: skip
_PREFIX_RE = re.compile(
    r"^(?:" + "|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True)) + r")"
    r"\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*",
    re.IGNORECASE,
)
CASE_TAG_RE = re.compile(r"\[#((?:cas)_[0-9a-z]{6,40})\]", re.IGNORECASE)
_TAG_RE = re.compile(r"^\[[^\[\]]{0,80}\]\s*")


def case_tag(subject: str | None) -> str | None:
    """The case id tagged in a subject (`Re: Order [#cas_01hx...]` -> `cas_01hx...`)."""
    if not subject:
        return None
    match = CASE_TAG_RE.search(subject)
    return match.group(1).lower() if match else None


def normalize_subject(subject: str | None) -> str:
    """`RE: AW: [list] Fwd: Order   42` -> `order 42`; case tags are kept in front."""
    rest = " ".join((subject or "").split())
    kept: list[str] = []
    while True:
        match = _PREFIX_RE.match(rest)
        if match is None:
            match = _TAG_RE.match(rest)
            if match is None:
                break
            tag = match.group(0).strip()
            if CASE_TAG_RE.fullmatch(tag):
                kept.append(tag.lower())
        rest = rest[match.end() :]
    return " ".join([*kept, rest]).casefold().strip()


def is_reply_subject(subject: str | None) -> bool:
    """True when the subject already starts with a reply or forward prefix."""
    return subject is not None and _PREFIX_RE.match(subject.strip()) is not None


def reply_subject(subject: str | None) -> str:
    """The subject of our reply: `Re: ` in front unless it already has a prefix."""
    text = " ".join((subject or "").split())
    if not text:
        return "Re: (no subject)"
    return text if is_reply_subject(text) else f"Re: {text}"
