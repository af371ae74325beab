"""The ``dpagen`` command: parse options, call one library function, print the result."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from dpagen.errors import DpagenError, Problem, UsageError
from dpagen.version import __version__
from dpagen.workspace import Workspace, find_workspace

LANG_CHOICES = ("sv", "en", "all")
as_of_option = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date for the check's date rules, such as certificate expiry (default: today).",
)


class _Group(click.Group):
    """Turns every :class:`DpagenError` into a message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DpagenError as exc:
            root = ctx.obj.root if isinstance(ctx.obj, Workspace) else None
            click.echo(exc.format(root), err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # e.g. `dpagen diff ... | head`: the reader has had enough
            sys.stderr.close()
            ctx.exit(0)
        except Exception as exc:
            if os.environ.get("DPAGEN_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "    hint: this is a bug in dpagen; run again with DPAGEN_DEBUG=1 "
                "for details",
                err=True,
            )
            ctx.exit(1)


def _workspace(ctx: click.Context) -> Workspace:
    root = ctx.find_root()  # kept on the root context, where errors are printed
    if not isinstance(root.obj, Workspace):
        start = root.params.get("directory")
        root.obj = find_workspace(Path(start) if start else None, explicit=start is not None)
    return root.obj


def _print_problems(problems: list[Problem], root: Path) -> None:
    for problem in problems:
        click.echo(problem.format(root), err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Use the workspace in DIR instead of searching from the current folder.",
    metavar="DIR",
)
@click.version_option(__version__, "--version", prog_name="dpagen")
def cli(directory: Path | None) -> None:
    """Generate GDPR data processing agreements (personuppgiftsbiträdesavtal).

    \b
    Example:
      dpagen init my-agreements && cd my-agreements
      dpagen validate
      dpagen render nordisk-ehandel
    """


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init_command(directory: Path) -> None:
    """Create a new workspace in DIRECTORY with a clause library, templates and an example.

    \b
    Example:
      dpagen init my-agreements
    """
    from dpagen.edit.scaffold import init_workspace

    written = init_workspace(directory)
    click.echo(f"Created workspace {directory} ({len(written)} files).")
    click.echo(f"Next: cd {directory} && dpagen validate")


@cli.command("validate")
@click.argument("clients", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.pass_context
def validate_command(ctx: click.Context, clients: tuple[str, ...], as_json: bool) -> None:
    """Check every file of the workspace (or of the given CLIENTS) and report all problems.

    Exits 0 when there are no errors (warnings are shown), 1 otherwise.

    \b
    Example:
      dpagen validate
      dpagen validate nordisk-ehandel
    """
    from dpagen.checks.validate import validate_workspace

    ws = _workspace(ctx)
    inputs, problems = validate_workspace(ws, list(clients) if clients else None)
    library = inputs.library
    editions = len(library.editions)
    _report(
        ctx,
        ws,
        problems,
        as_json,
        f"{_count(len(inputs.agreements), 'agreement')}, {len(library.clauses)} clauses, "
        f"{_count(editions, 'edition')} checked",
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _report(
    ctx: click.Context, ws: Workspace, problems: list[Problem], as_json: bool, ok_message: str
) -> None:
    """Print problems (or JSON), then a summary; exit 1 when any is an error."""
    if as_json:
        click.echo(
            json.dumps([_problem_json(p, ws.root) for p in problems], ensure_ascii=False, indent=2)
        )
    else:
        _print_problems(problems, ws.root)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if errors:
        if not as_json:
            click.echo(f"{_count(errors, 'error')}, {_count(warnings, 'warning')}.", err=True)
        ctx.exit(1)
    if not as_json:
        click.echo(
            f"ok: {ok_message}" + (f" ({_count(warnings, 'warning')})" if warnings else "") + "."
        )


def _problem_json(problem: Problem, root: Path) -> dict[str, Any]:
    try:
        path = problem.path.relative_to(root).as_posix()
    except ValueError:
        path = problem.path.as_posix()
    return {
        "path": path,
        "line": problem.line,
        "column": problem.column,
        "severity": problem.severity,
        "message": problem.message,
        "hint": problem.hint,
    }


def _options(*options: Any) -> Callable[[Any], Any]:
    """One decorator applying several click options in the order given."""

    def apply(function: Any) -> Any:
        for option in reversed(options):
            function = option(function)
        return function

    return apply


def output_options(function: Any) -> Any:
    """--format, --lang and --out, shared by the commands that render agreements."""
    return _options(
        click.option(
            "--format",
            "formats",
            default="pdf,docx",
            show_default=True,
            callback=_split_formats,
            help="Comma-separated: pdf, docx, html, txt.",
        ),
        click.option(
            "--lang",
            type=click.Choice(LANG_CHOICES),
            default="all",
            show_default=True,
            help="Language to render; 'all' renders every language of an agreement.",
        ),
        click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            help="Output folder (default: the workspace's defaults.output, usually out/).",
        ),
    )(function)


def _split_formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    from dpagen.output.agreement_files import FORMATS

    formats = tuple(part.strip() for part in value.split(",") if part.strip())
    for fmt in formats:
        if fmt not in FORMATS:
            raise click.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}")
    if not formats:
        raise click.BadParameter("name at least one format")
    return formats


@cli.command("render")
@click.argument("client")
@output_options
@click.option(
    "--draft",
    is_flag=True,
    help="Render even if 'check' finds errors; every page is marked UTKAST / DRAFT.",
)
@as_of_option
@click.option(
    "--release",
    "release",
    type=int,
    help="Re-create the files of this release, byte for byte, from its lock.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the written files as a JSON list.")
@click.pass_context
def render_command(
    ctx: click.Context,
    client: str,
    formats: tuple[str, ...],
    lang: str,
    out: Path | None,
    draft: bool,
    as_of: Any,
    release: int | None,
    as_json: bool,
) -> None:
    """Validate CLIENT's agreement and render it; prints each file written.

    \b
    Example:
      dpagen render nordisk-ehandel
      dpagen render nordisk-ehandel --format pdf --lang sv --out /tmp/review
      dpagen render nordisk-ehandel --release 1
    """
    from dpagen.output.agreement_files import render_agreement

    ws = _workspace(ctx)
    languages = None if lang == "all" else (lang,)
    if release is not None:
        from click.core import ParameterSource

        from dpagen.releases.issue import rerender_release

        given = [
            f"--{name.replace('formats', 'format')}"
            for name in ("formats", "lang", "draft")
            if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
        ]
        if given:
            raise UsageError(
                f"{given[0]} does not go with --release",
                "a release is re-created exactly as it was issued",
            )

        written = rerender_release(ws, client, release, out=out)
    else:
        written = render_agreement(
            ws,
            client,
            formats=formats,
            languages=languages,
            out=out,
            draft=draft,
            as_of=as_of.date() if as_of else None,
        )
    shown = [_shown(path) for path in written]
    click.echo(json.dumps(shown, ensure_ascii=False) if as_json else "\n".join(shown))


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@cli.command("check")
@click.argument("clients", nargs=-1)
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.pass_context
def check_command(ctx: click.Context, clients: tuple[str, ...], as_of: Any, as_json: bool) -> None:
    """Check that each agreement meets GDPR Art. 28 and its annexes are complete.

    Runs validation first. Every mandatory requirement must be covered by a clause, Swedish and
    English must match, and the annex data rules must hold; each problem cites its article.
    'render' runs the same check and refuses an agreement with errors unless --draft is given.

    \b
    Example:
      dpagen check
      dpagen check ljungsjo-kommun --as-of 2027-01-01
    """
    from dpagen.checks.legal import check_workspace

    ws = _workspace(ctx)
    date = as_of.date() if as_of else None
    inputs, problems = check_workspace(ws, list(clients) if clients else None, as_of=date)
    count = len(inputs.agreements)
    _report(
        ctx,
        ws,
        problems,
        as_json,
        f"{_count(count, 'agreement')} meet{'s' if count == 1 else ''} every mandatory requirement",
    )


date_type = click.DateTime(formats=["%Y-%m-%d"])


@cli.group("annex")
def annex_group() -> None:
    """Work with a client's annexes.

    \b
    Example:
      dpagen annex bump nordisk-ehandel subprocessors --effective 2027-03-01 \\
        --summary "Ny underleverantör för chatt" --class subprocessors
    """


@annex_group.command("bump")
@click.argument("client")
@click.argument("annex")
@click.option("--effective", type=date_type, required=True, help="Date the new version applies.")
@click.option("--summary", required=True, help="What changed (goes into the change log).")
@click.option("--class", "change_class", help="scope, subprocessors, security or contacts.")
@click.option("--approved-by", help="Who approved the change at the client.")
@click.option("--evidence", help="Where the approval is documented, e.g. an e-mail reference.")
@click.option("--date", type=date_type, help="Date of the log entry (default: the effective date).")
@click.pass_context
def annex_bump_command(
    ctx: click.Context,
    client: str,
    annex: str,
    effective: Any,
    summary: str,
    change_class: str | None,
    approved_by: str | None,
    evidence: str | None,
    date: Any,
) -> None:
    """Raise ANNEX's version for CLIENT and log the change, keeping the file's comments.

    \b
    Example:
      dpagen annex bump trygg-forsakring instructions --effective 2027-01-15 \\
        --summary "Chatt läggs till som kanal" --class scope --approved-by "Eva Lind"
    """
    from dpagen.edit.annex_bump import bump_annex

    bump = bump_annex(
        _workspace(ctx),
        client,
        annex,
        effective=effective.date(),
        summary=summary,
        change_class=change_class,
        approved_by=approved_by,
        evidence=evidence,
        date=date.date() if date else None,
    )
    click.echo(
        f"{_shown(bump.path)}: version {bump.version}, effective {bump.effective.isoformat()}"
    )


@cli.command("release")
@click.argument("client")
@click.option("--annex", help="Issue only this annex (instructions, security, subprocessors).")
@click.option("--note", required=True, help="Why this release is made.")
@click.option("--date", type=date_type, help="Release date (default: today).")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: out/)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def release_command(
    ctx: click.Context,
    client: str,
    annex: str | None,
    note: str,
    date: Any,
    out: Path | None,
    as_json: bool,
) -> None:
    """Issue CLIENT's agreement (or one annex) as an immutable, numbered release.

    Validates and checks first, writes the lock under agreements/CLIENT/releases/ and the issued
    PDF/A and DOCX files under out/CLIENT/releases/NNNN/.

    \b
    Example:
      dpagen release nordisk-ehandel --note "Signerat avtal"
      dpagen release nordisk-ehandel --annex subprocessors --note "Ny underleverantör"
    """
    from dpagen.releases.issue import create_release

    release = create_release(
        _workspace(ctx), client, note=note, annex=annex, date=date.date() if date else None, out=out
    )
    files = [_shown(path) for path in release.files]
    if as_json:
        click.echo(
            json.dumps(
                {"release": release.number, "lock": _shown(release.lock), "files": files},
                ensure_ascii=False,
            )
        )
    else:
        click.echo(f"release {release.number}: {_shown(release.lock)}")
        click.echo("\n".join(files))


@cli.command("history")
@click.argument("client")
@click.option("--at", "at", type=date_type, help="Show what was in force on this date.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def history_command(ctx: click.Context, client: str, at: Any, as_json: bool) -> None:
    """List CLIENT's releases, or (with --at) what was in force on a date.

    \b
    Example:
      dpagen history nordisk-ehandel
      dpagen history nordisk-ehandel --at 2027-03-01
    """
    from dpagen.releases.history import history, in_force

    ws = _workspace(ctx)
    if at is not None:
        state = in_force(ws, client, at.date())
        if as_json:
            click.echo(json.dumps(state, default=_json_default, ensure_ascii=False, indent=2))
            return
        click.echo(f"in force on {state.date.isoformat()}:")
        agreement = (
            f"release {state.agreement_release} (agreement version {state.agreement_version})"
            if state.agreement_release
            else "none issued"
        )
        click.echo(f"  agreement: {agreement}")
        for kind, info in state.annexes.items():
            click.echo(
                f"  {kind}: version {info['version']}, effective "
                f"{info['effective'].isoformat()} (release {info['release']})"
            )
        return
    rows = history(ws, client)
    if as_json:
        click.echo(json.dumps(rows, default=_json_default, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"no releases of {client} yet; issue one with 'dpagen release {client}'")
        return
    for row in rows:
        versions = ", ".join(f"{kind} v{version}" for kind, version in row.annexes.items())
        click.echo(
            f"{row.release:>4}  {row.date.isoformat()}  {row.what:<13}  "
            f"agreement v{row.agreement_version}; {versions}  {row.note}"
        )


def _json_default(value: Any) -> Any:
    import dataclasses
    import datetime as dt

    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(type(value).__name__)


@cli.command("verify")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
@click.pass_context
def verify_command(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Tell which release each PDF or DOCX comes from and whether it is unchanged.

    Exits 1 when any file differs from what its release issued, or comes from no release.

    \b
    Example:
      dpagen verify out/nordisk-ehandel/releases/0001/*.pdf ~/Downloads/avtal.docx
    """
    from dpagen.releases.verify import verify_files

    verdicts = verify_files(_workspace(ctx), list(files))
    if as_json:
        click.echo(
            json.dumps(
                [dict(v.__dict__, path=str(v.path)) for v in verdicts], ensure_ascii=False, indent=2
            )
        )
    else:
        for verdict in verdicts:
            click.echo(verdict.describe())
    if any(v.status != "identical" for v in verdicts):
        ctx.exit(1)


@cli.command("status")
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def status_command(ctx: click.Context, as_of: Any, as_json: bool) -> None:
    """One row per client: latest release, edition, unreleased changes, what is coming.

    \b
    Example:
      dpagen status
    """
    from dpagen.portfolio.status import portfolio_status

    rows = portfolio_status(_workspace(ctx), as_of=as_of.date() if as_of else None)
    if as_json:
        click.echo(json.dumps(rows, default=_json_default, ensure_ascii=False, indent=2))
        return
    table = [("CLIENT", "RELEASE", "EDITION", "UNRELEASED", "NEWER", "DEVIATIONS", "FUTURE")]
    for row in rows:
        release = f"{row.latest_release} ({row.latest_date})" if row.latest_release else "–"
        unreleased = {True: "yes", False: "no", None: "invalid"}[row.unreleased_changes]
        table.append(
            (
                row.client,
                release,
                row.edition,
                unreleased,
                row.newer_edition or "–",
                str(row.deviations),
                ", ".join(row.future_annexes) or "–",
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


@cli.command("upgrade")
@click.argument("client")
@click.option("--edition", required=True, help="The edition to move to.")
@click.pass_context
def upgrade_command(ctx: click.Context, client: str, edition: str) -> None:
    """Move CLIENT's working copy to another edition of the standard terms.

    Reports which clauses change version and what the new edition needs that is missing.

    \b
    Example:
      dpagen upgrade nordisk-ehandel --edition 2027.1
    """
    from dpagen.edit.upgrade import upgrade_edition

    ws = _workspace(ctx)
    result = upgrade_edition(ws, client, edition)
    click.echo(f"{client}: edition {result.old} → {result.new}")
    for change in result.changes or ["no clause changes version"]:
        click.echo(f"  {change}")
    if any(p.severity == "error" for p in result.problems):
        _print_problems(result.problems, ws.root)
        click.echo("Fill in what the new edition needs, then run 'dpagen validate'.", err=True)
        ctx.exit(1)


@cli.command("diff")
@click.argument("client")
@click.argument("refs", nargs=-1)
@click.option(
    "--against-standard",
    is_flag=True,
    help="Show the client's deviations and variant choices against its edition.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "docx", "html", "pdf"]),
    default="text",
    show_default=True,
    help="Output: a summary, JSON, Word with tracked changes, or an HTML/PDF redline.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File for docx, html or pdf (default: out/CLIENT/CLIENT-diff-FROM-TO.LANG.EXT).",
)
@click.option(
    "--amendment",
    is_flag=True,
    help="With --format html or pdf: a short change document for the client instead.",
)
@click.option(
    "--file",
    "edited",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A DOCX that came back edited: compare it with the release it came from.",
)
@click.option(
    "--lang",
    type=click.Choice(["sv", "en"]),
    default="sv",
    show_default=True,
    help="Language of the clause redlines.",
)
@click.pass_context
def diff_command(
    ctx: click.Context,
    client: str,
    refs: tuple[str, ...],
    against_standard: bool,
    fmt: str,
    out: Path | None,
    amendment: bool,
    edited: Path | None,
    lang: str,
) -> None:
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
    from dpagen.changes.diff import (
        change_json,
        describe,
        diff_against_standard,
        diff_states,
        load_state,
    )
    from dpagen.releases.history import client_locks

    ws = _workspace(ctx)
    if len(refs) > 2:
        raise UsageError("give at most two versions: FROM and TO")
    if amendment and fmt not in ("html", "pdf"):
        raise UsageError("--amendment is made as a document", "add --format pdf or --format html")
    if edited is not None:
        from dpagen.changes.diff import diff_edited_docx

        if refs or against_standard or fmt not in ("text", "json"):
            raise UsageError("--file compares one DOCX with its release; give nothing else")
        title, changes = diff_edited_docx(ws, client, edited)
    elif against_standard:
        if fmt not in ("text", "json"):
            raise UsageError("--against-standard gives text or json", "use --format text or json")
        if refs:
            raise UsageError("--against-standard compares the working copy; give no versions")
        state = load_state(ws, client, "working")
        changes = diff_against_standard(state, lang)
        title = f"{client}: working copy against the standard terms"
    else:
        if len(refs) < 1:
            locks = client_locks(ws, client)
            if not locks:
                raise UsageError(
                    f"{client} has no release to compare with",
                    "give two versions, or issue one with 'dpagen release'",
                )
            refs = (str(locks[-1].number),)
        old = load_state(ws, client, refs[0])
        new = load_state(ws, client, refs[1] if len(refs) > 1 else "working")
        if fmt in ("docx", "html", "pdf"):
            from dpagen.changes.diff import redline_document
            from dpagen.files.atomic import write_atomic

            names = [r if r == "working" else f"r{r}" for r in (*refs, "working")[:2]]
            default = ws.root / "out" / client / f"{client}-diff-{'-'.join(names)}.{lang}.{fmt}"
            target = out or default
            if amendment:
                from dpagen.changes.diff import amendment_document

                target = out or target.with_name(target.name.replace("-diff-", "-amendment-"))
                write_atomic(target, amendment_document(old, new, lang, fmt))
            else:
                write_atomic(target, redline_document(old, new, lang, fmt))
            click.echo(_shown(target))
            return
        changes = diff_states(old, new, lang)
        title = f"{client}: {old.label} → {new.label}"
    if fmt == "json":
        click.echo(
            json.dumps(
                [change_json(c) for c in changes],
                default=_json_default,
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(title)
    if not changes:
        click.echo("  no changes")
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for change in changes:
        click.echo(f"  {describe(change)}")
        for line in change.redline:
            click.echo(f"      {_coloured(line) if colour else line}")


def _coloured(line: str) -> str:
    """A redline for a terminal: deletions red and struck, insertions green and underlined."""
    import re

    line = re.sub(
        r"\[-(.*?)-\]",
        lambda m: click.style(m.group(1), fg="red", strikethrough=True),
        line,
        flags=re.S,
    )
    return re.sub(
        r"\{\+(.*?)\+\}",
        lambda m: click.style(m.group(1), fg="green", underline=True),
        line,
        flags=re.S,
    )


def _report_command(
    ctx: click.Context, kind: str, fmt: str, out: Path | None, lang: str, made: Any = None
) -> None:
    from dpagen.files.atomic import write_atomic
    from dpagen.portfolio.reports import report_file

    ws = _workspace(ctx)
    data, rows = report_file(ws, kind, fmt, lang, made=made)
    target = out or ws.root / "out" / f"{kind}.{fmt}"
    write_atomic(target, data)
    click.echo(f"{_shown(target)} ({_count(rows, 'row')})")


def _report_options(formats: tuple[str, ...], help_text: str) -> Callable[[Any], Any]:
    """--format (one of ``formats``), --out and --lang, shared by the report commands."""
    return _options(
        click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            default="xlsx",
            show_default=True,
            help=help_text,
        ),
        click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Output file (default: out/NAME.FORMAT).",
        ),
        click.option(
            "--lang",
            type=click.Choice(["sv", "en"]),
            default="sv",
            show_default=True,
            help="Language of the texts.",
        ),
    )


_with_report_options = _report_options(("xlsx", "csv"), "Spreadsheet or CSV.")


@cli.command("records")
@_report_options(("xlsx", "csv", "pdf"), "Spreadsheet, CSV, or PDF to read and file.")
@click.option("--date", type=date_type, help="With --format pdf: the date made (default: today).")
@click.pass_context
def records_command(ctx: click.Context, fmt: str, out: Path | None, lang: str, date: Any) -> None:
    """Write the processor's record of processing (GDPR Art. 30(2)) for all clients.

    One row per processing activity: the controller and its contacts, purposes, data subjects and
    personal data, transfers outside the EU/EEA with their safeguards, and the security measures.
    As PDF: the processor and the date first, then one section per controller with a table per
    processing activity.

    \b
    Example:
      dpagen records --format xlsx --out register.xlsx
      dpagen records --format pdf --lang en
    """
    if date is not None and fmt != "pdf":
        raise UsageError("--date goes with --format pdf", "the spreadsheet and CSV carry no date")
    _report_command(ctx, "records", fmt, out, lang, date.date() if date else None)


@cli.command("retention")
@_with_report_options
@click.pass_context
def retention_command(ctx: click.Context, fmt: str, out: Path | None, lang: str) -> None:
    """Write one schedule of every retention and purge rule across all clients.

    \b
    Example:
      dpagen retention --format csv --out gallring.csv
    """
    _report_command(ctx, "retention", fmt, out, lang)


@cli.command("build")
@click.argument("clients", nargs=-1)
@click.option("--jobs", type=click.IntRange(1, 64), help="Worker processes (default: all cores).")
@output_options
@click.option(
    "--releases",
    is_flag=True,
    help="Build the issued releases instead, byte for byte from their locks.",
)
@click.pass_context
def build_command(
    ctx: click.Context,
    clients: tuple[str, ...],
    jobs: int | None,
    formats: tuple[str, ...],
    lang: str,
    out: Path | None,
    releases: bool,
) -> None:
    """Render every agreement (or the given CLIENTS) in parallel; skip what is up to date.

    An output is rebuilt only when what it is made from changed (by content hash). A client with
    errors is reported and the others are still built; the exit code is then 1. With --releases
    the issued releases are built instead, each file byte-identical to the one its lock recorded;
    a release that cannot be re-created exactly (a template changed) is reported as an error.

    \b
    Example:
      dpagen build --jobs 2
      dpagen build nordisk-ehandel trygg-forsakring --format pdf --lang sv
      dpagen build --releases
    """
    from dpagen.portfolio.build import build_portfolio, build_releases

    ws = _workspace(ctx)
    if releases:
        from click.core import ParameterSource

        given = [
            f"--{name.replace('formats', 'format')}"
            for name in ("formats", "lang")
            if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
        ]
        if given:
            raise UsageError(
                f"{given[0]} does not go with --releases",
                "a release is re-created exactly as it was issued",
            )
    progress, finish = _progress("rendering")
    try:
        if releases:
            report = build_releases(
                ws, list(clients) or None, jobs=jobs, out=out, progress=progress
            )
        else:
            report = build_portfolio(
                ws,
                list(clients) or None,
                jobs=jobs,
                formats=formats,
                languages=None if lang == "all" else (lang,),
                out=out,
                progress=progress,
            )
    finally:
        finish()
    for client, problems in sorted(report.failed.items()):
        click.echo(f"{client}: not built", err=True)
        _print_problems(problems, ws.root)
    click.echo(
        f"rendered {len(report.rendered)}, up to date {report.up_to_date}, "
        f"failed {_count(len(report.failed), 'client')}, {report.seconds:.1f} s"
    )
    if report.failed:
        ctx.exit(1)


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the clients as JSON.")
@click.pass_context
def list_command(ctx: click.Context, as_json: bool) -> None:
    """List the workspace's clients with name, edition, version and languages.

    \b
    Example:
      dpagen list
    """
    from dpagen.portfolio.clients import list_clients

    summaries = list_clients(_workspace(ctx))
    if as_json:
        click.echo(
            json.dumps(
                [s.__dict__ | {"languages": list(s.languages)} for s in summaries],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not summaries:
        click.echo(
            "no clients yet; create one with 'dpagen new CLIENT --name NAME --org-no NUMBER'"
        )
        return
    rows = [("CLIENT", "NAME", "EDITION", "VERSION", "LANGUAGES")] + [
        (
            s.client,
            s.name if s.readable else f"{s.name} (unreadable file)",
            s.edition,
            s.version,
            ",".join(s.languages),
        )
        for s in summaries
    ]
    _print_table(rows)


def _print_table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@cli.command("new")
@click.argument("client")
@click.option("--name", required=True, help="The client's legal name.")
@click.option("--org-no", "org_no", required=True, help="The client's organisation number.")
@click.pass_context
def new_command(ctx: click.Context, client: str, name: str, org_no: str) -> None:
    """Create agreements/CLIENT/ prefilled from the workspace defaults.

    Then run 'dpagen validate CLIENT' to see exactly what is left to fill in.

    \b
    Example:
      dpagen new fjallbanken --name "Fjällbanken AB" --org-no 556036-0793
    """
    from dpagen.edit.scaffold import new_client

    ws = _workspace(ctx)
    written = new_client(ws, client, name, org_no)
    for path in written:
        click.echo(_shown(path))
    click.echo(f"Next: fill in the files, then run 'dpagen validate {client}'.")


@cli.group("subprocessors")
def subprocessors_group() -> None:
    """Assess and announce a change to the sub-processor register.

    \b
    Example:
      dpagen subprocessors impact --add textverket --date 2027-02-01
      dpagen subprocessors notify --add textverket --date 2027-02-01
    """


def _change_options(function: Any) -> Any:
    return _options(
        click.option("--add", "add", metavar="ID", help="A register entry to engage."),
        click.option(
            "--replace", "replace", nargs=2, metavar="OLD NEW", help="Replace OLD with NEW."
        ),
        click.option("--remove", "remove", metavar="ID", help="A register entry to stop using."),
        click.option("--date", type=date_type, help="Date the notices go out (default: today)."),
    )(function)


def _change(add: str | None, replace: tuple[str, str] | None, remove: str | None) -> Any:
    from dpagen.portfolio.subprocessor_impact import SubprocessorChange

    given = [
        name
        for name, value in (("--add", add), ("--replace", replace), ("--remove", remove))
        if value
    ]
    if len(given) != 1:
        raise UsageError(
            "name exactly one change: --add ID, --replace OLD NEW or --remove ID",
            f"given: {', '.join(given)}" if given else "",
        )
    if add:
        return SubprocessorChange("add", new=add)
    if replace:
        return SubprocessorChange("replace", new=replace[1], old=replace[0])
    return SubprocessorChange("remove", old=remove)


def _notice_date(date: Any) -> Any:
    import datetime as dt

    return date.date() if date else dt.date.today()


@subprocessors_group.command("impact")
@_change_options
@click.option("--json", "as_json", is_flag=True, help="Print the affected clients as JSON.")
@click.pass_context
def subprocessors_impact_command(
    ctx: click.Context,
    add: str | None,
    replace: tuple[str, str] | None,
    remove: str | None,
    date: Any,
    as_json: bool,
) -> None:
    """List the clients a change affects, with each one's dates.

    For each client: its authorisation (general: notice and objection; specific: prior
    approval), the notice period, the objection window, the last day to object or reply, and
    the earliest date the change may take effect if the notice goes out on --date.

    \b
    Example:
      dpagen subprocessors impact --replace samtalsmolnet telekontakt --date 2027-02-01
    """
    from dpagen.portfolio.subprocessor_impact import change_impact

    impact = change_impact(_workspace(ctx), _change(add, replace, remove), _notice_date(date))
    if as_json:
        click.echo(
            json.dumps(
                [dataclasses.asdict(a) for a in impact.affected],
                default=_json_default,
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if impact.affected:
        rows = [("client", "authorisation", "notice", "objection", "deadline", "earliest", "why")]
        for a in impact.affected:
            rows.append(
                (
                    a.client,
                    a.authorisation,
                    f"{a.notice_days} days" if a.notice_days is not None else "-",
                    f"{a.objection_days} days" if a.objection_days is not None else "-",
                    a.deadline.isoformat() if a.deadline else "-",
                    a.earliest.isoformat(),
                    a.reason,
                )
            )
        _print_table(rows)
    click.echo(f"{_count(len(impact.affected), 'client')} affected.")


@subprocessors_group.command("notify")
@_change_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: the workspace's defaults.output, usually out/).",
)
@click.pass_context
def subprocessors_notify_command(
    ctx: click.Context,
    add: str | None,
    replace: tuple[str, str] | None,
    remove: str | None,
    date: Any,
    out: Path | None,
) -> None:
    """Write a notice or approval request and a draft annex for every affected client.

    Per client and language: the letter (PDF and DOCX) with the deadline from that client's
    terms, and the updated sub-processor annex as a draft (PDF and DOCX); plus the annex file
    itself, subprocessors.yaml, to put in place once the change may take effect.

    \b
    Example:
      dpagen subprocessors notify --add textverket --date 2027-02-01
    """
    from dpagen.portfolio.notices import notify

    progress, finish = _progress("writing notices")
    try:
        report = notify(
            _workspace(ctx),
            _change(add, replace, remove),
            _notice_date(date),
            out=out,
            progress=progress,
        )
    finally:
        finish()
    for path in report.files:
        click.echo(_shown(path))
    count = len(report.impact.affected)
    click.echo(f"{_count(count, 'client')} notified, {_count(len(report.files), 'file')} written.")


def _progress(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress bar on a terminal (nothing otherwise): an update and a finish function."""
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if not sys.stdout.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stdout)
            bar.__enter__()
        bar.update(1)

    def finish() -> None:
        if bar is not None:
            bar.__exit__(None, None, None)

    return update, finish


def main(argv: list[str] | None = None) -> None:
    """Run the command line; used by the console script and ``python -m dpagen``."""
    cli.main(args=argv, prog_name="dpagen", standalone_mode=True)
