"""SIP header names and the ordered, case-insensitive header list (RFC 3261 section 7.3)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["LIST_HEADERS", "Headers", "canonical_name", "split_list"]

_CANONICAL = {
    name.lower(): name
    for name in (
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Alert-Info",
        "Allow",
        "Allow-Events",
        "Authorization",
        "Call-ID",
        "Call-Info",
        "Contact",
        "Content-Disposition",
        "Content-Encoding",
        "Content-Language",
        "Content-Length",
        "Content-Type",
        "CSeq",
        "Date",
        "Event",
        "Expires",
        "From",
        "Max-Forwards",
        "Min-Expires",
        "P-Asserted-Identity",
        "Path",
        "Priority",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "Proxy-Require",
        "Reason",
        "Record-Route",
        "Refer-To",
        "Referred-By",
        "Remote-Party-ID",
        "Require",
        "Retry-After",
        "Route",
        "Server",
        "Session-Expires",
        "Subject",
        "Supported",
        "Timestamp",
        "To",
        "Unsupported",
        "User-Agent",
        "Via",
        "Warning",
        "WWW-Authenticate",
    )
}

# RFC 3261 section 7.3.3 plus the RFC 3515/3265/4474 ones peers actually send.
_COMPACT = {
    "i": "Call-ID",
    "m": "Contact",
    "e": "Content-Encoding",
    "l": "Content-Length",
    "c": "Content-Type",
    "f": "From",
    "s": "Subject",
    "k": "Supported",
    "t": "To",
    "v": "Via",
    "o": "Event",
    "r": "Refer-To",
    "b": "Referred-By",
    "u": "Allow-Events",
    "x": "Session-Expires",
}

# Headers whose grammar is a comma-separated list, so `A, B` equals two header lines.
# The authentication headers are not lists: their parameters contain commas.
LIST_HEADERS = frozenset(
    {
        "via",
        "route",
        "record-route",
        "contact",
        "allow",
        "supported",
        "require",
        "proxy-require",
        "unsupported",
        "accept",
        "accept-encoding",
        "accept-language",
        "allow-events",
        "content-encoding",
        "path",
    }
)


def canonical_name(name: str) -> str:
    """`v` -> `Via`, `call-id` -> `Call-ID`; unknown names keep their spelling."""
    lowered = name.lower()
    return _COMPACT.get(lowered) or _CANONICAL.get(lowered) or name


def split_list(value: str) -> list[str]:
    """Split a list header on commas that are not inside quotes or angle brackets."""
    parts: list[str] = []
    start = 0
    quoted = False
    angle = 0
    i = 0
    while i < len(value):
        ch = value[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "<":
            angle += 1
        elif ch == ">" and angle:
            angle -= 1
        elif ch == "," and not angle:
            parts.append(value[start:i].strip())
            start = i + 1
        i += 1
    parts.append(value[start:].strip())
    return [p for p in parts if p]


class Headers:
    """Ordered header list; lookups ignore case and compact forms."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = [(canonical_name(n), v) for n, v in items]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"

    def copy(self) -> Headers:
        clone = Headers()
        clone._items = list(self._items)
        return clone

    def get(self, name: str) -> str | None:
        """The first value of `name` (a whole line, not split), or None."""
        key = canonical_name(name).lower()
        for n, v in self._items:
            if n.lower() == key:
                return v
        return None

    def get_all(self, name: str) -> list[str]:
        """Every value of `name`, with list headers split into their elements."""
        key = canonical_name(name).lower()
        out: list[str] = []
        for n, v in self._items:
            if n.lower() == key:
                if key in LIST_HEADERS:
                    out.extend(split_list(v))
                else:
                    out.append(v)
        return out

    def add(self, name: str, value: str) -> None:
        self._items.append((canonical_name(name), value))

    def prepend(self, name: str, value: str) -> None:
        """Insert before the first header of the same name (a new top Via)."""
        name = canonical_name(name)
        key = name.lower()
        for i, (n, _) in enumerate(self._items):
            if n.lower() == key:
                self._items.insert(i, (name, value))
                return
        self._items.insert(0, (name, value))

    def set(self, name: str, value: str) -> None:
        """Replace every value of `name` with one, keeping the first one's position."""
        name = canonical_name(name)
        key = name.lower()
        for i, (n, _) in enumerate(self._items):
            if n.lower() == key:
                self._items[i] = (name, value)
                self._items = [
                    item for j, item in enumerate(self._items) if j <= i or item[0].lower() != key
                ]
                return
        self._items.append((name, value))

    def remove(self, name: str) -> None:
        key = canonical_name(name).lower()
        self._items = [item for item in self._items if item[0].lower() != key]

    def replace_first(self, name: str, value: str) -> None:
        """Replace only the first element of `name` (the top Via after adding `received`)."""
        key = canonical_name(name).lower()
        for i, (n, v) in enumerate(self._items):
            if n.lower() == key:
                rest = split_list(v)[1:] if key in LIST_HEADERS else []
                self._items[i] = (n, ", ".join([value, *rest]))
                return
        self._items.append((canonical_name(name), value))

    def pop_first(self, name: str) -> str | None:
        """Remove and return the first element of `name` (used to strip our own Via)."""
        key = canonical_name(name).lower()
        for i, (n, v) in enumerate(self._items):
            if n.lower() == key:
                parts = split_list(v) if key in LIST_HEADERS else [v]
                if len(parts) > 1:
                    self._items[i] = (n, ", ".join(parts[1:]))
                else:
                    del self._items[i]
                return parts[0] if parts else None
        return None
