"""An agent corrects which case a contact belongs to: split it off into a case of its own,
or move it to another open case of the same customer. The contact's whole interaction moves
with its timeline; both cases say so on their timelines, and the audit log keeps who did it.

Who may: the agent who owns the case the contact is on (or anyone while nobody owns it),
and supervisors and admins. A partner agent may not (a case is the outsourced team's only
while routing gives it to them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from omnicenter.domain import Agent, AgentRole, AuthorType, Case, EventKind, Interaction
from omnicenter.services.case_changes import change_case
from omnicenter.services.timeline import add_case_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = ["CaseMoveError", "Moved", "move_interaction", "split_interaction"]

_OVERSEERS = (AgentRole.SUPERVISOR, AgentRole.ADMIN)


class CaseMoveError(ValueError):
    """The move is not possible or not allowed (the message says why); nothing changed."""

    def __init__(self, reason: str, *, status: int = 409) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True, slots=True)
class Moved:
    interaction_id: str
    from_case_id: str
    to_case_id: str


def _source(uow: UnitOfWork, agent: Agent, interaction_id: str) -> tuple[Interaction, Case]:
    interaction = cases_repo.get_interaction(uow.conn, interaction_id)
    if interaction is None:
        raise CaseMoveError(f"unknown interaction {interaction_id}", status=404)
    case = cases_repo.get_case(uow.conn, interaction.case_id)
    assert case is not None
    if agent.partner or (
        agent.role not in _OVERSEERS and case.owner_agent_id not in (None, agent.id)
    ):
        raise CaseMoveError(
            "only the case's agent or a supervisor may move its contacts", status=403
        )
    return interaction, case


def _move(uow: UnitOfWork, agent: Agent, interaction: Interaction, src: Case, dst: Case) -> Moved:
    conn = uow.conn
    conn.execute(
        update(t.interactions).where(t.interactions.c.id == interaction.id).values(case_id=dst.id)
    )
    conn.execute(
        update(t.events).where(t.events.c.interaction_id == interaction.id).values(case_id=dst.id)
    )
    what = f"{interaction.channel.value} contact"
    meta = {"interaction_id": interaction.id, "from_case_id": src.id, "to_case_id": dst.id}
    add_case_event(
        uow, src, EventKind.STATUS, f"{what} moved to case “{dst.subject}”", meta,
        author_type=AuthorType.AGENT, author_id=agent.id,
    )  # fmt: skip
    add_case_event(
        uow, dst, EventKind.STATUS, f"{what} moved here from case “{src.subject}”", meta,
        author_type=AuthorType.AGENT, author_id=agent.id,
    )  # fmt: skip
    change_case(uow, src)  # both announced: desktops re-read them
    change_case(uow, dst)
    uow.audit(agent.id, "interaction.move", "interaction", interaction.id, **meta)
    return Moved(interaction.id, src.id, dst.id)


def split_interaction(uow: UnitOfWork, agent: Agent, interaction_id: str) -> Moved:
    """The contact becomes a case of its own (same customer, its channel, its subject)."""
    interaction, src = _source(uow, agent, interaction_id)
    others = [i for i in cases_repo.interactions_of_case(uow.conn, src.id) if i != interaction.id]
    if not others:
        raise CaseMoveError("the contact is the case's only one: nothing to split it from")
    subject = interaction.subject or f"{interaction.channel.value} contact"
    case_id = cases_repo.create_case(
        uow.conn, uow.now, interaction.customer_id, subject, interaction.channel
    )
    dst = cases_repo.get_case(uow.conn, case_id)
    assert dst is not None
    return _move(uow, agent, interaction, src, dst)


def move_interaction(uow: UnitOfWork, agent: Agent, interaction_id: str, case_id: str) -> Moved:
    """The contact joins another open case of the same customer."""
    interaction, src = _source(uow, agent, interaction_id)
    dst = cases_repo.get_case(uow.conn, case_id)
    if dst is None:
        raise CaseMoveError(f"unknown case {case_id}", status=404)
    if dst.id == src.id:
        raise CaseMoveError("the contact is on that case already")
    if not dst.status.is_open:
        raise CaseMoveError("a contact joins an open case only; reopen it first")
    conn = uow.conn
    if customers_repo.root_of(conn, dst.customer_id) != customers_repo.root_of(
        conn, src.customer_id
    ):
        raise CaseMoveError("that case belongs to another customer")
    return _move(uow, agent, interaction, src, dst)
