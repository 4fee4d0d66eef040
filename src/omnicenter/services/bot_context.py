"""What the bot knows as a conversation begins, beyond its own state: who writes (the
identity the channel proves), what the customer told on the case's other contacts, and
whether the case is already waiting for a person.

A customer who goes on in another channel mid-conversation is not asked again: each turn
keeps what it collected on the case (`keep_on_case`), and a conversation on another contact
starts from there (`case_knowledge`). After a goodbye or a handover the next conversation
starts afresh; the fields stay on the case for the agents.
"""

from __future__ import annotations

from sqlalchemy import Connection

from omnicenter.domain import Case, Interaction, InteractionStatus
from omnicenter.flows import ConversationState, Status
from omnicenter.identity import identity_kind_for
from omnicenter.services.case_changes import change_case
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo

__all__ = [
    "HANDOVER_FIELD",
    "INTENT_FIELD",
    "STATUS_FIELD",
    "case_knowledge",
    "keep_on_case",
    "proved_identities",
    "waiting_for_people",
]

HANDOVER_FIELD = "bot_handover"  # the case field the handover context is kept in
INTENT_FIELD = "bot_intent"  # what the customer asked the bot about, last
STATUS_FIELD = "bot_status"  # where the case's last bot conversation is: active, ended, ...
_BOOKKEEPING = (HANDOVER_FIELD, INTENT_FIELD, STATUS_FIELD, "queue")


def waiting_for_people(conn: Connection, case: Case, interaction_id: str) -> bool:
    """The bot handed this case over on another contact that is still open: the customer
    now writing elsewhere is already waiting for a person, not for the bot's menu."""
    handover = case.fields.get(HANDOVER_FIELD)
    other = handover.get("interaction_id") if isinstance(handover, dict) else None
    if not isinstance(other, str) or other == interaction_id:
        return False
    found = cases_repo.get_interaction(conn, other)
    return found is not None and found.status is InteractionStatus.OPEN


def keep_on_case(uow: UnitOfWork, case: Case, state: ConversationState) -> None:
    """What the customer told the bot belongs to the case, not to one channel's
    conversation: a contact on another channel goes on from there (`known` fields)."""
    told: dict[str, object] = {k: v for k, v in state.fields.items() if case.fields.get(k) != v}
    if state.intent and case.fields.get(INTENT_FIELD) != state.intent:
        told[INTENT_FIELD] = state.intent
    if case.fields.get(STATUS_FIELD) != state.status.value:
        told[STATUS_FIELD] = state.status.value
    if told:
        change_case(uow, case, fields={**case.fields, **told})


def proved_identities(interaction: Interaction) -> tuple[str, ...]:
    """The identity the channel proves the writer has: the email they write from, the
    number they text or call from. A web chat visitor proves none (what they typed in the
    pre-chat form is a claim), so order data needs a one-time code there."""
    kind = identity_kind_for(interaction.channel)
    if kind in ("email", "phone") and interaction.address:
        return (f"{kind}:{interaction.address}",)
    return ()


def case_knowledge(case: Case) -> dict[str, str]:
    """The fields a conversation starts with: those collected on the case by a conversation
    the customer left unfinished (they went on in another channel). After a goodbye or a
    handover the next conversation starts afresh; the fields stay on the case for agents."""
    if case.fields.get(STATUS_FIELD) != Status.ACTIVE.value:
        return {}
    return {
        k: str(v)
        for k, v in case.fields.items()
        if k not in _BOOKKEEPING and isinstance(v, str | int | float)
    }
