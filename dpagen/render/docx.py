"""DOCX rendering with docxtpl from the workspace's ``agreement.docx`` template.

The template supplies styles, numbering, header and footer (which names the annex versions); the
body is generated from the document outline. Output is deterministic: fixed document properties
and zip timestamps.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from markupsafe import Markup

from dpagen.document.model import Document
from dpagen.document.outline import outline
from dpagen.errors import RenderError
from dpagen.render.html import check_template, layout_environment
from dpagen.render.wordml import body

TEMPLATE = "agreement.docx"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def render_docx(
    doc: Document, templates: Path, *, stamp: str | None = None, body_xml: str | None = None
) -> bytes:
    """The agreement as DOCX bytes; identical inputs give identical bytes.

    ``stamp`` (an issued release: "release N, lock HASH") goes into the document properties;
    ``body_xml`` replaces the body made from the outline (a redline).
    """
    from docxtpl import DocxTemplate

    path = templates / TEMPLATE
    if not path.is_file():
        raise RenderError(
            f"template {path} is missing", "restore it from a new workspace made with 'dpagen init'"
        )
    check_template(path, templates)
    try:
        template = DocxTemplate(str(path))
        context = {
            "body": Markup(
                body_xml if body_xml is not None else body(outline(doc), doc.contents_heading)
            ),
            "header": doc.header,
            "page_word": doc.page_word,
            "of_word": doc.of_word,
            "annex_versions": doc.annex_versions,
        }
        template.render(context, jinja_env=layout_environment(templates), autoescape=True)
    except RenderError:
        raise
    except Exception as exc:  # docxtpl raises many kinds for a broken template file
        raise RenderError(f"{path}: cannot render the Word template: {exc}") from None
    _set_properties(template.docx.core_properties, doc, stamp)
    buffer = io.BytesIO()
    template.save(buffer)
    return normalize_zip(buffer.getvalue())


def _set_properties(properties: object, doc: Document, stamp: str | None) -> None:
    # Set after rendering: docxtpl would escape these a second time.
    date = dt.datetime.fromisoformat(doc.iso_date)
    for name, value in (
        ("title", f"{doc.title} – {doc.agreement_id}"),
        ("subject", doc.header),
        ("author", " / ".join(party.name for party in doc.parties)),
        ("language", doc.lang),
        ("identifier", doc.agreement_id),
        ("comments", doc.deviations),
        ("keywords", stamp or ""),
        ("last_modified_by", ""),
        ("created", date),
        ("modified", date),
        ("revision", doc.version),
    ):
        setattr(properties, name, value)


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and permissions so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return output.getvalue()
