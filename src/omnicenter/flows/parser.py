"""YAML flow files -> `Flow`, with errors that point at a line and column.

The YAML is composed into nodes (not loaded into plain dicts) so that every key and
value keeps its mark; all problems in a file are collected and reported together.
See docs/flows.md for the language.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from omnicenter.flows.checks import check_flow
from omnicenter.flows.model import (
    STEP_TYPES,
    Ask,
    Branch,
    Callback,
    Choice,
    Choose,
    Collect,
    CollectKind,
    Condition,
    End,
    Flow,
    FlowSettings,
    Handover,
    Intent,
    Localized,
    Lookup,
    LookupKind,
    Say,
    SetFields,
    Step,
    When,
)

__all__ = ["FlowError", "FlowIssue", "load_flow", "parse_flow"]

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_T = TypeVar("_T")

# Keys each step type accepts besides its own type key.
_STEP_KEYS: dict[str, frozenset[str]] = {
    "say": frozenset({"next"}),
    "ask": frozenset({"text", "routes", "else", "next"}),
    "choose": frozenset({"text", "options"}),
    "collect": frozenset({"text", "field", "error", "pattern", "next"}),
    "lookup": frozenset({"args", "as", "next", "not_found"}),
    "set": frozenset({"next"}),
    "branch": frozenset({"else"}),
    "handover": frozenset({"text", "skills", "priority"}),
    "callback": frozenset({"text", "next"}),
    "end": frozenset(),
}
_LOOKUP_ARGS: dict[LookupKind, frozenset[str]] = {
    LookupKind.PRICE: frozenset({"product", "quantity", "basket"}),
    LookupKind.STOCK: frozenset({"product", "location"}),
    LookupKind.ORDER_STATUS: frozenset({"order", "email"}),
    LookupKind.RETURN_POLICY: frozenset({"order"}),
    LookupKind.EXCHANGE_POLICY: frozenset({"order"}),
    LookupKind.COMPLAINT_POLICY: frozenset({"order"}),
    LookupKind.OPENING_HOURS: frozenset({"location"}),
    LookupKind.FAQ: frozenset({"text"}),
    LookupKind.PRODUCT: frozenset({"product"}),
}
_TOP_KEYS = frozenset(
    {"flow", "version", "name", "start", "lang", "langs", "settings", "intents", "texts", "steps"}
)


@dataclass(frozen=True, slots=True, order=True)
class FlowIssue:
    line: int  # 1-based
    column: int  # 1-based
    message: str

    def format(self, source: str) -> str:
        return f"{source}:{self.line}:{self.column}: {self.message}"


class FlowError(ValueError):
    """A flow file that cannot be used; `issues` lists every problem found."""

    def __init__(self, source: str, issues: list[FlowIssue]) -> None:
        self.source = source
        self.issues = sorted(issues)
        super().__init__("\n".join(issue.format(source) for issue in self.issues))


class _Bail(Exception):
    """Stop reading one construct; its issue is already recorded."""


def _suggest(word: str, known: frozenset[str] | list[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Reader:
    def __init__(self) -> None:
        self.issues: list[FlowIssue] = []

    def error(self, node: Node, message: str) -> _Bail:
        mark = node.start_mark
        self.issues.append(FlowIssue(mark.line + 1, mark.column + 1, message))
        return _Bail()

    # ---------------------------------------------------------------- node shapes

    def mapping(self, node: Node, what: str) -> dict[str, tuple[ScalarNode, Node]]:
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        out: dict[str, tuple[ScalarNode, Node]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise self.error(key, f"keys in {what} must be plain names")
            if key.value in out:
                first = out[key.value][0].start_mark.line + 1
                self.error(key, f"duplicate key '{key.value}' in {what} (first on line {first})")
                continue
            out[key.value] = (key, value)
        return out

    def scalar(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode):
            raise self.error(node, f"{what} must be a single value")
        return str(node.value)

    def ident(self, node: Node, what: str) -> str:
        value = self.scalar(node, what)
        if not _ID.match(value):
            raise self.error(node, f"{what} {value!r} is not a valid name (letters, digits, _ . -)")
        return value

    def integer(self, node: Node, what: str) -> int:
        value = self.scalar(node, what)
        try:
            return int(value)
        except ValueError:
            raise self.error(node, f"{what} must be a whole number, got {value!r}") from None

    def number(self, node: Node, what: str) -> float:
        value = self.scalar(node, what)
        try:
            return float(value)
        except ValueError:
            raise self.error(node, f"{what} must be a number, got {value!r}") from None

    def strings(self, node: Node, what: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode):
            return (str(node.value),)
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return tuple(self.scalar(item, f"an item of {what}") for item in node.value)

    def text(self, node: Node, what: str) -> Localized:
        """A plain string, or a mapping of language code -> string."""
        if isinstance(node, ScalarNode):
            return Localized.of(str(node.value))
        items = self.mapping(node, what)
        if not items:
            raise self.error(node, f"{what} is empty")
        texts: dict[str, str] = {}
        for lang, (key, value) in items.items():
            if not re.fullmatch(r"[a-z]{2}", lang):
                self.error(key, f"'{lang}' in {what} is not a two-letter language code")
                continue
            texts[lang] = self.scalar(value, f"{what}.{lang}")
        return Localized(texts)

    def guarded(self, fn: Callable[[], _T]) -> _T | None:
        try:
            return fn()
        except _Bail:
            return None


def _required(
    reader: _Reader, node: Node, items: dict[str, tuple[ScalarNode, Node]], key: str, what: str
) -> Node:
    if key not in items:
        raise reader.error(node, f"{what} needs '{key}'")
    return items[key][1]


# ---------------------------------------------------------------- steps


def _parse_options(reader: _Reader, node: Node, step_id: str) -> tuple[Choice, ...]:
    if not isinstance(node, SequenceNode) or not node.value:
        raise reader.error(node, f"step '{step_id}': options must be a non-empty list")
    options: list[Choice] = []
    seen: set[str] = set()
    for item in node.value:
        items = reader.mapping(item, f"an option of step '{step_id}'")
        for key, (knode, _) in items.items():
            if key not in ("id", "label", "next", "keywords"):
                reader.error(
                    knode,
                    f"unknown key '{key}' in an option{_suggest(key, ['id', 'label', 'next', 'keywords'])}",
                )
        what = f"an option of step '{step_id}'"
        option_id = reader.ident(_required(reader, item, items, "id", what), "option id")
        if option_id in seen:
            reader.error(items["id"][1], f"duplicate option id '{option_id}' in step '{step_id}'")
        seen.add(option_id)
        options.append(
            Choice(
                id=option_id,
                label=reader.text(_required(reader, item, items, "label", what), "label"),
                next=reader.ident(_required(reader, item, items, "next", what), "next"),
                keywords=reader.strings(items["keywords"][1], "keywords")
                if "keywords" in items
                else (),
                line=item.start_mark.line + 1,
            )
        )
    if len(options) > 9:
        reader.error(
            node, f"step '{step_id}' has {len(options)} options; at most 9 fit a phone keypad"
        )
    return tuple(options)


def _parse_condition(reader: _Reader, node: Node) -> Condition:
    items = reader.mapping(node, "a condition")
    allowed = ("var", "equals", "not_equals", "one_of", "exists", "intent")
    for key, (knode, _) in items.items():
        if key not in allowed:
            reader.error(knode, f"unknown condition key '{key}'{_suggest(key, list(allowed))}")
    if "intent" in items:
        return Condition(intent=reader.ident(items["intent"][1], "intent"))
    if "var" not in items:
        raise reader.error(node, "a condition needs 'var' or 'intent'")
    tests = [k for k in ("equals", "not_equals", "one_of", "exists") if k in items]
    if len(tests) != 1:
        raise reader.error(
            node, "a condition needs exactly one of equals, not_equals, one_of, exists"
        )
    exists = None
    if "exists" in items:
        exists = reader.scalar(items["exists"][1], "exists").lower() in ("true", "yes", "1")
    return Condition(
        var=reader.scalar(items["var"][1], "var"),
        equals=reader.scalar(items["equals"][1], "equals") if "equals" in items else None,
        not_equals=reader.scalar(items["not_equals"][1], "not_equals")
        if "not_equals" in items
        else None,
        one_of=reader.strings(items["one_of"][1], "one_of") if "one_of" in items else None,
        exists=exists,
    )


def _parse_step(reader: _Reader, step_id: str, node: Node, intents: set[str]) -> Step:
    items = reader.mapping(node, f"step '{step_id}'")
    types = [k for k in items if k in STEP_TYPES]
    if not types:
        unknown = [k for k in items if k not in {"next", "text", "else"}]
        if unknown:
            bad = items[unknown[0]][0]
            raise reader.error(
                bad,
                f"unknown step type '{unknown[0]}' in step '{step_id}'"
                f"{_suggest(unknown[0], frozenset(STEP_TYPES))}",
            )
        raise reader.error(
            node, f"step '{step_id}' has no step type; use one of {', '.join(STEP_TYPES)}"
        )
    if len(types) > 1:
        raise reader.error(
            items[types[1]][0], f"step '{step_id}' has two step types: {types[0]} and {types[1]}"
        )
    kind = types[0]
    allowed = _STEP_KEYS[kind] | {kind}
    for key, (knode, _) in items.items():
        if key not in allowed:
            hint = _suggest(key, allowed)
            extra = f" ('{key}' is a step type of its own)" if key in STEP_TYPES else ""
            reader.error(knode, f"unknown key '{key}' in {kind} step '{step_id}'{extra}{hint}")
    body = items[kind][1]
    line = items[kind][0].start_mark.line + 1
    what = f"{kind} step '{step_id}'"

    def need(key: str) -> Node:
        return _required(reader, node, items, key, what)

    def target(key: str) -> str:
        return reader.ident(need(key), key)

    def optional_target(key: str) -> str | None:
        return reader.ident(items[key][1], key) if key in items else None

    def optional_text(key: str) -> Localized | None:
        return reader.text(items[key][1], key) if key in items else None

    match kind:
        case "say":
            return Say(step_id, reader.text(body, "say"), target("next"), line)
        case "ask":
            routes: dict[str, str] = {}
            if "routes" in items:
                for name, (knode, vnode) in reader.mapping(items["routes"][1], "routes").items():
                    if name not in intents:
                        reader.error(
                            knode,
                            f"unknown intent '{name}' in routes{_suggest(name, frozenset(intents))}",
                        )
                    routes[name] = reader.ident(vnode, "route target")
            if not routes and "next" not in items:
                raise reader.error(node, f"{what} needs 'next' or 'routes'")
            return Ask(
                step_id,
                reader.ident(body, "variable name"),
                reader.text(need("text"), "text"),
                optional_target("next"),
                routes,
                optional_target("else"),
                line,
            )
        case "choose":
            return Choose(
                step_id,
                reader.ident(body, "variable name"),
                reader.text(need("text"), "text"),
                _parse_options(reader, need("options"), step_id),
                line,
            )
        case "collect":
            value = reader.scalar(body, "collect")
            try:
                collect_kind = CollectKind(value)
            except ValueError:
                raise reader.error(
                    body,
                    f"unknown value type '{value}'; use one of "
                    f"{', '.join(k.value for k in CollectKind)}"
                    f"{_suggest(value, frozenset(k.value for k in CollectKind))}",
                ) from None
            pattern = reader.scalar(items["pattern"][1], "pattern") if "pattern" in items else None
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    reader.error(items["pattern"][1], f"invalid pattern: {exc}")
            field_name = reader.ident(items["field"][1], "field") if "field" in items else value
            return Collect(
                step_id,
                collect_kind,
                field_name,
                reader.text(need("text"), "text"),
                target("next"),
                optional_text("error"),
                pattern,
                line,
            )
        case "lookup":
            value = reader.scalar(body, "lookup")
            try:
                lookup_kind = LookupKind(value)
            except ValueError:
                raise reader.error(
                    body,
                    f"unknown lookup '{value}'; use one of "
                    f"{', '.join(k.value for k in LookupKind)}"
                    f"{_suggest(value, frozenset(k.value for k in LookupKind))}",
                ) from None
            args: dict[str, str] = {}
            if "args" in items:
                for name, (knode, vnode) in reader.mapping(items["args"][1], "args").items():
                    if name not in _LOOKUP_ARGS[lookup_kind]:
                        reader.error(
                            knode,
                            f"lookup {value} takes no argument '{name}'; it takes "
                            f"{', '.join(sorted(_LOOKUP_ARGS[lookup_kind])) or 'none'}",
                        )
                    args[name] = reader.scalar(vnode, f"argument {name}")
            var = reader.ident(items["as"][1], "as") if "as" in items else value
            return Lookup(
                step_id, lookup_kind, args, var, target("next"), optional_target("not_found"), line
            )
        case "set":
            values = {
                name: reader.scalar(vnode, name)
                for name, (_, vnode) in reader.mapping(body, f"set in step '{step_id}'").items()
            }
            return SetFields(step_id, values, target("next"), line)
        case "branch":
            if not isinstance(body, SequenceNode) or not body.value:
                raise reader.error(body, f"{what} needs a non-empty list of cases")
            cases: list[When] = []
            for case_node in body.value:
                case_items = reader.mapping(case_node, "a branch case")
                for key, (knode, _) in case_items.items():
                    if key not in ("when", "next"):
                        reader.error(
                            knode, f"unknown key '{key}' in a branch case; use when and next"
                        )
                condition = _parse_condition(
                    reader, _required(reader, case_node, case_items, "when", "a branch case")
                )
                nxt = reader.ident(
                    _required(reader, case_node, case_items, "next", "a branch case"), "next"
                )
                cases.append(When(condition, nxt, case_node.start_mark.line + 1))
            return Branch(step_id, tuple(cases), target("else"), line)
        case "handover":
            queue = (
                reader.scalar(body, "handover queue")
                if isinstance(body, ScalarNode) and body.value
                else ""
            )
            skills = reader.strings(items["skills"][1], "skills") if "skills" in items else ()
            priority = (
                reader.scalar(items["priority"][1], "priority") if "priority" in items else "normal"
            )
            if priority not in ("low", "normal", "high", "urgent"):
                reader.error(
                    items["priority"][1],
                    f"priority must be low, normal, high or urgent, got {priority!r}",
                )
            return Handover(step_id, queue, optional_text("text"), skills, priority, line)
        case "callback":
            cb = reader.mapping(body, f"callback in step '{step_id}'")
            for key, (knode, _) in cb.items():
                if key not in ("phone", "at"):
                    reader.error(knode, f"unknown key '{key}' in callback; use phone and at")
            return Callback(
                step_id,
                reader.scalar(_required(reader, body, cb, "phone", "callback"), "phone"),
                reader.scalar(_required(reader, body, cb, "at", "callback"), "at"),
                target("next"),
                optional_text("text"),
                line,
            )
        case _:  # "end"
            text = (
                None
                if isinstance(body, ScalarNode) and body.value in ("", "~", "null")
                else reader.text(body, "end")
            )
            return End(step_id, text, line)


# ---------------------------------------------------------------- the file


def parse_flow(text: str, source: str = "<flow>") -> Flow:
    """Parse and check a flow; raises `FlowError` listing every problem with its line."""
    reader = _Reader()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise FlowError(source, [FlowIssue(line, column, f"invalid YAML: {exc.problem}")]) from None
    if root is None:
        raise FlowError(source, [FlowIssue(1, 1, "the file is empty")])
    flow = reader.guarded(lambda: _parse_root(reader, root, source))
    if flow is not None and not reader.issues:  # graph checks on a broken file only add noise
        for step_line, message in check_flow(flow):
            reader.issues.append(FlowIssue(step_line, 1, message))
    if reader.issues or flow is None:
        raise FlowError(source, reader.issues or [FlowIssue(1, 1, "not a flow")])
    return flow


def _parse_root(reader: _Reader, root: Node, source: str) -> Flow:
    top = reader.mapping(root, "a flow file")
    for key, (knode, _) in top.items():
        if key not in _TOP_KEYS:
            reader.error(knode, f"unknown top-level key '{key}'{_suggest(key, _TOP_KEYS)}")
    flow_id = reader.ident(_required(reader, root, top, "flow", "a flow file"), "flow")
    version = reader.guarded(
        lambda: reader.integer(_required(reader, root, top, "version", "a flow file"), "version")
    )
    if version is not None and version < 1:
        reader.error(top["version"][1], "version must be 1 or more")
    intents: dict[str, Intent] = {}
    if "intents" in top:
        for name, (knode, vnode) in reader.mapping(top["intents"][1], "intents").items():
            phrases: list[str] = []
            if isinstance(vnode, MappingNode):
                for _, (_, pnode) in reader.mapping(vnode, f"intent '{name}'").items():
                    phrases += reader.strings(pnode, f"phrases of intent '{name}'")
            else:
                phrases += reader.strings(vnode, f"phrases of intent '{name}'")
            if not phrases:
                reader.error(knode, f"intent '{name}' has no phrases")
            intents[name] = Intent(name, tuple(phrases))
    settings = FlowSettings()
    if "settings" in top:
        settings = _parse_settings(reader, top["settings"][1])
    texts: dict[str, Localized] = {}
    if "texts" in top:
        for name, (_, vnode) in reader.mapping(top["texts"][1], "texts").items():
            texts[name] = reader.text(vnode, f"texts.{name}")
    steps_node = _required(reader, root, top, "steps", "a flow file")
    steps: dict[str, Step] = {}
    for step_id, (knode, vnode) in reader.mapping(steps_node, "steps").items():
        if not _ID.match(step_id):
            reader.error(knode, f"step id {step_id!r} is not a valid name")
            continue
        step = reader.guarded(lambda s=step_id, v=vnode: _parse_step(reader, s, v, set(intents)))  # type: ignore[misc]
        if step is not None:
            steps[step_id] = step
    start_node = _required(reader, root, top, "start", "a flow file")
    start = reader.ident(start_node, "start")
    langs = reader.strings(top["langs"][1], "langs") if "langs" in top else ("pl", "en")
    default_lang = reader.scalar(top["lang"][1], "lang") if "lang" in top else langs[0]
    if default_lang not in langs:
        reader.error(top["lang"][1], f"lang '{default_lang}' is not in langs {list(langs)}")
    return Flow(
        id=flow_id,
        version=version or 1,
        start=start,
        start_line=start_node.start_mark.line + 1,
        steps=steps,
        intents=intents,
        langs=langs,
        default_lang=default_lang,
        settings=settings,
        texts=texts,
        name=reader.scalar(top["name"][1], "name") if "name" in top else flow_id,
        source=source,
    )


def _parse_settings(reader: _Reader, node: Node) -> FlowSettings:
    items = reader.mapping(node, "settings")
    known = ("max_failures", "min_confidence", "handover_queue", "timezone", "escape_words")
    for key, (knode, _) in items.items():
        if key not in known:
            reader.error(knode, f"unknown setting '{key}'{_suggest(key, list(known))}")
    settings = FlowSettings()
    max_failures = settings.max_failures
    if "max_failures" in items:
        max_failures = reader.integer(items["max_failures"][1], "max_failures")
        if max_failures < 1:
            reader.error(items["max_failures"][1], "max_failures must be at least 1")
    min_confidence = settings.min_confidence
    if "min_confidence" in items:
        min_confidence = reader.number(items["min_confidence"][1], "min_confidence")
        if not 0 < min_confidence <= 1:
            reader.error(items["min_confidence"][1], "min_confidence must be in (0, 1]")
    timezone = settings.timezone
    if "timezone" in items:
        timezone = reader.scalar(items["timezone"][1], "timezone")
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(timezone)
        except (KeyError, ValueError):
            reader.error(items["timezone"][1], f"unknown time zone {timezone!r}")
    return FlowSettings(
        max_failures=max_failures,
        min_confidence=min_confidence,
        handover_queue=reader.scalar(items["handover_queue"][1], "handover_queue")
        if "handover_queue" in items
        else settings.handover_queue,
        timezone=timezone,
        escape_words=reader.strings(items["escape_words"][1], "escape_words")
        if "escape_words" in items
        else (),
    )


def load_flow(path: Path) -> Flow:
    """Read and parse a flow file (the only I/O in this package)."""
    return parse_flow(path.read_text(encoding="utf-8"), str(path))
