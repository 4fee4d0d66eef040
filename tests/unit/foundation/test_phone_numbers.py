"""Phone numbers are normalised by one function: any spelling to E.164. An address we were
reached from needs only a possible number; a number a customer types for us to call needs
one the numbering plan assigns (the flows' `collect: phone`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicenter.flows.model import CollectKind
from omnicenter.flows.validators import validate
from omnicenter.identity import InvalidAddress, normalize_address, normalize_phone

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "region", "e164"),
    [
        ("601 234 567", "PL", "+48601234567"),
        ("0048 601-234-567", "PL", "+48601234567"),
        ("+44 20 7946 0958", "PL", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_any_spelling_becomes_e164(written: str, region: str, e164: str) -> None:
    assert normalize_phone(written, region) == e164
    assert normalize_phone(written, region, strict=True) == e164
    assert normalize_address("phone", written, region) == e164
    assert validate(CollectKind.PHONE, written, now=NOW, region=region) == e164


def test_a_possible_but_unassigned_number_is_an_address_not_a_callback_number() -> None:
    unassigned = "+48 100 000 000"
    assert normalize_phone(unassigned) == "+48100000000"
    with pytest.raises(InvalidAddress, match="not a valid phone number"):
        normalize_phone(unassigned, strict=True)
    assert validate(CollectKind.PHONE, unassigned, now=NOW) is None


@pytest.mark.parametrize("written", ["123", "call me", "+48 601 234 567 890 12"])
def test_what_is_no_phone_number_is_refused_everywhere(written: str) -> None:
    with pytest.raises(InvalidAddress):
        normalize_phone(written)
    assert validate(CollectKind.PHONE, written, now=NOW) is None
