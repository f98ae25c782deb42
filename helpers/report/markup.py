"""HTML for the words of a report, with every piece of text from data escaped.

Names, notes, sources and compendium text come from data files that partners and fetches
supply, so they must never become markup. Reports therefore display HTML built here with
markupsafe (Jinja's own escaping library): ``Markup(template).format(...)`` escapes every
argument that is not itself Markup, so a ``<script>`` in a partner's source column arrives on
the page as the text "<script>". Nothing from data is ever handed to a Markdown renderer,
which would pass raw HTML (and turn bare URLs into links) as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

__all__ = ["Markup", "code_spans", "escape", "heading", "items", "paragraph", "strong"]

_CODE = re.compile(r"`([^`]+)`")


def paragraph(text: Any, *, css: str | None = None) -> Markup:
    """One paragraph; ``text`` is escaped unless it is already Markup."""
    if css:
        return Markup('<p class="{}">{}</p>').format(css, text)
    return Markup("<p>{}</p>").format(text)


def items(lines: Iterable[Any]) -> Markup:
    """A bulleted list, one item per line (each escaped unless Markup)."""
    body = Markup("").join(Markup("<li>{}</li>").format(line) for line in lines)
    return Markup("<ul>{}</ul>").format(body)


def heading(text: Any, level: int = 3) -> Markup:
    if level not in range(1, 7):
        raise ValueError(f"heading level must be 1 to 6, not {level}")
    return Markup(f"<h{level}>{{}}</h{level}>").format(text)


def strong(text: Any) -> Markup:
    return Markup("<strong>{}</strong>").format(text)


def code_spans(text: Any) -> Markup:
    """Text with `backticked` commands (as the compendium writes `needs fetch`) set as code.
    The text is escaped first, so only the backticks themselves are interpreted."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))
