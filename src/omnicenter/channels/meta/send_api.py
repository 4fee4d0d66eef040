"""The Messenger Platform's webhook and Send API, which Messenger and Instagram share.

A webhook is `{"object": "page"|"instagram", "entry": [{"id", "time", "messaging":
[{"sender": {"id"}, "recipient": {"id"}, "timestamp", "message" | "postback" | "delivery"
| "read": ...}]}]}`. Our own messages come back as echoes (`message.is_echo`) and are
skipped. A send is `POST /me/messages` with `{"recipient": {"id"}, "messaging_type",
"message": {"text", "quick_replies"}}`, answered `{"recipient_id", "message_id"}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from omnicenter.channels.errors import ChannelError
from omnicenter.channels.meta.messages import ChatMessage, MediaRef, StatusUpdate, Webhook

__all__ = ["QUICK_REPLY_LIMIT", "message_payload", "parse_send_api_webhook"]

QUICK_REPLY_LIMIT = 13  # the Send API's most quick replies on one message
_QUICK_REPLY_TITLE = 20  # characters of a quick reply's title
_EXTENSIONS = {"image": "jpg", "video": "mp4", "audio": "mp4", "file": "bin"}
_TYPES = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/mp4",
    "file": "application/octet-stream",
}


def parse_send_api_webhook(payload: object, *, expected_object: str) -> Webhook:
    """The messages and statuses of one webhook delivery; `ChannelError` (400) for a body
    that is not one, or that is for another product (`object`)."""
    if not isinstance(payload, dict):
        raise ChannelError("expected a JSON object")
    if payload.get("object") != expected_object:
        raise ChannelError(f"expected object {expected_object!r}, got {payload.get('object')!r}")
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise ChannelError("missing entry list")
    messages: list[ChatMessage] = []
    statuses: list[StatusUpdate] = []
    for entry in entries:
        for item in _list(entry, "messaging"):
            sender = _id(item.get("sender"))
            recipient = _id(item.get("recipient"))
            if sender is None:
                raise ChannelError("a messaging item has no sender.id")
            if isinstance(item.get("message"), dict):
                msg = _message(item["message"], sender, recipient)
                if msg is not None:
                    messages.append(msg)
            elif isinstance(item.get("postback"), dict):
                messages.append(_postback(item["postback"], item, sender, recipient))
            elif isinstance(item.get("delivery"), dict):
                at = _time(item["delivery"].get("watermark"))
                for mid in item["delivery"].get("mids") or ():
                    statuses.append(StatusUpdate(str(mid), "delivered", sender, at))
            elif isinstance(item.get("read"), dict) and item["read"].get("mid"):
                # Instagram names the message read; Messenger gives only a watermark.
                at = _time(item.get("timestamp"))
                statuses.append(StatusUpdate(str(item["read"]["mid"]), "read", sender, at))
    return Webhook(tuple(messages), tuple(statuses))


def message_payload(
    recipient: str,
    text: str,
    buttons: Sequence[Mapping[str, str]] = (),
    *,
    tag: str | None = None,
) -> dict[str, Any]:
    """The Send API body for a text (with quick replies for the bot's buttons): a
    `RESPONSE` within the window, a `MESSAGE_TAG` with `tag` outside it."""
    message: dict[str, Any] = {"text": text}
    if buttons:
        message["quick_replies"] = [
            {
                "content_type": "text",
                "title": b["label"][:_QUICK_REPLY_TITLE],
                "payload": b["value"],
            }
            for b in buttons[:QUICK_REPLY_LIMIT]
        ]
    body: dict[str, Any] = {"recipient": {"id": recipient}, "message": message}
    if tag:
        body.update(messaging_type="MESSAGE_TAG", tag=tag)
    else:
        body["messaging_type"] = "RESPONSE"
    return body


def _message(message: dict[str, Any], sender: str, recipient: str | None) -> ChatMessage | None:
    if message.get("is_echo"):
        return None  # our own message, sent from here or from the Page's inbox
    mid = message.get("mid")
    if not isinstance(mid, str) or not mid:
        raise ChannelError("a message has no mid")
    text: str = message["text"] if isinstance(message.get("text"), str) else ""
    extra: dict[str, Any] = {}
    kind = "text"
    quick = message.get("quick_reply")
    if isinstance(quick, dict) and isinstance(quick.get("payload"), str):
        # A tapped quick reply: its payload is the button's value, as on every channel.
        text, kind = quick["payload"], "quick_reply"
    media: list[MediaRef] = []
    for n, att in enumerate(message.get("attachments") or (), start=1):
        if not isinstance(att, dict):
            continue
        a_type = str(att.get("type", "file"))
        payload: dict[str, Any] = att["payload"] if isinstance(att.get("payload"), dict) else {}
        kind = a_type if kind == "text" else kind
        if a_type == "location" and isinstance(payload.get("coordinates"), dict):
            c = payload["coordinates"]
            extra["location"] = {"latitude": c.get("lat"), "longitude": c.get("long")}
            text = text or f"Location: {c.get('lat')}, {c.get('long')}"
        elif isinstance(payload.get("url"), str) and a_type in _TYPES:
            ext = _EXTENSIONS[a_type]
            media.append(
                MediaRef(payload["url"], _TYPES[a_type], f"{a_type}-{mid[-12:]}-{n}.{ext}")
            )
        elif isinstance(payload.get("url"), str):
            extra.setdefault("links", []).append({"type": a_type, "url": payload["url"]})
    if isinstance(message.get("reply_to"), dict) and message["reply_to"].get("mid"):
        extra["reply_to"] = message["reply_to"]["mid"]
    return ChatMessage(mid, sender, recipient, text, kind, media=tuple(media), extra=extra)


def _postback(
    postback: dict[str, Any], item: dict[str, Any], sender: str, recipient: str | None
) -> ChatMessage:
    payload = str(postback.get("payload") or postback.get("title") or "")
    # A postback has a mid on Instagram and on recent Messenger versions; otherwise the
    # sender and the time make it unique.
    mid = postback.get("mid") or f"postback:{sender}:{item.get('timestamp')}"
    return ChatMessage(str(mid), sender, recipient, payload, "postback")


def _list(obj: object, key: str) -> list[dict[str, Any]]:
    if not isinstance(obj, dict):
        return []
    items = obj.get(key)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _id(obj: object) -> str | None:
    if isinstance(obj, dict) and obj.get("id") not in (None, ""):
        return str(obj["id"])
    return None


def _time(millis: object) -> datetime | None:
    if isinstance(millis, int | float):
        return datetime.fromtimestamp(millis / 1000, UTC)
    return None
