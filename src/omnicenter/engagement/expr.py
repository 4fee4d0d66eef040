"""A small, safe expression language for rule conditions.

A condition is parsed with Python's own parser and then checked node by node against a
whitelist (no calls, no subscripts, no comprehensions, no dunder access): what is left is
comparisons, `and`/`or`/`not`, arithmetic, literals and dotted names looked up in plain
mappings. Nothing is ever `eval`-ed. A name that is not there is `None`, and a comparison
that cannot be made (`None > 3`, `"a" < 1`) is false rather than an error, so a rule over a
field that one shop sends and another does not simply does not fire.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

__all__ = ["Expression", "ExpressionError", "compile_expression"]

MAX_LENGTH = 1000

Scope = Mapping[str, object]
_Fn = Callable[[Scope], object]

_COMPARE: dict[type[ast.cmpop], Callable[[object, object], object]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: lambda a, b: operator.lt(cast(Any, a), cast(Any, b)),  # a TypeError means false
    ast.LtE: lambda a, b: operator.le(cast(Any, a), cast(Any, b)),  # a TypeError means false
    ast.Gt: lambda a, b: operator.gt(cast(Any, a), cast(Any, b)),  # a TypeError means false
    ast.GtE: lambda a, b: operator.ge(cast(Any, a), cast(Any, b)),  # a TypeError means false
    ast.In: lambda a, b: operator.contains(cast("Container[object]", b), a),
    ast.NotIn: lambda a, b: not operator.contains(cast("Container[object]", b), a),
}
_ARITH: dict[type[ast.operator], Callable[[object, object], object]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}
_WORDS: dict[str, object] = {"true": True, "false": False, "null": None, "none": None}


class ExpressionError(ValueError):
    """A condition that is not valid; `column` is 1-based within the expression."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True, slots=True)
class Expression:
    source: str
    roots: frozenset[str]  # the top-level names it reads (event, customer, ...)
    _fn: _Fn = field(repr=False, compare=False)

    def evaluate(self, scope: Scope) -> object:
        return self._fn(scope)

    def holds(self, scope: Scope) -> bool:
        return bool(self._fn(scope))


def compile_expression(source: str, allowed_roots: frozenset[str]) -> Expression:
    """The expression, checked; `ExpressionError` for anything outside the language."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"a condition is limited to {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}", exc.offset or 1) from None
    roots: set[str] = set()
    fn = _compile(tree.body, allowed_roots, roots)
    return Expression(source, frozenset(roots), fn)


def _col(node: ast.AST) -> int:
    return int(getattr(node, "col_offset", 0)) + 1


def _safe(op: Callable[[object, object], object], a: object, b: object) -> object:
    try:
        return op(a, b)
    except (TypeError, ZeroDivisionError):
        return None


def _lookup(scope: Scope, path: tuple[str, ...]) -> object:
    value: object = scope
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _path(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        head = _path(node.value)
        return None if head is None else (*head, node.attr)
    return None


def _compile(node: ast.expr, allowed: frozenset[str], roots: set[str]) -> _Fn:
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool | None):
            raise ExpressionError("only text, numbers, true/false and null are values", _col(node))
        const = node.value
        return lambda _s: const
    if isinstance(node, ast.Name) and node.id.lower() in _WORDS and node.id not in allowed:
        word = _WORDS[node.id.lower()]
        return lambda _s: word
    if isinstance(node, ast.Name | ast.Attribute):
        path = _path(node)
        if path is None:
            raise ExpressionError("only dotted names like event.amount are allowed", _col(node))
        if any(p.startswith("_") for p in path):
            raise ExpressionError("names may not start with '_'", _col(node))
        if path[0] not in allowed:
            known = ", ".join(sorted(allowed))
            raise ExpressionError(f"unknown name '{path[0]}'; use one of: {known}", _col(node))
        roots.add(path[0])
        return lambda s: _lookup(s, path)
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, allowed, roots) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda s: all(bool(p(s)) for p in parts)
        return lambda s: any(bool(p(s)) for p in parts)
    if isinstance(node, ast.UnaryOp):
        inner = _compile(node.operand, allowed, roots)
        if isinstance(node.op, ast.Not):
            return lambda s: not inner(s)
        if isinstance(node.op, ast.USub):
            return lambda s: _safe(operator.sub, 0, inner(s))
        raise ExpressionError("only 'not' and '-' may stand before a value", _col(node))
    if isinstance(node, ast.Compare):
        left = _compile(node.left, allowed, roots)
        steps: list[tuple[Callable[[object, object], object], _Fn]] = []
        for op, right in zip(node.ops, node.comparators, strict=True):
            fn = _COMPARE.get(type(op))
            if fn is None:
                raise ExpressionError("use ==, !=, <, <=, >, >=, in, not in", _col(node))
            steps.append((fn, _compile(right, allowed, roots)))

        def compare(s: Scope) -> bool:
            a = left(s)
            for fn, right_fn in steps:
                b = right_fn(s)
                if not _safe(fn, a, b):
                    return False
                a = b
            return True

        return compare
    if isinstance(node, ast.BinOp):
        arith = _ARITH.get(type(node.op))
        if arith is None:
            raise ExpressionError("use +, -, *, / or %", _col(node))
        a_fn = _compile(node.left, allowed, roots)
        b_fn = _compile(node.right, allowed, roots)
        return lambda s: _safe(arith, a_fn(s), b_fn(s))
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_compile(e, allowed, roots) for e in node.elts]
        return lambda s: tuple(i(s) for i in items)
    raise ExpressionError(f"{type(node).__name__.lower()} is not part of the language", _col(node))
