"""Whole-flow checks: unknown targets, a missing start, and cycles with no way out.

A step "has a way out" when some path from it reaches an `end` or a `handover`. A step
without one traps the customer in a loop (the escape to a human still works at input
steps, but a flow must not rely on it), so it is an error, reported on the step's line.
"""

from __future__ import annotations

import difflib

from omnicenter.flows.model import Branch, End, Flow, Handover, targets

__all__ = ["check_flow", "steps_without_exit"]


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def steps_without_exit(flow: Flow) -> list[str]:
    """Steps from which no `end` or `handover` can be reached, in file order."""
    reverse: dict[str, set[str]] = {step_id: set() for step_id in flow.steps}
    for step_id, step in flow.steps.items():
        for target, _ in targets(step):
            if target in reverse:
                reverse[target].add(step_id)
    can_exit = {sid for sid, s in flow.steps.items() if isinstance(s, End | Handover)}
    frontier = list(can_exit)
    while frontier:
        for previous in reverse[frontier.pop()]:
            if previous not in can_exit:
                can_exit.add(previous)
                frontier.append(previous)
    return [sid for sid in flow.steps if sid not in can_exit]


def _cycle_from(flow: Flow, start: str, trapped: set[str]) -> list[str]:
    """A loop of trapped steps reachable from `start`, for the error message."""
    path: list[str] = []
    seen: dict[str, int] = {}
    current = start
    while current not in seen:
        seen[current] = len(path)
        path.append(current)
        nexts = [t for t, _ in targets(flow.steps[current]) if t in trapped]
        if not nexts:
            return []
        current = nexts[0]
    return [*path[seen[current] :], current]


def check_flow(flow: Flow) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    known = list(flow.steps)
    if flow.start not in flow.steps:
        problems.append(
            (flow.start_line, f"start step '{flow.start}' does not exist{_hint(flow.start, known)}")
        )
    dangling = False
    for step_id, step in flow.steps.items():
        for target, line in targets(step):
            if target not in flow.steps:
                dangling = True
                problems.append(
                    (
                        line,
                        f"step '{step_id}' goes to unknown step '{target}'{_hint(target, known)}",
                    )
                )
        if isinstance(step, Branch):
            for case in step.cases:
                intent = case.condition.intent
                if intent is not None and intent not in flow.intents:
                    problems.append(
                        (case.line, f"branch in '{step_id}' tests unknown intent '{intent}'")
                    )
    if dangling:
        return problems  # cycle analysis on a broken graph only adds noise
    trapped = steps_without_exit(flow)
    reported: set[str] = set()
    for step_id in trapped:
        if step_id in reported:
            continue
        cycle = _cycle_from(flow, step_id, set(trapped))
        members = cycle or [step_id]
        reported.update(members)
        where = " -> ".join(cycle) if cycle else step_id
        line = flow.steps[members[0]].line
        problems.append((line, f"cycle without exit: {where} never reaches an end or a handover"))
    return problems
