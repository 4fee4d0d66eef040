"""Identity resolution: normalise channel addresses and decide which customers are one person."""

from omnicenter.identity.matching import MergeHint, name_key, suggest_matches
from omnicenter.identity.normalize import (
    InvalidAddress,
    identity_kind_for,
    normalize_address,
    normalize_email,
    normalize_phone,
    phone_match_key,
)

__all__ = [
    "InvalidAddress",
    "MergeHint",
    "identity_kind_for",
    "name_key",
    "normalize_address",
    "normalize_email",
    "normalize_phone",
    "phone_match_key",
    "suggest_matches",
]
