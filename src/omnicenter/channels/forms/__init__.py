"""Web forms: a shop's contact form posts here and becomes a case with its fields kept.

`FormsChannel` (adapter.py) is the adapter, `parse.py` reads a submission.
docs/channels/forms.md explains why.
"""

from omnicenter.channels.forms.adapter import FormsChannel
from omnicenter.channels.forms.manifest import MANIFEST
from omnicenter.channels.forms.parse import (
    MAX_FIELD_CHARS,
    MAX_FIELDS,
    FormSubmission,
    parse_submission,
)

__all__ = [
    "MANIFEST",
    "MAX_FIELDS",
    "MAX_FIELD_CHARS",
    "FormSubmission",
    "FormsChannel",
    "parse_submission",
]
