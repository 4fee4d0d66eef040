"""A readable plain-text rendering of HTML mail, with the stdlib's html.parser only.

Agents read the text; HTML-only newsletters and marketing mail still need a body the
routing rules and search can use. This keeps paragraphs, line breaks, list items and
link targets, and drops scripts, styles and the head.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})
_BLOCK = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "center", "form",
    }
)  # fmt: skip
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANKS_RE = re.compile(r"\n{3,}")


class _TextRenderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip_depth = 0
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
        elif tag == "br":
            self.chunks.append("\n")
        elif tag == "li":
            self.chunks.append("\n- ")
        elif tag in ("td", "th"):
            self.chunks.append(" ")
        elif tag in _BLOCK:
            self.chunks.append("\n\n")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.chunks.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP:  # <script/> must not open a skipped region
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK:
            self.chunks.append("\n\n")
        elif tag == "a" and self._href is not None:
            href, self._href = self._href, None
            text = " ".join("".join(self._link_text).split())
            # Show where a link goes unless its text already says so.
            if href.startswith(("http://", "https://")) and href not in text:
                self.chunks.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.chunks.append(data)
        if self._href is not None:
            self._link_text.append(data)


def html_to_text(html: str) -> str:
    """Render HTML as plain text: one blank line between blocks, no markup."""
    renderer = _TextRenderer()
    try:
        renderer.feed(html)
        renderer.close()
    except (AssertionError, ValueError):  # html.parser's own errors on broken markup
        pass
    lines = (_SPACES_RE.sub(" ", line).strip() for line in "".join(renderer.chunks).split("\n"))
    return _BLANKS_RE.sub("\n\n", "\n".join(lines)).strip()
