"""PDF rendering: the HTML layout laid out by WeasyPrint, fetching only from ``templates/``."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from dpagen.document.model import Document
from dpagen.errors import RenderError
from dpagen.render.html import render_html


def _fetcher_class() -> Any:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class RefusedURL(FatalURLFetchingError):  # type: ignore[misc]
        """A template asked for a resource outside the templates folder."""

    class TemplatesOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``file:`` URLs inside one folder; refuses the network and everything else."""

        def __init__(self, folder: Path) -> None:
            super().__init__(allowed_protocols={"file"})
            self.folder = folder.resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
            from urllib.parse import unquote, urlsplit

            parts = urlsplit(url)
            if parts.scheme != "file":
                raise RefusedURL(f"refused to fetch {url}: only files in templates/ are allowed")
            target = Path(unquote(parts.path)).resolve()
            if not target.is_relative_to(self.folder) or not target.is_file():
                raise RefusedURL(f"refused to fetch {url}: not a file inside {self.folder}")
            return super().fetch(url, headers)

    return TemplatesOnlyFetcher, RefusedURL


def render_pdf(doc: Document, templates: Path, *, lock: bytes | None = None) -> bytes:
    """The agreement as PDF bytes; identical inputs give identical bytes.

    With ``lock`` (an issued release) the PDF is archival PDF/A-3u and carries the lock as the
    embedded file ``release.lock.json``.
    """
    return html_to_pdf(render_html(doc, templates), templates, doc.iso_date, lock=lock)


def html_to_pdf(html: bytes, templates: Path, iso_date: str, *, lock: bytes | None = None) -> bytes:
    """Lay out an HTML page whose resources live in ``templates`` as PDF, reproducibly."""
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher_class, refused = _fetcher_class()
    folder = templates.resolve()
    # Without HarfBuzz subsetting WeasyPrint falls back to fontTools, which stamps fonts with
    # the clock unless SOURCE_DATE_EPOCH is set; the agreement date keeps output reproducible.
    epoch = dt.datetime.fromisoformat(iso_date).replace(tzinfo=dt.UTC).timestamp()
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        document = weasyprint.HTML(
            string=html.decode("utf-8"),
            base_url=folder.as_uri() + "/",
            url_fetcher=fetcher_class(folder),
        )
        options: dict[str, Any] = {}
        if lock is not None:
            moment = dt.datetime.fromisoformat(iso_date).replace(tzinfo=dt.UTC)
            options["pdf_variant"] = "pdf/a-3u"
            options["attachments"] = [
                weasyprint.Attachment(
                    string=lock,
                    name="release.lock.json",
                    description="dpagen release lock",
                    created=moment,
                    modified=moment,
                    relationship="Data",
                )
            ]
        pdf: bytes = document.write_pdf(**options)
    except refused as exc:
        raise RenderError(str(exc), "templates may only use files inside templates/") from None
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return pdf
