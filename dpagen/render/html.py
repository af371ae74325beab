"""HTML rendering of the document model through the workspace's ``agreement.html`` template."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..errors import RenderError
from ..model import Document

TEMPLATE = "agreement.html"


_HYPHENATED = re.compile(r"\S*\w-\w\S*")


def keep_hyphenated(text: str) -> Markup:
    """Escape ``text`` and keep words with a hyphen (E-handel, 556677-8899) on one line.

    A line break after a hyphen makes PDF text extraction join the parts, so "E-handel" would
    no longer be found by a search.
    """
    escaped = str(escape(text))
    return Markup(_HYPHENATED.sub(lambda m: f'<span class="nobr">{m.group(0)}</span>', escaped))


def layout_environment(templates: Path) -> ImmutableSandboxedEnvironment:
    """The sandboxed, strict, autoescaping environment for layout templates."""
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )
    environment.filters["keep_hyphenated"] = keep_hyphenated
    return environment


def render_html(doc: Document, templates: Path) -> bytes:
    """The agreement as a standalone HTML page (UTF-8) using ``templates/agreement.html``."""
    try:
        template = layout_environment(templates).get_template(TEMPLATE)
        html = template.render(doc=doc, party_names=" / ".join(p.name for p in doc.parties))
    except jinja2.TemplateNotFound:
        raise RenderError(
            f"template {templates / TEMPLATE} is missing",
            "restore it from a new workspace made with 'dpagen init'",
        ) from None
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{templates / TEMPLATE}:{line}" if line else str(templates / TEMPLATE)
        raise RenderError(f"{where}: template error: {exc}") from None
    return html.encode("utf-8")
