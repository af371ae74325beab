"""The commands for issued releases: release, history, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dpagen.commands.shared import (
    DATE,
    day,
    echo_lines,
    json_option,
    out_folder_option,
    print_json,
    shown,
    workspace,
)


@click.command("release")
@click.argument("client")
@click.option("--annex", help="Issue only this annex (instructions, security, subprocessors).")
@click.option(
    "--contacts",
    is_flag=True,
    help="Issue a dated notice of the parties' new contact details, not the signed text.",
)
@click.option("--note", required=True, help="Why this release is made.")
@click.option("--date", type=DATE, help="Release date (default: today).")
@out_folder_option
@json_option()
@click.pass_context
def release_command(ctx: click.Context, /, date: Any, as_json: bool, **options: Any) -> None:
    """Issue CLIENT's agreement (or one annex, or a contact notice) as a numbered release.

    Validates and checks first, writes the lock under agreements/CLIENT/releases/ and the issued
    PDF/A and DOCX files under OUTPUT/CLIENT/releases/NNNN/ (OUTPUT: defaults.output, out/).

    \b
    Example:
      dpagen release nordisk-ehandel --note "Signerat avtal"
      dpagen release nordisk-ehandel --annex subprocessors --note "Ny underleverantör"
      dpagen release nordisk-ehandel --contacts --note "Ny avtalsansvarig"
    """
    from dpagen.releases.issue import create_release

    release = create_release(workspace(ctx), date=day(date), **options)
    files = [shown(path) for path in release.files]
    if as_json:
        print_json({"release": release.number, "lock": shown(release.lock), "files": files})
    else:
        echo_lines([f"release {release.number}: {shown(release.lock)}", *files])


@click.command("history")
@click.argument("client")
@click.option("--at", type=DATE, help="Show what was in force on this date.")
@json_option()
@click.pass_context
def history_command(ctx: click.Context, client: str, at: Any, as_json: bool) -> None:
    """List CLIENT's releases and sub-processor notices, or (with --at) what was in force on a date.

    A notice is listed on the day it was sent, from the records 'dpagen subprocessors notify'
    writes; with --at, the notices sent by then whose change had not yet taken effect follow.

    \b
    Example:
      dpagen history nordisk-ehandel
      dpagen history nordisk-ehandel --at 2027-03-01
    """
    from dpagen.releases.history import history, history_lines, in_force

    ws = workspace(ctx)
    if at is not None:
        state = in_force(ws, client, at.date())
        print_json(state) if as_json else echo_lines(state.lines())
    else:
        releases = history(ws, client)
        print_json(releases) if as_json else echo_lines(history_lines(client, releases))


@click.command("verify")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@json_option("the verdicts")
@click.pass_context
def verify_command(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Tell which release each PDF or DOCX comes from and whether it is unchanged.

    A PDF signed after issue (the issued bytes followed by an appended signature) is reported
    as that release with a signature added. Exits 1 when any file differs from what its release
    issued, comes from no release, or matches a lock that does not seal its files.

    \b
    Example:
      dpagen verify out/nordisk-ehandel/releases/0001/*.pdf ~/Downloads/avtal.docx
    """
    from dpagen.releases.verify import verify_files

    verdicts = verify_files(workspace(ctx), list(files))
    print_json(verdicts) if as_json else echo_lines(v.describe() for v in verdicts)
    if not all(v.vouched() for v in verdicts):
        ctx.exit(1)


@click.command("env")
@json_option()
@click.pass_context
def env_command(ctx: click.Context, as_json: bool) -> None:
    """This machine's rendering environment, and which releases it re-renders as issued.

    Lists every component that can change the bytes of an issued PDF or DOCX (dpagen,
    WeasyPrint, pydyf, fontTools, Pillow, Pango, HarfBuzz and whether HarfBuzz subsetting is
    available, docxtpl, python-docx, lxml), then each release: whether its issued files are kept
    beside its lock, and whether this machine would render them again byte for byte.

    \b
    Example:
      dpagen env
    """
    from dpagen.releases.recreation import environment_report

    report = environment_report(workspace(ctx))
    print_json(report) if as_json else echo_lines(report.lines())
