"""What every command shares: the workspace, option bundles, printing and progress."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from dpagen.errors import Problem
from dpagen.workspace import Workspace, find_workspace

DATE = click.DateTime(formats=["%Y-%m-%d"])


Progress = Callable[[int, int], None]


def workspace(ctx: click.Context) -> Workspace:
    """The workspace of this run: ``-C DIR``, or found from the current folder."""
    root = ctx.find_root()  # kept on the root context, where errors are printed
    if not isinstance(root.obj, Workspace):
        start = root.params.get("directory")
        root.obj = find_workspace(Path(start) if start else None, explicit=start is not None)
    return root.obj


def day(value: Any) -> Any:
    """The date of a parsed ``YYYY-MM-DD`` option, or None."""
    return value.date() if value is not None else None


def echo_lines(lines: Iterable[str], *, err: bool = False) -> None:
    """Print each line (to standard error with ``err``)."""
    for line in lines:
        click.echo(line, err=err)


def print_json(value: Any) -> None:
    """Print a library result as JSON, the one way every ``--json`` prints."""
    from dpagen.results import dumps

    click.echo(dumps(value))


def shown(path: Path) -> str:
    """A path as people see it: relative to the current folder where it lies inside."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def print_problems(ctx: click.Context, problems: list[Problem]) -> None:
    """Print positioned problems to standard error, paths relative to the workspace."""
    echo_lines((p.format(workspace(ctx).root) for p in problems), err=True)


def print_table(rows: list[tuple[str, ...]]) -> None:
    """Print rows as aligned columns."""
    from dpagen.results import text_table

    echo_lines(text_table(rows))


def report_findings(ctx: click.Context, findings: Any, as_json: bool) -> None:
    """Print the problems (or JSON), then a summary; exit 1 when any is an error."""
    if as_json:
        print_json([p.as_json(workspace(ctx).root) for p in findings.problems])
    else:
        print_problems(ctx, findings.problems)
        click.echo(findings.summary(), err=bool(findings.errors))
    if findings.errors:
        ctx.exit(1)


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Progress | None]:
    """A progress bar on a terminal, none otherwise; yields the function to report progress."""
    if not sys.stdout.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stdout) as bar:

        def update(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        yield update


def options(*options: Any) -> Callable[[Any], Any]:
    """One decorator applying several click options in the order given."""

    def apply(function: Any) -> Any:
        for option in reversed(options):
            function = option(function)
        return function

    return apply


def parse_formats(_ctx: Any, _param: Any, value: str | None) -> tuple[str, ...] | None:
    """``--format pdf,docx`` as a tuple; None when not given (the library's default)."""
    from dpagen.output.agreement_files import FORMATS

    formats = tuple(part.strip() for part in (value or "").split(",") if part.strip())
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise click.BadParameter(f"'{unknown[0]}' is not one of {', '.join(FORMATS)}")
    if value is not None and not formats:
        raise click.BadParameter("name at least one format")
    return formats or None


def parse_languages(_ctx: Any, _param: Any, value: str | None) -> tuple[str, ...] | None:
    """``--lang sv`` as ``("sv",)``; None for ``all`` or when not given."""
    return None if value in (None, "all") else (str(value),)


def json_option(what: str = "the result") -> Callable[[FC], FC]:
    """The ``--json`` flag, saying what it prints."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} as JSON.")


def _client_list(_ctx: Any, _param: Any, value: tuple[str, ...]) -> list[str] | None:
    return list(value) or None


clients_argument = click.argument("clients", nargs=-1, callback=_client_list)


as_of_option = click.option(
    "--as-of", type=DATE, help="Date for date rules such as certificate expiry (default: today)."
)


out_folder_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: the workspace's defaults.output, usually out/).",
)


output_options = options(
    click.option(
        "--format",
        "formats",
        callback=parse_formats,
        show_default="pdf,docx",
        help="Comma-separated: pdf, docx, html, txt.",
    ),
    click.option(
        "--lang",
        "languages",
        type=click.Choice(("sv", "en", "all")),
        callback=parse_languages,
        show_default="all",
        help="Language to render; 'all' renders every language.",
    ),
    out_folder_option,
)


change_options = options(
    click.option("--add", "add", metavar="ID", help="A register entry to engage."),
    click.option("--replace", "replace", nargs=2, metavar="OLD NEW", help="Replace OLD with NEW."),
    click.option("--remove", "remove", metavar="ID", help="A register entry to stop using."),
    click.option("--date", type=DATE, help="Date the notices go out (default: today)."),
)


report_options = options(
    click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Output file (default: OUTPUT/NAME.FORMAT).",
    ),
    click.option(
        "--lang",
        type=click.Choice(["sv", "en"]),
        default="sv",
        show_default=True,
        help="Language of the texts.",
    ),
)
