"""Canonical forms of channel addresses, so the same person gives the same key everywhere."""

from __future__ import annotations

import phonenumbers

from omnicenter.domain.channels import Channel

__all__ = [
    "InvalidAddress",
    "identity_kind_for",
    "normalize_address",
    "normalize_email",
    "normalize_phone",
    "phone_match_key",
]


class InvalidAddress(ValueError):
    """An address that cannot be an identity of its kind (the message says why)."""


# Providers that ignore dots and/or "+tag" suffixes in the local part. Elsewhere the local part
# is only case-folded: RFC 5321 lets it be case-sensitive, but no mainstream provider is.
_DOTS_IGNORED = {"gmail.com"}
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
_PLUS_TAGS = {
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "fastmail.com",
    "protonmail.com",
    "proton.me",
}


def normalize_email(address: str) -> str:
    """`John.Doe+shop@GoogleMail.com` -> `johndoe@gmail.com`."""
    address = address.strip().strip("<>").strip()
    if address.count("@") != 1:
        raise InvalidAddress(f"not an email address: {address!r}")
    local, domain = address.rsplit("@", 1)
    if not local or not domain or " " in address or "." not in domain:
        raise InvalidAddress(f"not an email address: {address!r}")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidAddress(f"invalid email domain: {domain!r}") from exc
    domain = _DOMAIN_ALIASES.get(domain, domain)
    local = local.casefold()
    if domain in _PLUS_TAGS and "+" in local:
        local = local.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        local = local.replace(".", "")
    if not local:
        raise InvalidAddress(f"not an email address: {address!r}")
    return f"{local}@{domain}"


def normalize_phone(number: str, default_region: str = "PL", *, strict: bool = False) -> str:
    """Any written form (`0048 601-234-567`, `601 234 567`) -> E.164 (`+48601234567`).

    The number must have a possible length for its country; `strict` also wants it in a
    range the numbering plan assigns (a number a customer typed to be called back on),
    while an address we were reached from is taken as long as it is possible."""
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddress(f"not a phone number: {number!r} ({exc})") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidAddress(f"not a possible phone number: {number!r}")
    if strict and not phonenumbers.is_valid_number(parsed):
        raise InvalidAddress(f"not a valid phone number: {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_match_key(e164: str) -> str:
    """The last nine digits: the same subscriber written with a wrong or missing country code."""
    digits = "".join(ch for ch in e164 if ch.isdigit())
    return digits[-9:]


def identity_kind_for(channel: Channel) -> str:
    """Phone-based channels share one identity kind: an SMS, a call and a WhatsApp message
    from the same number are the same person (WhatsApp addresses people by number)."""
    if channel in (Channel.SMS, Channel.VOICE, Channel.CALLBACK, Channel.WHATSAPP):
        return "phone"
    return channel.value


def normalize_address(kind: str, address: str, default_region: str = "PL") -> str:
    if kind == "email":
        return normalize_email(address)
    if kind == "phone":
        return normalize_phone(address, default_region)
    address = address.strip()
    if not address or len(address) > 320:
        raise InvalidAddress(f"invalid {kind} address")
    return address
