"""Skill requirements (`language:pl>=3`) and requirement sets, the keys of the routing indexes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from omnicenter.routing.errors import ConfigError

__all__ = ["MAX_LEVEL", "Requirement", "SkillReq", "parse_skill", "parse_skills"]

MAX_LEVEL = 5
_SKILL_RE = re.compile(r"^\s*([A-Za-z0-9_.:\-/]+)\s*(?:>=\s*([0-9]+))?\s*$")


@dataclass(frozen=True, slots=True, order=True)
class SkillReq:
    """`name>=level`; a bare name means level 1."""

    name: str
    level: int = 1

    def __str__(self) -> str:
        return f"{self.name}>={self.level}"


def parse_skill(text: str, path: str = "") -> SkillReq:
    match = _SKILL_RE.match(text)
    if match is None:
        raise ConfigError(path, f"bad skill {text!r}; expected 'name' or 'name>=level'")
    level = int(match.group(2)) if match.group(2) else 1
    if not 1 <= level <= MAX_LEVEL:
        raise ConfigError(path, f"skill level must be 1..{MAX_LEVEL} (got {level} in {text!r})")
    return SkillReq(match.group(1), level)


def parse_skills(value: object, path: str) -> tuple[SkillReq, ...]:
    """Accept `["returns>=2", "language:pl>=3"]` or `{returns = 2}`; merge duplicates (highest level)."""
    items: list[SkillReq] = []
    if isinstance(value, str):
        items.append(parse_skill(value, path))
    elif isinstance(value, Mapping):
        for name, level in value.items():
            if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= MAX_LEVEL:
                raise ConfigError(
                    f"{path}.{name}", f"skill level must be an integer 1..{MAX_LEVEL}"
                )
            items.append(SkillReq(str(name), level))
    elif isinstance(value, Iterable):
        for i, item in enumerate(value):
            if isinstance(item, SkillReq):
                items.append(item)
            elif isinstance(item, str):
                items.append(parse_skill(item, f"{path}[{i}]"))
            else:
                raise ConfigError(f"{path}[{i}]", f"expected a skill string, got {item!r}")
    else:
        raise ConfigError(path, f"expected a list of skills, got {value!r}")
    return merge(items)


def merge(items: Iterable[SkillReq]) -> tuple[SkillReq, ...]:
    best: dict[str, int] = {}
    for req in items:
        best[req.name] = max(best.get(req.name, 0), req.level)
    return tuple(SkillReq(n, lv) for n, lv in sorted(best.items()))


@dataclass(frozen=True, slots=True)
class Requirement:
    """Who may take a task: skills at a minimum level, optionally limited to teams and roles.

    Requirements are hashable values; the engine keeps one agent index per requirement, channel
    and selection policy, so a task looks up its candidates instead of scanning agents.
    """

    skills: tuple[SkillReq, ...] = ()
    teams: frozenset[str] | None = None
    roles: frozenset[str] | None = None

    def matches(self, skills: Mapping[str, int], team: str, role: str) -> bool:
        if self.teams is not None and team not in self.teams:
            return False
        if self.roles is not None and role not in self.roles:
            return False
        return all(skills.get(s.name, 0) >= s.level for s in self.skills)

    def missing(self, skills: Mapping[str, int], team: str, role: str) -> str | None:
        """Why an agent does not match (for explanations), or None."""
        if self.teams is not None and team not in self.teams:
            return f"team {team} not in {sorted(self.teams)}"
        if self.roles is not None and role not in self.roles:
            return f"role {role} not in {sorted(self.roles)}"
        for s in self.skills:
            have = skills.get(s.name, 0)
            if have < s.level:
                return f"skill {s} (has {have})" if have else f"no skill {s.name}"
        return None

    def score(self, skills: Mapping[str, int]) -> int:
        """Sum of the agent's levels on the required skills (most-skilled policy)."""
        return sum(skills.get(s.name, 0) for s in self.skills)

    def with_skills(self, extra: Iterable[SkillReq]) -> Requirement:
        return Requirement(merge((*self.skills, *extra)), self.teams, self.roles)

    def lowered(self, by: int) -> Requirement:
        skills = tuple(SkillReq(s.name, max(1, s.level - by)) for s in self.skills)
        return Requirement(skills, self.teams, self.roles)

    def __str__(self) -> str:
        parts = [str(s) for s in self.skills]
        if self.teams is not None:
            parts.append("team in " + "|".join(sorted(self.teams)))
        if self.roles is not None:
            parts.append("role in " + "|".join(sorted(self.roles)))
        return ", ".join(parts) or "any agent"
