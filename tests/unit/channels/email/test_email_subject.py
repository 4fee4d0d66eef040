"""Subject normalisation for threading, and the subject of our replies."""

from __future__ import annotations

import pytest

from omnicenter.channels.email import case_tag, is_reply_subject, normalize_subject, reply_subject


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Order 42", "order 42"),
        ("RE: re: Re[2]: Order 42", "order 42"),
        ("Fwd: FW: Order 42", "order 42"),
        ("AW: WG: Bestellung 42", "bestellung 42"),
        ("Odp: PD: Zamówienie 42", "zamówienie 42"),
        ("SV: VS: Tilaus 42", "tilaus 42"),
        ("TR: RE : Commande 42", "commande 42"),
        ("RV: Pedido 42", "pedido 42"),
        ("Re(3): Order 42", "order 42"),
        ("Ответ: Заказ 42", "заказ 42"),
        ("回复：订单 42", "订单 42"),
        ("[shop-list] Re: Order   42 ", "order 42"),
        (
            "Re: [#cas_01j9a7k2m3n4p5q6r7s8t9v0wx] Order 42",
            "[#cas_01j9a7k2m3n4p5q6r7s8t9v0wx] order 42",
        ),
        ("[EXTERNAL] RE: [#CAS_01J9A7K2M3] Order", "[#cas_01j9a7k2m3] order"),
        ("Order 42", "order 42"),
        ("Reading list", "reading list"),  # "Re" without a colon is a word, not a prefix
        ("Straße", "strasse"),  # case-folded, not just lower-cased
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_subject(subject: str | None, expected: str) -> None:
    assert normalize_subject(subject) == expected


def test_replies_in_different_languages_normalise_to_the_same_thread_key() -> None:
    original = "Where is my order 10482?"
    replies = ["Re: " + original, "AW: " + original, "Odp: RE: " + original, "SV:" + original]
    assert {normalize_subject(s) for s in replies} == {normalize_subject(original)}


def test_case_tag_is_found_anywhere() -> None:
    assert (
        case_tag("Re: Order 42 [#cas_01j9a7k2m3n4p5q6r7s8t9v0wx]")
        == "cas_01j9a7k2m3n4p5q6r7s8t9v0wx"
    )
    assert case_tag("Order 42 [#12345]") is None
    assert case_tag(None) is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Order 42", "Re: Order 42"),
        ("Re: Order 42", "Re: Order 42"),
        ("AW: Bestellung", "AW: Bestellung"),
        ("", "Re: (no subject)"),
        (None, "Re: (no subject)"),
    ],
)
def test_reply_subject_does_not_stack_prefixes(subject: str | None, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_is_reply_subject() -> None:
    assert is_reply_subject("Fwd: x")
    assert not is_reply_subject("Refund please")
    assert not is_reply_subject(None)
