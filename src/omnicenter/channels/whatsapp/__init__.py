"""WhatsApp: Cloud API webhooks in (signed with the Meta app secret), Cloud API messages out.

`WhatsappChannel` (adapter.py) is the adapter; `cloud_api.py` is the wire format. Signature,
Graph API client and media retries are shared with Messenger and Instagram
(`channels/meta`). docs/channels/whatsapp.md explains why.
"""

from omnicenter.channels.whatsapp.adapter import WhatsappChannel
from omnicenter.channels.whatsapp.cloud_api import (
    Template,
    interactive_payload,
    parse_cloud_webhook,
    template_payload,
    text_payload,
)
from omnicenter.channels.whatsapp.manifest import MANIFEST

__all__ = [
    "MANIFEST",
    "Template",
    "WhatsappChannel",
    "interactive_payload",
    "parse_cloud_webhook",
    "template_payload",
    "text_payload",
]
