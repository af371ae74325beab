"""``dpagen render``: validate one agreement, assemble it per language and write the files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from dpagen.checks.legal import check_agreement
from dpagen.checks.validate import validate_workspace
from dpagen.document.assemble import assemble
from dpagen.document.model import Document
from dpagen.errors import ProblemsFound, UsageError
from dpagen.files.atomic import remove_stale_temporaries, write_atomic
from dpagen.inputs.load import has_errors
from dpagen.output.paths import output_root
from dpagen.workspace import Workspace

FORMATS = ("pdf", "docx", "html", "txt")
DEFAULT_FORMATS = ("pdf", "docx")
Renderer = Callable[[Document, Path], bytes]


def renderer_for(fmt: str) -> Renderer:
    """The renderer of one output format (imported only when needed)."""
    if fmt == "pdf":
        from dpagen.render.pdf import render_pdf

        return render_pdf
    if fmt == "docx":
        from dpagen.render.docx import render_docx

        return render_docx
    if fmt == "html":
        from dpagen.render.html import render_html

        return render_html
    from dpagen.render.text import render_text

    return lambda doc, _templates: render_text(doc)


def output_name(client: str, version: int, lang: str, fmt: str, *, draft: bool = False) -> str:
    """The file name of one rendered document; drafts never take a final document's name."""
    return f"{client}-v{version}{'-draft' if draft else ''}.{lang}.{fmt}"


def refuse_with_release(flag: str, **given: object) -> None:
    """Refuse layout options (``format=…``, ``lang=…``, ``draft=…``) given next to ``flag``.

    Raises:
        UsageError: one of them is given (not None or False): a release is re-created exactly
            as it was issued.
    """
    named = [name for name, value in given.items() if value is not None and value is not False]
    if named:
        raise UsageError(
            f"--{named[0]} does not go with {flag}",
            "a release is re-created exactly as it was issued",
        )


def render_agreement(
    ws: Workspace,
    client: str,
    *,
    formats: tuple[str, ...] | None = None,
    languages: tuple[str, ...] | None = None,
    out: Path | None = None,
    draft: bool = False,
    as_of: dt.date | None = None,
    release: int | None = None,
) -> list[Path]:
    """Render ``client``'s agreement (or re-create release ``release``); returns the files.

    ``formats`` defaults to PDF and DOCX, ``languages`` to every language of the agreement.

    Raises:
        ProblemsFound: the inputs have errors, or (unless ``draft``) the agreement fails a
            legal check; nothing is written.
        UsageError: an unknown format, a language the agreement does not have, or layout
            options given with ``release``.
    """
    if release is not None:
        from dpagen.releases.issue import rerender_release

        refuse_with_release("--release", format=formats, lang=languages, draft=draft)
        return rerender_release(ws, client, release, out=out)
    formats = formats or DEFAULT_FORMATS
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format '{unknown[0]}'", f"formats: {', '.join(FORMATS)}")
    ws.client_dir(client)
    inputs, problems = validate_workspace(ws, [client])
    if has_errors(problems):
        raise ProblemsFound(problems)
    legal = check_agreement(inputs, client, as_of=as_of)
    if has_errors(legal) and not draft:
        raise ProblemsFound(
            legal,
            hint="Fix these, or render with --draft to get files marked UTKAST / DRAFT",
        )
    agreement = inputs.agreements[client]
    langs = agreement.languages if languages is None else languages
    missing = [lang for lang in langs if lang not in agreement.languages]
    if missing:
        raise UsageError(
            f"agreement {client} is not made in '{missing[0]}'",
            f"its languages: {', '.join(agreement.languages)}",
        )
    folder = output_root(inputs, out) / client
    remove_stale_temporaries(folder)  # left by a run that was killed
    rendered: list[tuple[Path, bytes]] = []  # every file first, so a failure writes none
    for lang in langs:
        doc = assemble(inputs, client, lang, draft=draft)
        for fmt in formats:
            path = folder / output_name(client, doc.version, lang, fmt, draft=draft)
            rendered.append((path, renderer_for(fmt)(doc, ws.templates)))
    for path, data in rendered:
        write_atomic(path, data)
    return [path for path, _ in rendered]
