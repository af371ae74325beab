"""The command that tells what changed: diff."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from dpagen.commands.shared import (
    echo_lines,
    print_json,
    shown,
    workspace,
)


@click.command("diff")
@click.argument("client")
@click.argument("refs", nargs=-1)
@click.option(
    "--against-standard",
    is_flag=True,
    help="The client's deviations and variant choices against its edition.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "docx", "html", "pdf"]),
    default="text",
    show_default=True,
    help="A summary, JSON, Word with tracked changes, or an HTML/PDF redline.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File for docx, html or pdf (default: OUTPUT/CLIENT/CLIENT-diff-FROM-TO.LANG.EXT).",
)
@click.option(
    "--amendment",
    is_flag=True,
    help="With --format html or pdf: a short change document for the client.",
)
@click.option(
    "--file",
    "edited",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A DOCX that came back edited: compare it with its release.",
)
@click.option(
    "--lang",
    type=click.Choice(["sv", "en"]),
    default="sv",
    show_default=True,
    help="Language of the clause redlines.",
)
@click.pass_context
def diff_command(ctx: click.Context, /, client: str, refs: tuple[str, ...], **options: Any) -> None:
    """Show what changed in CLIENT's agreement between FROM and TO.

    FROM and TO are release numbers or 'working' (default: the latest release against the
    working copy). Clauses are matched by id, so renumbering shows as a move; terms, parties and
    annex rows are compared field by field; changed wording gets a word-level redline.

    \b
    Example:
      dpagen diff nordisk-ehandel
      dpagen diff nordisk-ehandel 1 2 --format json
      dpagen diff nordisk-ehandel --against-standard
      dpagen diff nordisk-ehandel 1 working --format docx --out andringar.docx
      dpagen diff nordisk-ehandel --file inkommet/avtal-med-kommentarer.docx
      dpagen diff nordisk-ehandel 1 working --amendment --format pdf
    """
    from dpagen.changes.diff_request import compare

    result = compare(workspace(ctx), client, refs, **options)
    if result.written is not None:
        click.echo(shown(result.written))
    elif options["fmt"] == "json":
        print_json(result.json())
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        echo_lines(_coloured(line) if colour else line for line in result.lines())


def _coloured(line: str) -> str:
    """A redline for a terminal: deletions red and struck, insertions green and underlined."""
    line = re.sub(r"\[-(.*?)-\]", lambda m: click.style(m[1], fg="red", strikethrough=True), line)
    return re.sub(r"\{\+(.*?)\+\}", lambda m: click.style(m[1], fg="green", underline=True), line)
