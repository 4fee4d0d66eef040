"""Messenger: Messenger Platform webhooks in (signed with the Meta app secret), Send API
messages out.

`MessengerChannel` (adapter.py) is the adapter; what it shares with the other Meta channels is in
`channels/meta`. docs/channels/messenger.md explains why.
"""

from omnicenter.channels.messenger.adapter import MessengerChannel
from omnicenter.channels.messenger.manifest import MANIFEST

__all__ = ["MANIFEST", "MessengerChannel"]
