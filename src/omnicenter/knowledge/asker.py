"""Who is asking: the customer's identities, so that knowledge can tell what is theirs.

A fact that is not public (an order's status, tracking, return deadline; a loyalty price)
is answered only for the person it belongs to. Knowledge decides that from an `Asker`:
the identities the channel proved (the address an email came from, the number an SMS or
a call came from, a signed web chat login, a one-time code the customer typed back) as
`kind:address` strings, the same words as the domain's identities (`email:ann@x.pl`,
`phone:+48601234567`), plus `shop:<id>` when a shop connector gave the customer its own id.

A typed or claimed address is not an identity: "my email is anna@example.com" proves
nothing, so only the caller (which knows how a contact arrived) builds an `Asker`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from omnicenter.identity.normalize import (
    InvalidAddress,
    normalize_email,
    normalize_phone,
    phone_match_key,
)

__all__ = ["ANONYMOUS", "Asker", "email_key", "phone_key"]


def email_key(address: str) -> str | None:
    """The form two spellings of one mailbox share, or None for a non-address."""
    try:
        return normalize_email(address)
    except InvalidAddress:
        return None


def phone_key(number: str) -> str | None:
    """The last nine digits of a possible number (a missing or wrong country code still
    meets), or None for a non-number."""
    try:
        return phone_match_key(normalize_phone(number))
    except InvalidAddress:
        return None


@dataclass(frozen=True, slots=True)
class Asker:
    """The asking customer: their id in this system and the identities they proved."""

    customer_id: str | None = None
    identities: frozenset[str] = frozenset()

    @classmethod
    def of(cls, customer_id: str | None, identities: Iterable[str]) -> Asker:
        return cls(customer_id, frozenset(i.strip() for i in identities if ":" in i))

    def _addresses(self, kind: str) -> list[str]:
        prefix = f"{kind}:"
        return [i[len(prefix) :] for i in self.identities if i.startswith(prefix)]

    @property
    def emails(self) -> frozenset[str]:
        return frozenset(k for a in self._addresses("email") if (k := email_key(a)))

    @property
    def phones(self) -> frozenset[str]:
        return frozenset(k for a in self._addresses("phone") if (k := phone_key(a)))

    @property
    def shop_ids(self) -> frozenset[str]:
        return frozenset(self._addresses("shop"))

    def with_identity(self, identity: str) -> Asker:
        return Asker(self.customer_id, self.identities | {identity})


ANONYMOUS = Asker()
