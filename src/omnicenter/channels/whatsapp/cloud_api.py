"""The WhatsApp Cloud API's wire format: the `messages` webhook and the message bodies.

A webhook is `{"object": "whatsapp_business_account", "entry": [{"id", "changes":
[{"field": "messages", "value": {"metadata": {"phone_number_id"}, "contacts": [{"wa_id",
"profile": {"name"}}], "messages": [...], "statuses": [...]}}]}]}`. A sender's `wa_id` is
their phone number without the `+`; here it becomes E.164 so it is the customer's phone
identity. A send is `POST /{phone-number-id}/messages`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from omnicenter.channels.errors import ChannelError
from omnicenter.channels.meta.messages import ChatMessage, MediaRef, StatusUpdate, Webhook

__all__ = [
    "BUTTON_LIMIT",
    "LIST_ROW_LIMIT",
    "Template",
    "interactive_payload",
    "parse_cloud_webhook",
    "template_payload",
    "text_payload",
]

BUTTON_LIMIT = 3  # reply buttons on one interactive message
LIST_ROW_LIMIT = 10  # rows in one list message
_BUTTON_TITLE = 20
_ROW_TITLE = 24
_INTERACTIVE_BODY = 1024
_MEDIA_KINDS = ("image", "document", "audio", "video", "sticker")
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
}


def parse_cloud_webhook(payload: object, *, phone_number_id: str | None = None) -> Webhook:
    """Messages and statuses of one delivery; changes for another phone number than
    `phone_number_id` (when set) are skipped. `ChannelError` for a body that is not one."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise ChannelError("expected object 'whatsapp_business_account'")
    if not isinstance(payload.get("entry"), list):
        raise ChannelError("missing entry list")
    messages: list[ChatMessage] = []
    statuses: list[StatusUpdate] = []
    for entry in payload["entry"]:
        for change in _dicts(entry, "changes"):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            metadata = _obj(value.get("metadata"))
            if phone_number_id and str(metadata.get("phone_number_id")) != phone_number_id:
                continue
            ours = metadata.get("display_phone_number")
            names = {
                str(c.get("wa_id")): c["profile"].get("name")
                for c in _dicts(value, "contacts")
                if isinstance(c.get("profile"), dict)
            }
            for m in _dicts(value, "messages"):
                messages.append(_message(m, names, str(ours) if ours else None))
            for s in _dicts(value, "statuses"):
                statuses.append(_status(s))
    return Webhook(tuple(messages), tuple(statuses))


def text_payload(to: str, body: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": _wa_id(to),
        "type": "text",
        "text": {"preview_url": False, "body": body},
    }


def interactive_payload(
    to: str, body: str, buttons: Sequence[Mapping[str, str]], *, list_label: str = "Choose"
) -> dict[str, Any]:
    """Reply buttons for up to 3 choices, a list for up to 10 (more are cut)."""
    interactive: dict[str, Any]
    if len(buttons) <= BUTTON_LIMIT:
        interactive = {
            "type": "button",
            "body": {"text": body[:_INTERACTIVE_BODY]},
            "action": {
                "buttons": [
                    {
                        "type": "reply",
                        "reply": {"id": b["value"], "title": b["label"][:_BUTTON_TITLE]},
                    }
                    for b in buttons
                ]
            },
        }
    else:
        rows = [
            {"id": b["value"], "title": b["label"][:_ROW_TITLE]} for b in buttons[:LIST_ROW_LIMIT]
        ]
        interactive = {
            "type": "list",
            "body": {"text": body[:_INTERACTIVE_BODY]},
            "action": {"button": list_label, "sections": [{"title": list_label, "rows": rows}]},
        }
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": _wa_id(to),
        "type": "interactive",
        "interactive": interactive,
    }


@dataclass(frozen=True, slots=True)
class Template:
    """An approved message template to send: its name, language code and the texts for
    its body's variables, in order."""

    name: str
    language: str
    variables: tuple[str, ...] = ()

    @classmethod
    def from_meta(cls, value: object) -> Template:
        """From an outbound message's `meta["template"]`: `{"name", "language",
        "variables"}`; `ChannelError` when it is not one."""
        if not isinstance(value, dict) or not value.get("name") or not value.get("language"):
            raise ChannelError("a template needs a name and a language")
        variables = value.get("variables") or []
        if not isinstance(variables, list):
            raise ChannelError("a template's variables are a list of texts")
        return cls(str(value["name"]), str(value["language"]), tuple(str(v) for v in variables))


def template_payload(to: str, template: Template) -> dict[str, Any]:
    body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.variables:
        body["components"] = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": v} for v in template.variables],
            }
        ]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": _wa_id(to),
        "type": "template",
        "template": body,
    }


def _message(m: dict[str, Any], names: Mapping[str, Any], ours: str | None) -> ChatMessage:
    wa_id, mid, kind = m.get("from"), m.get("id"), str(m.get("type") or "unknown")
    if not isinstance(wa_id, str) or not wa_id or not isinstance(mid, str) or not mid:
        raise ChannelError("a message needs from and id")
    body = ""
    media: tuple[MediaRef, ...] = ()
    fields: dict[str, str] = {}
    extra: dict[str, Any] = {}
    part = _obj(m.get(kind))
    if kind == "text":
        body = str(part.get("body") or "")
    elif kind in _MEDIA_KINDS and part.get("id"):
        body = str(part.get("caption") or "")
        ctype = str(part.get("mime_type") or "application/octet-stream").split(";")[0].strip()
        name = part.get("filename") or f"{kind}-{part['id']}.{_EXTENSIONS.get(ctype, 'bin')}"
        media = (MediaRef(str(part["id"]), ctype, str(name)),)
    elif kind == "location":
        extra["location"] = {k: part.get(k) for k in ("latitude", "longitude", "name", "address")}
        label = part.get("name") or part.get("address") or ""
        body = f"Location: {part.get('latitude')}, {part.get('longitude')} {label}".strip()
    elif kind == "button":  # a template's quick-reply button
        body = str(part.get("payload") or part.get("text") or "")
    elif kind == "interactive":
        reply = _obj(part.get(str(part.get("type"))))
        body = str(reply.get("id") or reply.get("title") or "")
    elif kind == "contacts":
        body, fields = _shared_contacts(m.get("contacts"))
    elif kind == "reaction":
        body = str(part.get("emoji") or "")
        extra["reaction_to"] = part.get("message_id")
    context = m.get("context")
    if isinstance(context, dict) and context.get("id"):
        extra["reply_to"] = context["id"]
    name = names.get(wa_id)
    return ChatMessage(
        message_id=mid,
        sender="+" + wa_id.lstrip("+"),
        recipient=f"+{ours.lstrip('+')}" if ours else None,
        body=body,
        kind=kind,
        sender_name=str(name) if name else None,
        media=media,
        fields=fields,
        extra=extra,
    )


def _shared_contacts(cards: object) -> tuple[str, dict[str, str]]:
    """A shared contact card: its text, and the phone and email as claims (the first)."""
    lines: list[str] = []
    fields: dict[str, str] = {}
    for card in cards if isinstance(cards, list) else ():
        if not isinstance(card, dict):
            continue
        name = (
            card.get("name", {}).get("formatted_name")
            if isinstance(card.get("name"), dict)
            else None
        )
        phones = [p.get("phone") for p in card.get("phones") or () if isinstance(p, dict)]
        emails = [e.get("email") for e in card.get("emails") or () if isinstance(e, dict)]
        lines.append(" ".join(str(x) for x in (name, *phones, *emails) if x))
        if phones and phones[0]:
            fields.setdefault("phone", str(phones[0]))
        if emails and emails[0]:
            fields.setdefault("email", str(emails[0]))
    return "\n".join(lines), fields


def _status(s: dict[str, Any]) -> StatusUpdate:
    errors = [e for e in s.get("errors") or () if isinstance(e, dict)]
    code = errors[0].get("code") if errors else None
    ts = s.get("timestamp")
    at = datetime.fromtimestamp(int(ts), UTC) if isinstance(ts, str) and ts.isdigit() else None
    return StatusUpdate(
        message_ref=str(s.get("id") or ""),
        status=str(s.get("status") or "unknown"),
        recipient="+" + str(s.get("recipient_id") or "").lstrip("+"),
        at=at,
        error_code=code if isinstance(code, int) else None,
        error_title=str(errors[0].get("title")) if errors else None,
    )


def _wa_id(address: str) -> str:
    return address.strip().lstrip("+")


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(obj: object, key: str) -> list[dict[str, Any]]:
    if not isinstance(obj, dict):
        return []
    items = obj.get(key)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
