"""The stakeholder site: report pages, the index and error pages, as self-contained HTML.

Reports are exported in-process with nbconvert's HTMLExporter ("basic" template: the cells only,
no MathJax, no require.js, no CDN), then wrapped in the project's own lean page with a header,
a table of contents and a provenance footer. Nothing on a page asks another host for anything.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).with_name("templates")
HEADING = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)


@cache
def _environment() -> jinja2.Environment:
    # autoescape: every value is escaped unless it is Markup (the body, built and escaped by
    # the report and site code, and the stylesheet)
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True
    )


@cache
def _css() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


@cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )


def render_page(
    *,
    title: str,
    body: str,
    subtitle: str = "",
    toc: list[dict] | None = None,
    provenance: list[tuple[str, str]] | None = None,
    home: str = "index.html",
    site_title: str | None = None,
) -> str:
    page = _environment().get_template("page.html.j2")
    return page.render(
        site_title=site_title or _site_title(),
        title=title,
        subtitle=subtitle,
        body=Markup(body),
        toc=toc or [],
        css=Markup(_css()),
        home=home,
        provenance=list(provenance or []),
    )


def _site_title() -> str:
    """The assessment's name from the store; generic if the store cannot be read (an error
    page must still render)."""
    from helpers.build import store
    from helpers.core.errors import NeedsError

    try:
        return store.assessment_title()
    except (NeedsError, OSError):
        return "Community safety and health needs assessment"


def notebook_body(nb) -> str:
    """The cells of an executed notebook as HTML, without code, prompts or stderr noise."""
    import nbformat

    nb = nbformat.from_dict(nb)  # a copy: the executed notebook on disk keeps everything
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number}"  # papermill gives its injected cell a random id
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    body, _ = _exporter().from_notebook_node(nb)
    return body


def table_of_contents(body: str) -> list[dict]:
    return [
        {"id": anchor, "text": html.unescape(re.sub(r"<[^>]+>", "", text)).strip()}
        for anchor, text in HEADING.findall(body)
    ]


def report_page(nb, *, title: str, subtitle: str, provenance: list[tuple[str, str]]) -> str:
    body = notebook_body(nb)
    return render_page(
        title=title,
        subtitle=subtitle,
        body=body,
        toc=table_of_contents(body),
        provenance=provenance,
        home="../index.html",
    )


def error_page(*, title: str, area: str, notebook: str, error: str, executed: str, log: str) -> str:
    body = (
        f"<h1>{html.escape(title)}: this report failed</h1>"
        f"<p>The <strong>{html.escape(notebook)}</strong> report for "
        f"<strong>{html.escape(area)}</strong> stopped with an error:</p>"
        f"<pre>{html.escape(error)}</pre>"
        f"<p>The executed notebook, with the error where it happened, is "
        f'<a href="{html.escape(executed)}">{html.escape(executed)}</a>. Open it in '
        "JupyterLab to see the cell that failed; the full traceback is in "
        f'<a href="{html.escape(log)}">{html.escape(log)}</a>. '
        "The other reports are not affected.</p>"
    )
    return render_page(title=f"{title}: failed", body=body, home="../index.html")
