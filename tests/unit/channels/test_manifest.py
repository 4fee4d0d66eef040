"""ChannelManifest.fit: what a channel does with a text longer than one message carries."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel
from omnicenter.domain.channels import OverLength, RichElement, TooLong, split_text

# Words and the whitespace between them, with the kinds of space texts really have.
_words = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), max_size=30)
_spaces = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", "\u00a0", " \n "])
_texts = st.builds(
    lambda words, gaps: "".join(w + g for w, g in zip(words, gaps, strict=False)),
    st.lists(_words, max_size=40),
    st.lists(_spaces, min_size=40, max_size=40),
) | st.text(max_size=300)


def _manifest(limit: int | None, policy: OverLength = OverLength.SPLIT) -> ChannelManifest:
    return ChannelManifest(
        channel=Channel.SMS,
        realtime=False,
        media_types=("text/plain",),
        max_length=limit,
        over_length=policy,
        security=SecurityLevel.PUBLIC,
    )


def _visible(text: str) -> str:
    return "".join(text.split())


@given(_texts, st.integers(min_value=1, max_value=60))
def test_split_parts_fit_and_lose_no_character(text: str, limit: int) -> None:
    parts = _manifest(limit).fit(text)
    assert parts
    assert all(len(part) <= limit for part in parts)
    assert _visible("".join(parts)) == _visible(text)
    if len(text) > limit and text.strip():  # (a blank text stays one blank part)
        assert all(part.strip() for part in parts)  # no empty-looking message


@given(_texts, st.integers(min_value=1, max_value=60))
def test_a_text_within_the_limit_is_one_part_unchanged(text: str, limit: int) -> None:
    assume(len(text) <= limit)
    assert _manifest(limit).fit(text) == (text,)
    assert _manifest(limit, OverLength.REFUSE).fit(text) == (text,)


@given(_texts, st.integers(min_value=1, max_value=60))
def test_words_that_fit_are_never_cut(text: str, limit: int) -> None:
    assume(all(len(word) <= limit for word in text.split()))
    parts = split_text(text, limit)
    assert [w for part in parts for w in part.split()] == text.split()


def test_split_cuts_at_the_last_space_that_fits() -> None:
    assert split_text("Your parcel left today", 11) == ("Your parcel", "left today")
    # The space right after the limit counts: "Your parcel" is exactly 11 characters.
    assert split_text("Your parcel  \n left", 11) == ("Your parcel", "left")
    assert split_text("abcdefghij kl", 4) == ("abcd", "efgh", "ij", "kl")


def test_sms_splits_a_long_answer_into_texts_of_1600() -> None:
    from omnicenter.channels.sms import MANIFEST

    body = " ".join(f"word{i:04d}" for i in range(400))  # 3599 characters, 9 per word
    parts = MANIFEST.fit(body)
    assert [len(p) for p in parts] == [177 * 9 - 1, 177 * 9 - 1, 46 * 9 - 1]
    assert " ".join(parts) == body


def test_refuse_raises_too_long_with_the_limit() -> None:
    manifest = _manifest(1600, OverLength.REFUSE)
    with pytest.raises(TooLong) as info:
        manifest.fit("x" * 1601)
    assert (info.value.limit, info.value.length, info.value.channel) == (1600, 1601, Channel.SMS)
    assert str(info.value) == "a sms message is limited to 1600 characters; this one has 1601"


def test_no_limit_is_one_part_whatever_the_length() -> None:
    body = "x" * 100_000
    assert _manifest(None, OverLength.REFUSE).fit(body) == (body,)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_length": 0}, "max_length must be positive"),
        ({"answered_on": (Channel.EMAIL,)}, "answered on itself"),
        ({"text_replies": False, "rich": frozenset({RichElement.BUTTONS})}, "need text replies"),
    ],
)
def test_manifest_refuses_declarations_that_contradict(
    changes: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {
        "channel": Channel.FORM,
        "realtime": False,
        "media_types": (),
        "max_length": None,
        "security": SecurityLevel.PUBLIC,
    }
    values.update(changes)
    with pytest.raises(ValueError, match=message):
        ChannelManifest(**values)  # type: ignore[arg-type]


def test_split_needs_a_positive_limit() -> None:
    with pytest.raises(ValueError, match="positive"):
        split_text("abc", 0)
