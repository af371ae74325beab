"""The commands across all clients: build, status, records, retention, subprocessors."""

from __future__ import annotations

from typing import Any

import click

from dpagen.commands.shared import (
    DATE,
    as_of_option,
    change_options,
    clients_argument,
    day,
    echo_lines,
    json_option,
    out_folder_option,
    output_options,
    print_json,
    print_problems,
    print_table,
    progress_bar,
    report_options,
    shown,
    workspace,
)


@click.command("build")
@clients_argument
@click.option("--jobs", type=click.IntRange(1, 64), help="Worker processes (default: all cores).")
@output_options
@click.option("--releases", is_flag=True, help="Restore the issued releases, byte for byte.")
@click.option(
    "--check",
    is_flag=True,
    help="With --releases: render every issued file again from its lock and compare.",
)
@click.pass_context
def build_command(ctx: click.Context, /, clients: list[str] | None, **options: Any) -> None:
    """Render every agreement (or the given CLIENTS) in parallel; skip what is up to date.

    An output is rebuilt only when what it is made from changed (by content hash). A client with
    errors is reported and the others are still built; the exit code is then 1. With --releases
    the issued releases are restored instead from the files kept beside their locks, each
    byte-identical to the one its lock recorded. --releases --check renders every issued file
    again from its lock: a file that differs is reported with the rendering components that
    differ from those the release recorded.

    \b
    Example:
      dpagen build --jobs 2
      dpagen build nordisk-ehandel trygg-forsakring --format pdf --lang sv
      dpagen build --releases
      dpagen build --releases --check
    """
    from dpagen.portfolio.build import build

    with progress_bar("rendering") as progress:
        report = build(workspace(ctx), clients, progress=progress, **options)
    for client, problems in sorted(report.failed.items()):
        click.echo(f"{client}: not built", err=True)
        print_problems(ctx, problems)
    click.echo(report.summary())
    if report.failed:
        ctx.exit(1)


@click.command("status")
@as_of_option
@json_option()
@click.pass_context
def status_command(ctx: click.Context, as_of: Any, as_json: bool) -> None:
    """One row per client: latest release, edition, unreleased changes, what is coming.

    NOTICES shows the sub-processor notices still waiting on the client on --as-of (default:
    today): an objection window still open, or an approval asked for that its sub-processor
    annex does not list yet. A client whose files have errors is listed too; its errors follow
    the table.

    \b
    Example:
      dpagen status
    """
    from dpagen.portfolio.status import HEADER, portfolio_status

    rows = portfolio_status(workspace(ctx), as_of=day(as_of))
    if as_json:
        return print_json(rows)
    print_table([HEADER, *(row.cells() for row in rows)])
    for row in (row for row in rows if row.errors):
        echo_lines([f"{row.client}: files with errors", *row.errors], err=True)


@click.command("records")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv", "pdf"]),
    default="xlsx",
    show_default=True,
    help="Spreadsheet, CSV, or PDF to read and file.",
)
@report_options
@click.option("--date", type=DATE, help="With --format pdf: the date made (default: today).")
@click.pass_context
def records_command(ctx: click.Context, /, date: Any, **options: Any) -> None:
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
    _write_report(ctx, "records", made=day(date), **options)


@click.command("retention")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help="Spreadsheet or CSV.",
)
@report_options
@click.pass_context
def retention_command(ctx: click.Context, /, **options: Any) -> None:
    """Write one schedule of every retention and purge rule across all clients.

    \b
    Example:
      dpagen retention --format csv --out gallring.csv
    """
    _write_report(ctx, "retention", **options)


def _write_report(ctx: click.Context, /, kind: str, **options: Any) -> None:
    from dpagen.portfolio.reports import write_report
    from dpagen.results import count

    path, rows = write_report(workspace(ctx), kind, **options)
    click.echo(f"{shown(path)} ({count(rows, 'row')})")


@click.group("subprocessors")
def subprocessors_group() -> None:
    """Assess and announce a change to the sub-processor register.

    \b
    Example:
      dpagen subprocessors impact --add textverket --date 2027-02-01
      dpagen subprocessors notify --add textverket --date 2027-02-01
    """


def _change(add: str | None, replace: tuple[str, str] | None, remove: str | None) -> Any:
    from dpagen.portfolio.subprocessor_impact import SubprocessorChange

    return SubprocessorChange.from_options(add, replace, remove)


@subprocessors_group.command("impact")
@change_options
@json_option("the affected clients")
@click.pass_context
def subprocessors_impact_command(
    ctx: click.Context, /, date: Any, as_json: bool, **change: Any
) -> None:
    """List the clients a change affects, with each one's dates.

    For each client: its authorisation (general: notice and objection; specific: prior
    approval), the notice period, the objection window, the last day to object or reply, and
    the earliest date the change may take effect if the notice goes out on --date.

    \b
    Example:
      dpagen subprocessors impact --replace samtalsmolnet telekontakt --date 2027-02-01
    """
    from dpagen.portfolio.subprocessor_impact import HEADER, change_impact
    from dpagen.results import count

    impact = change_impact(workspace(ctx), _change(**change), day(date))
    if as_json:
        return print_json(impact.affected)
    if impact.affected:
        print_table([HEADER, *(affected.cells() for affected in impact.affected)])
    click.echo(f"{count(len(impact.affected), 'client')} affected.")


@subprocessors_group.command("notify")
@change_options
@out_folder_option
@click.pass_context
def subprocessors_notify_command(ctx: click.Context, /, date: Any, out: Any, **change: Any) -> None:
    """Write a notice or approval request and a draft annex for every affected client.

    Per client and language: the letter (PDF and DOCX) with the deadline from that client's
    terms, and the updated sub-processor annex as a draft (PDF and DOCX); plus the annex file
    itself, subprocessors.yaml, to put in place once the change may take effect. Each notice is
    recorded in agreements/CLIENT/notices/DATE-CHANGE.yaml, which status and history read;
    notifying the same change on the same date again rewrites the same record.

    \b
    Example:
      dpagen subprocessors notify --add textverket --date 2027-02-01
    """
    from dpagen.portfolio.notices import notify

    with progress_bar("writing notices") as progress:
        chosen = _change(**change)
        report = notify(workspace(ctx), chosen, day(date), out=out, progress=progress)
    print_problems(ctx, report.warnings)
    echo_lines(shown(path) for path in [*report.files, *report.records])
    click.echo(report.summary())
