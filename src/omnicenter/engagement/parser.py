"""Rule files (YAML) -> `RuleSet`, with every problem reported at its line and column.

The YAML is composed into nodes, not loaded into dicts, so each value keeps its place in
the file; all problems are collected and reported together, as `flow check` does.
The language is described in docs/engagement.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from omnicenter.domain import Channel, SecurityLevel
from omnicenter.engagement.expr import ExpressionError, compile_expression
from omnicenter.engagement.model import (
    Caps,
    Conversion,
    FactLookup,
    Purpose,
    QuietHours,
    Rule,
    RuleSet,
    RuleSettings,
    Template,
)
from omnicenter.engagement.templates import FACT_KINDS, placeholders

__all__ = ["CONDITION_NAMES", "RuleIssue", "RulesError", "load_rules", "parse_rules"]

CONDITION_NAMES = frozenset({"event", "customer", "history"})
TEXT_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.WEBCHAT, Channel.MESSENGER)
FACT_FIELDS: dict[str, frozenset[str]] = {
    "order": frozenset({"number", "status", "carrier", "tracking", "tracking_url", "total"}),
    "return_policy": frozenset({"days", "deadline", "conditions"}),
    "price": frozenset({"final", "list", "name"}),
}
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_DURATION = re.compile(r"^(\d+)\s*([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TOP = frozenset({"version", "settings", "rules"})
_SETTINGS = frozenset({"quiet_hours", "caps", "legal_basis", "default_lang", "default_timezone"})
_RULE = frozenset(
    {
        "id", "name", "on", "when", "delay", "purpose", "priority", "holdout", "channels",
        "security", "caps_exempt", "expires_after", "once_within", "facts", "values",
        "conversion", "message",
    }
)  # fmt: skip
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, order=True)
class RuleIssue:
    line: int  # 1-based
    column: int  # 1-based
    message: str

    def format(self, source: str) -> str:
        return f"{source}:{self.line}:{self.column}: {self.message}"


class RulesError(ValueError):
    """A rule file that cannot be used; `issues` lists every problem found."""

    def __init__(self, source: str, issues: list[RuleIssue]) -> None:
        self.source = source
        self.issues = sorted(issues)
        super().__init__("\n".join(i.format(source) for i in self.issues))


class _Bail(Exception):
    """Stop reading one construct; its issue is recorded."""


class _Reader:
    def __init__(self) -> None:
        self.issues: list[RuleIssue] = []

    def error(self, node: Node, message: str, column: int = 0) -> _Bail:
        mark = node.start_mark
        self.issues.append(RuleIssue(mark.line + 1, mark.column + 1 + column, message))
        return _Bail()

    def mapping(self, node: Node, what: str, keys: frozenset[str] | None) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        out: dict[str, Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            if not isinstance(name, str):
                self.error(key, f"keys in {what} must be names")
            elif name in out:
                self.error(key, f"duplicate key '{name}' in {what}")
            elif keys is not None and name not in keys:
                self.error(key, f"unknown key '{name}' in {what}; known: {', '.join(sorted(keys))}")
            else:
                out[name] = value
        return out

    def scalar(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode):
            raise self.error(node, f"{what} must be a single value")
        return str(node.value)

    def seq(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)

    def parse(self, node: Node, what: str, fn: Callable[[str], _T], hint: str) -> _T:
        text = self.scalar(node, what)
        try:
            return fn(text)
        except ValueError:
            raise self.error(node, f"{what} {text!r} is not {hint}") from None

    def attempt(self, fn: Callable[[], _T]) -> _T | None:
        try:
            return fn()
        except _Bail:
            return None


def _duration(text: str) -> timedelta:
    m = _DURATION.match(text.strip())
    if m is None:
        raise ValueError(text)
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


def _clock(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    raise ValueError(text)


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 0.5:
        raise ValueError(text)
    return value


def _settings(r: _Reader, node: Node) -> RuleSettings:
    m = r.mapping(node, "settings", _SETTINGS)
    base = RuleSettings()
    quiet = base.quiet_hours
    if "quiet_hours" in m:
        q = m["quiet_hours"]
        if isinstance(q, ScalarNode) and q.value.lower() in ("off", "none", "null", ""):
            quiet = None
        else:
            qm = r.mapping(q, "quiet_hours", frozenset({"start", "end"}))
            start = (
                r.parse(qm["start"], "start", _clock, "a time like 21:00")
                if "start" in qm
                else None
            )
            end = r.parse(qm["end"], "end", _clock, "a time like 08:00") if "end" in qm else None
            if start is None or end is None:
                raise r.error(q, "quiet_hours needs start and end")
            quiet = QuietHours(start, end)
    caps = base.caps
    if "caps" in m:
        cm = r.mapping(m["caps"], "caps", frozenset({"per_day", "per_week"}))
        caps = Caps(
            r.parse(cm["per_day"], "per_day", int, "a whole number") if "per_day" in cm else caps.per_day,
            r.parse(cm["per_week"], "per_week", int, "a whole number") if "per_week" in cm else caps.per_week,
        )  # fmt: skip
    basis = base.legal_basis
    if "legal_basis" in m:
        items = r.seq(m["legal_basis"], "legal_basis")
        basis = frozenset(r.parse(i, "purpose", Purpose, "service or surveys") for i in items)
        if Purpose.MARKETING in basis:
            r.error(m["legal_basis"], "marketing is never sent without an opt-in")
            basis = basis - {Purpose.MARKETING}
    lang = r.scalar(m["default_lang"], "default_lang") if "default_lang" in m else base.default_lang
    zone = base.default_timezone
    if "default_timezone" in m:
        zone = r.scalar(m["default_timezone"], "default_timezone")
    return RuleSettings(quiet, caps, basis, lang, zone)


def _templates(
    r: _Reader, node: Node, allowed: dict[str, frozenset[str] | None]
) -> dict[tuple[str, str], Template]:
    out: dict[tuple[str, str], Template] = {}
    for lang, per_lang in r.mapping(node, "message", None).items():
        for channel, text_node in r.mapping(per_lang, f"message.{lang}", None).items():
            if channel != "default" and channel not in {c.value for c in TEXT_CHANNELS}:
                r.error(text_node, f"unknown channel '{channel}' in message.{lang}")
                continue
            if isinstance(text_node, MappingNode):
                tm = r.mapping(
                    text_node, f"message.{lang}.{channel}", frozenset({"subject", "body"})
                )
                if "body" not in tm:
                    raise r.error(text_node, "a message needs a body")
                body = r.scalar(tm["body"], "body")
                subject = r.scalar(tm["subject"], "subject") if "subject" in tm else None
            else:
                body, subject = r.scalar(text_node, "message"), None
            for name in placeholders(body) + placeholders(subject or ""):
                root, _, rest = name.partition(".")
                if root not in allowed:
                    r.error(
                        text_node,
                        f"unknown name '{root}' in {{{name}}}; use event, customer, values or a fact's name",
                    )
                    continue
                known = allowed[root]
                if known is not None and rest not in known:
                    r.error(
                        text_node,
                        f"'{rest}' is not a field of {root}; known: {', '.join(sorted(known))}",
                    )
            out[(lang, channel)] = Template(body, subject)
    return out


def _rule(r: _Reader, node: Node, settings: RuleSettings) -> Rule:
    m = r.mapping(node, "a rule", _RULE)
    for needed in ("id", "on", "purpose", "channels", "message"):
        if needed not in m:
            raise r.error(node, f"a rule needs '{needed}'")
    rule_id = r.scalar(m["id"], "id")
    if not _ID.match(rule_id):
        raise r.error(m["id"], f"id {rule_id!r} is not a valid name (letters, digits, _ . -)")
    purpose = r.parse(m["purpose"], "purpose", Purpose, "service, marketing or surveys")
    channels = tuple(
        r.parse(c, "channel", Channel, "a channel") for c in r.seq(m["channels"], "channels")
    )
    for c, cn in zip(channels, r.seq(m["channels"], "channels"), strict=True):
        if c not in TEXT_CHANNELS:
            r.error(
                cn,
                f"{c.value} does not carry proactive text; use {', '.join(x.value for x in TEXT_CHANNELS)}",
            )
    if not channels:
        r.error(m["channels"], "a rule needs at least one channel")
    condition = None
    if "when" in m:
        text = r.scalar(m["when"], "when")
        try:
            condition = compile_expression(text, CONDITION_NAMES)
        except ExpressionError as exc:
            r.error(m["when"], f"condition: {exc.message}", exc.column - 1)
    facts: list[FactLookup] = []
    if "facts" in m:
        for name, fnode in r.mapping(m["facts"], "facts", None).items():
            fm = r.mapping(fnode, f"facts.{name}", None)
            kind = r.scalar(fm.pop("kind"), "kind") if "kind" in fm else name
            if kind not in FACT_KINDS:
                r.error(
                    fnode, f"unknown fact kind '{kind}'; known: {', '.join(sorted(FACT_KINDS))}"
                )
                continue
            args = {k: r.scalar(v, k) for k, v in fm.items()}
            unknown = set(args) - FACT_KINDS[kind]
            if unknown:
                r.error(
                    fnode,
                    f"{kind} takes {', '.join(sorted(FACT_KINDS[kind]))}, not {', '.join(sorted(unknown))}",
                )
            facts.append(FactLookup(name, kind, args))
    values = (
        {k: r.scalar(v, k) for k, v in r.mapping(m["values"], "values", None).items()}
        if "values" in m
        else {}
    )
    allowed: dict[str, frozenset[str] | None] = {
        "event": None, "customer": None, "values": frozenset(values),
        **{f.name: FACT_FIELDS[f.kind] for f in facts},
    }  # fmt: skip
    templates = _templates(r, m["message"], allowed)
    for c in channels:
        if (settings.default_lang, c.value) not in templates and (
            settings.default_lang,
            "default",
        ) not in templates:
            r.error(
                m["message"], f"no {settings.default_lang} message for {c.value} (or a default)"
            )
    caps_exempt = (
        r.parse(m["caps_exempt"], "caps_exempt", _bool, "true or false")
        if "caps_exempt" in m
        else False
    )
    if caps_exempt and purpose is not Purpose.SERVICE:
        r.error(m["caps_exempt"], "only service messages may be exempt from caps")
    conversion = None
    if "conversion" in m:
        cm = r.mapping(m["conversion"], "conversion", frozenset({"event", "within"}))
        if "event" not in cm:
            raise r.error(m["conversion"], "conversion needs an event")
        within = (
            r.parse(cm["within"], "within", _duration, "a duration like 7d")
            if "within" in cm
            else timedelta(days=7)
        )
        conversion = Conversion(r.scalar(cm["event"], "event"), within)
    security = SecurityLevel.PUBLIC
    if "security" in m:
        security = r.parse(
            m["security"],
            "security",
            lambda t: SecurityLevel[t.upper()],
            "public, session or verified",
        )

    def duration(key: str, default: timedelta | None) -> timedelta | None:
        return (
            r.parse(m[key], key, _duration, "a duration like 30m, 2h or 7d")
            if key in m
            else default
        )

    return Rule(
        id=rule_id,
        name=r.scalar(m["name"], "name") if "name" in m else rule_id,
        trigger=r.scalar(m["on"], "on"),
        purpose=purpose,
        channels=channels,
        templates=templates,
        condition=condition,
        delay=duration("delay", timedelta(0)) or timedelta(0),
        priority=r.parse(m["priority"], "priority", int, "a whole number")
        if "priority" in m
        else 0,
        holdout=r.parse(m["holdout"], "holdout", _share, "a share between 0 and 0.5")
        if "holdout" in m
        else 0.0,
        min_security=security,
        caps_exempt=caps_exempt,
        expires_after=duration("expires_after", timedelta(hours=48)) or timedelta(hours=48),
        once_within=duration("once_within", None),
        facts=tuple(facts),
        values=values,
        conversion=conversion,
        line=node.start_mark.line + 1,
    )


def parse_rules(text: str, source: str = "<rules>") -> RuleSet:
    r = _Reader()
    try:
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise RulesError(source, [RuleIssue(line, col, f"not valid YAML: {exc.problem}")]) from None
    if root is None:
        raise RulesError(source, [RuleIssue(1, 1, "the file is empty")])
    rules: list[Rule] = []
    version = 0
    settings = RuleSettings()
    try:
        top = r.mapping(root, "the file", _TOP)
        if "version" in top:
            version = r.parse(top["version"], "version", int, "a whole number")
        if "settings" in top:
            settings = r.attempt(lambda: _settings(r, top["settings"])) or settings
        if "rules" not in top:
            raise r.error(root, "the file needs 'rules'")
        seen: dict[str, int] = {}
        for item in r.seq(top["rules"], "rules"):
            rule = r.attempt(partial(_rule, r, item, settings))
            if rule is None:
                continue
            if rule.id in seen:
                r.error(item, f"duplicate rule id '{rule.id}' (first on line {seen[rule.id]})")
                continue
            seen[rule.id] = rule.line
            rules.append(rule)
    except _Bail:
        pass
    if r.issues:
        raise RulesError(source, r.issues)
    return RuleSet(version, settings, tuple(rules))


def load_rules(path: Path | str) -> RuleSet:
    p = Path(path)
    return parse_rules(p.read_text(encoding="utf-8"), str(p))
