"""HTML rendering of the document model through the workspace's ``agreement.html`` template.

The body comes from the document outline (:mod:`dpagen.render.html_body`), the one the text and
DOCX renderings are written from; the template only frames it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from dpagen.document.model import Document
from dpagen.document.outline import outline
from dpagen.errors import RenderError
from dpagen.render.html_body import body, keep_hyphenated
from dpagen.workspace import outside_problem

TEMPLATE = "agreement.html"


def check_template(path: Path, templates: Path) -> None:
    """Refuse a template file that is a link to a file outside the templates folder.

    Raises:
        RenderError: it is.
    """
    refused = outside_problem(path, templates, "templates/")
    if refused is not None:
        raise RenderError(f"{path}: {refused.message}", refused.hint)


class _TemplatesLoader(jinja2.FileSystemLoader):
    """Loads layout templates from the templates folder, never through a link out of it."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        check_template(self.folder.joinpath(*split_template_path(template)), self.folder)
        return super().get_source(environment, template)


def layout_environment(templates: Path) -> ImmutableSandboxedEnvironment:
    """The sandboxed, strict, autoescaping environment for layout templates."""
    environment = ImmutableSandboxedEnvironment(
        loader=_TemplatesLoader(templates),
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
        html = template.render(
            body=body(outline(doc), doc.contents_heading),
            doc=doc,
            party_names=" / ".join(p.name for p in doc.parties),
        )
    except jinja2.TemplateNotFound as exc:
        if exc.name != TEMPLATE:
            raise RenderError(
                f"{templates / TEMPLATE}: template error: no template '{exc.name}' in {templates}",
                "layout templates may only include files inside templates/",
            ) from None
        raise RenderError(
            f"template {templates / TEMPLATE} is missing",
            "restore it from a new workspace made with 'dpagen init'",
        ) from None
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{templates / TEMPLATE}:{line}" if line else str(templates / TEMPLATE)
        raise RenderError(f"{where}: template error: {exc}") from None
    return html.encode("utf-8")
