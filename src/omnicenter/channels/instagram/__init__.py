"""Instagram: Messenger Platform webhooks in (signed with the Meta app secret), Send API
messages out.

`InstagramChannel` (adapter.py) is the adapter; what it shares with the other Meta channels is in
`channels/meta`. docs/channels/instagram.md explains why.
"""

from omnicenter.channels.instagram.adapter import InstagramChannel
from omnicenter.channels.instagram.manifest import MANIFEST

__all__ = ["MANIFEST", "InstagramChannel"]
