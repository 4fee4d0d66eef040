"""Web forms: a shop's contact form posts here and becomes a case with its fields kept."""

from omnicenter.channels.forms.adapter import MANIFEST, parse_submission

__all__ = ["MANIFEST", "parse_submission"]
