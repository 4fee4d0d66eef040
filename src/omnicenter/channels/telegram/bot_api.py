"""The Telegram Bot API's wire format: updates in, `sendMessage` and `getFile` out.

A webhook delivers one `Update` (`{"update_id", "message" | "callback_query" | ...}`) with
`X-Telegram-Bot-Api-Secret-Token` set to the secret given to `setWebhook`; it is compared
in constant time before the body is read. Methods are `POST {base}/bot<token>/<method>`,
answered `{"ok": true, "result": ...}` or `{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from omnicenter.channels.errors import ChannelError
from omnicenter.channels.meta.messages import ChatMessage, MediaRef, Webhook

__all__ = [
    "CALLBACK_DATA_BYTES",
    "SECRET_HEADER",
    "parse_update",
    "send_message_payload",
    "verify_secret_token",
]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_DATA_BYTES = 64  # an inline button's callback_data
_MEDIA = {
    "document": "application/octet-stream",
    "voice": "audio/ogg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
}


def verify_secret_token(secret: str, header: str | None) -> None:
    """Raises `ChannelError`: 403 unless `header` is `secret`, 503 when none is configured."""
    if not secret:
        raise ChannelError(
            "OMNICENTER_TELEGRAM_SECRET_TOKEN is not set: webhooks refused", status=503
        )
    if header is None or not hmac.compare_digest(header.encode(), secret.encode()):
        raise ChannelError(f"invalid {SECRET_HEADER}", status=403)


def parse_update(update: object) -> Webhook:
    """The customer message an update carries (none for updates that are not one: an
    edit, a group message, a chat member change). `ChannelError` for a body that is not
    an update."""
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise ChannelError("expected a Telegram Update with an update_id")
    if isinstance(update.get("message"), dict):
        msg = _message(update["message"])
        return Webhook(messages=(msg,) if msg is not None else ())
    query = update.get("callback_query")
    if isinstance(query, dict):
        return Webhook(messages=(_callback(query),))
    return Webhook()


def send_message_payload(
    chat_id: str, text: str, buttons: Sequence[Mapping[str, str]] = ()
) -> dict[str, Any]:
    """`sendMessage` for a text; the bot's buttons as an inline keyboard, one per row."""
    payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
    keyboard = [
        [{"text": b["label"], "callback_data": b["value"]}]
        for b in buttons
        if 0 < len(b["value"].encode()) <= CALLBACK_DATA_BYTES
    ]
    if keyboard:
        payload["reply_markup"] = {"inline_keyboard": keyboard}
    return payload


def _message(m: dict[str, Any]) -> ChatMessage | None:
    chat, user = m.get("chat"), m.get("from")
    if not isinstance(chat, dict) or chat.get("type") != "private" or not isinstance(user, dict):
        return None  # only one-to-one chats with the bot are conversations with a customer
    chat_id, message_id = chat.get("id"), m.get("message_id")
    if chat_id is None or message_id is None:
        raise ChannelError("a message needs chat.id and message_id")
    body = str(m.get("text") or m.get("caption") or "")
    kind = "text"
    media: list[MediaRef] = []
    fields: dict[str, str] = {}
    extra: dict[str, Any] = {}
    photos = m.get("photo")
    if isinstance(photos, list) and photos and isinstance(photos[-1], dict):
        biggest = photos[-1]  # Telegram lists the sizes smallest first
        kind = "photo"
        media.append(MediaRef(str(biggest["file_id"]), "image/jpeg", f"photo-{message_id}.jpg"))
    for media_kind, default in _MEDIA.items():
        part = m.get(media_kind)
        if isinstance(part, dict) and part.get("file_id"):
            kind = media_kind
            ctype = str(part.get("mime_type") or default)
            filename = str(part.get("file_name") or f"{media_kind}-{message_id}")
            media.append(MediaRef(str(part["file_id"]), ctype, filename))
    location = m.get("location")
    if isinstance(location, dict):
        kind = "location"
        extra["location"] = {k: location.get(k) for k in ("latitude", "longitude")}
        body = body or f"Location: {location.get('latitude')}, {location.get('longitude')}"
    contact = m.get("contact")
    if isinstance(contact, dict) and contact.get("phone_number"):
        kind = "contact"
        body = body or f"Contact: {contact['phone_number']}"
        # Only the customer's own number (shared with the "share my contact" button) is a
        # claim about them; someone else's card is just a message.
        if contact.get("user_id") == user.get("id"):
            fields["phone"] = str(contact["phone_number"])
    if user.get("username"):
        extra["username"] = user["username"]
    return ChatMessage(
        message_id=f"{chat_id}:{message_id}",
        sender=str(chat_id),
        recipient=None,
        body=body,
        kind=kind,
        sender_name=_display_name(user),
        media=tuple(media),
        fields=fields,
        extra=extra,
    )


def _callback(query: dict[str, Any]) -> ChatMessage:
    user = query.get("from")
    if not isinstance(user, dict) or user.get("id") is None or not query.get("id"):
        raise ChannelError("a callback query needs id and from.id")
    return ChatMessage(
        message_id=f"callback:{query['id']}",
        sender=str(user["id"]),
        recipient=None,
        body=str(query.get("data") or ""),
        kind="callback_query",
        sender_name=_display_name(user),
        extra={"callback_query_id": str(query["id"])},
    )


def _display_name(user: dict[str, Any]) -> str | None:
    return " ".join(str(user[k]) for k in ("first_name", "last_name") if user.get(k)) or None
