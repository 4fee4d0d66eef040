"""The web form channel adapter: a submission in; nothing out (the manifest says where the
customer is answered)."""

from __future__ import annotations

from datetime import datetime

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import SendError
from omnicenter.channels.forms.manifest import MANIFEST
from omnicenter.channels.forms.parse import FormSubmission, parse_submission
from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage

__all__ = ["FormsChannel"]


class FormsChannel:
    """`receive(FormSubmission)`; `send` refuses: answer on `manifest.answered_on`."""

    manifest: ChannelManifest = MANIFEST

    def receive(self, raw: FormSubmission, *, received_at: datetime) -> InboundEvent:
        """Raises `ChannelError`: too many or too long fields (413), no email or phone."""
        return parse_submission(raw.form_key, raw.fields, received_at, raw.idempotency_key)

    async def send(self, msg: OutboundMessage) -> Delivery:
        channels = " or ".join(c.value for c in self.manifest.answered_on)
        raise SendError(
            f"a form cannot be answered on itself; answer by {channels}", temporary=False
        )
