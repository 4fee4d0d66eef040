"""One engine, many channels: channel-neutral outputs rendered for each channel.

- web chat and messenger: text with buttons (and a "talk to a person" button);
- SMS and email: one message per turn with numbered options and "0" for a person;
- phone IVR: one speech prompt per turn and a DTMF map (digit -> value to feed back).
Whatever a renderer shows, what the customer sends back (a button value, a number, a
digit) is understood by the engine the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from omnicenter.domain import Channel, OutboundMessage
from omnicenter.flows.outputs import (
    HANDOVER_VALUE,
    Ended,
    HandoverRequest,
    Message,
    Output,
    Prompt,
)
from omnicenter.flows.texts import phrase

__all__ = ["Button", "Rendered", "render"]

_BUTTON_CHANNELS = (Channel.WEBCHAT, Channel.MESSENGER, Channel.FORM)
_MESSENGER_LABEL = 20  # Messenger quick reply titles are cut at 20 characters


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message for one channel. `speech` and `dtmf` are set for the phone only."""

    channel: Channel
    text: str
    buttons: tuple[Button, ...] = ()
    speech: str | None = None
    dtmf: dict[str, str] = field(default_factory=dict)
    facts: tuple[dict[str, Any], ...] = ()  # for the agent's view; never shown to the customer

    def to_outbound(
        self, to: str, interaction_id: str, event_id: str, subject: str | None = None
    ) -> OutboundMessage:
        meta: dict[str, Any] = {}
        if self.buttons:
            meta["buttons"] = [{"label": b.label, "value": b.value} for b in self.buttons]
        if self.dtmf:
            meta["dtmf"] = dict(self.dtmf)
        if self.facts:
            meta["facts"] = list(self.facts)
        return OutboundMessage(
            channel=self.channel,
            to=to,
            body=self.speech if self.speech is not None else self.text,
            interaction_id=interaction_id,
            event_id=event_id,
            subject=subject,
            meta=meta,
        )


def _facts(outputs: Sequence[Output]) -> tuple[dict[str, Any], ...]:
    return tuple(f for o in outputs if isinstance(o, Message) for f in o.facts)


def _buttons(outputs: Sequence[Output], channel: Channel, lang: str) -> list[Rendered]:
    rendered: list[Rendered] = []
    for output in outputs:
        if isinstance(output, Message | Ended) and output.text:
            facts = output.facts if isinstance(output, Message) else ()
            rendered.append(Rendered(channel, output.text, facts=facts))
        elif isinstance(output, Prompt):
            buttons = [Button(o.label, o.value) for o in output.options]
            label = output.handover_label or phrase("human_option", lang)
            buttons.append(Button(label, HANDOVER_VALUE))
            if channel is Channel.MESSENGER:
                buttons = [Button(b.label[:_MESSENGER_LABEL], b.value) for b in buttons]
            rendered.append(Rendered(channel, output.text, tuple(buttons)))
    return rendered


def _numbered(outputs: Sequence[Output], channel: Channel, lang: str) -> list[Rendered]:
    """Deferred channels get the whole turn as one message: an SMS costs, an email waits."""
    lines: list[str] = []
    for output in outputs:
        if isinstance(output, Message | Ended) and output.text:
            lines.append(output.text)
        elif isinstance(output, Prompt):
            lines.append(output.text)
            for option in output.options:
                lines.append(f"{option.number}. {option.label}")
            label = output.handover_label or phrase("human_option", lang)
            lines.append(f"0. {label}")
            if output.options:
                lines.append(phrase("reply_with_number", lang))
    if not lines:
        return []
    separator = "\n\n" if channel is Channel.EMAIL else "\n"
    return [Rendered(channel, separator.join(lines), facts=_facts(outputs))]


def _voice(outputs: Sequence[Output], lang: str) -> list[Rendered]:
    spoken: list[str] = []
    dtmf: dict[str, str] = {}
    for output in outputs:
        if isinstance(output, Message | Ended) and output.text:
            spoken.append(output.text)
        elif isinstance(output, Prompt):
            spoken.append(output.text)
            for option in output.options:
                dtmf[str(option.number)] = option.value
                spoken.append(
                    phrase("press", lang)
                    .replace("{digit}", str(option.number))
                    .replace("{label}", option.label)
                )
            dtmf["0"] = HANDOVER_VALUE
            spoken.append(phrase("press_zero", lang))
    if not spoken:
        return []
    speech = " ".join(spoken)
    return [Rendered(Channel.VOICE, speech, speech=speech, dtmf=dtmf, facts=_facts(outputs))]


def render(outputs: Sequence[Output], channel: Channel | str, lang: str) -> list[Rendered]:
    """Messages to send on `channel` for one turn. A `HandoverRequest` is not rendered:
    it goes to routing, and its customer-facing text was already said."""
    channel = Channel(channel)
    visible = [o for o in outputs if not isinstance(o, HandoverRequest)]
    if channel in _BUTTON_CHANNELS:
        return _buttons(visible, channel, lang)
    if channel is Channel.VOICE:
        return _voice(visible, lang)
    return _numbered(visible, channel, lang)
