"""Commands for one client's agreement: init, new, list, validate, check, render, annex, upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dpagen.commands.shared import (
    DATE,
    as_of_option,
    clients_argument,
    day,
    echo_lines,
    json_option,
    output_options,
    print_json,
    print_problems,
    print_table,
    report_findings,
    shown,
    workspace,
)


@click.command("init")
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


@click.command("new")
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

    echo_lines(shown(path) for path in new_client(workspace(ctx), client, name, org_no))
    click.echo(f"Next: fill in the files, then run 'dpagen validate {client}'.")


@click.command("list")
@json_option("the clients")
@click.pass_context
def list_command(ctx: click.Context, as_json: bool) -> None:
    """List the workspace's clients with name, edition, version and languages.

    \b
    Example:
      dpagen list
    """
    from dpagen.portfolio.clients import HEADER, list_clients

    summaries = list_clients(workspace(ctx))
    if as_json:
        print_json(summaries)
    elif not summaries:
        click.echo(
            "no clients yet; create one with 'dpagen new CLIENT --name NAME --org-no NUMBER'"
        )
    else:
        print_table([HEADER, *(summary.cells() for summary in summaries)])


@click.command("validate")
@clients_argument
@json_option("the problems")
@click.pass_context
def validate_command(ctx: click.Context, clients: list[str] | None, as_json: bool) -> None:
    """Check every file of the workspace (or of the given CLIENTS) and report all problems.

    Exits 0 when there are no errors (warnings are shown), 1 otherwise.

    \b
    Example:
      dpagen validate
      dpagen validate nordisk-ehandel
    """
    from dpagen.checks.validate import validate_findings

    report_findings(ctx, validate_findings(workspace(ctx), clients), as_json)


@click.command("check")
@clients_argument
@as_of_option
@json_option("the problems")
@click.pass_context
def check_command(ctx: click.Context, clients: list[str] | None, as_of: Any, as_json: bool) -> None:
    """Check that each agreement meets GDPR Art. 28 and its annexes are complete.

    Runs validation first. Every mandatory requirement must be covered by a clause, Swedish and
    English must match, and the annex data rules must hold; each problem cites its article.
    'render' runs the same check and refuses an agreement with errors unless --draft is given.

    \b
    Example:
      dpagen check
      dpagen check ljungsjo-kommun --as-of 2027-01-01
    """
    from dpagen.checks.legal import check_findings

    report_findings(ctx, check_findings(workspace(ctx), clients, as_of=day(as_of)), as_json)


@click.command("render")
@click.argument("client")
@output_options
@click.option("--draft", is_flag=True, help="Render despite 'check' errors, marked UTKAST / DRAFT.")
@as_of_option
@click.option("--release", type=int, help="Re-create this release's files, byte for byte.")
@json_option("the written files")
@click.pass_context
def render_command(
    ctx: click.Context, /, client: str, as_of: Any, as_json: bool, **options: Any
) -> None:
    """Validate CLIENT's agreement and render it; prints each file written.

    \b
    Example:
      dpagen render nordisk-ehandel
      dpagen render nordisk-ehandel --format pdf --lang sv --out /tmp/review
      dpagen render nordisk-ehandel --release 1
    """
    from dpagen.output.agreement_files import render_agreement

    written = render_agreement(workspace(ctx), client, as_of=day(as_of), **options)
    names = [shown(path) for path in written]
    print_json(names) if as_json else echo_lines(names)


@click.group("agreement")
def agreement_group() -> None:
    """Work with a client's main agreement.

    \b
    Example:
      dpagen agreement bump nordisk-ehandel --date 2027-03-01
    """


@agreement_group.command("bump")
@click.argument("client")
@click.option("--date", type=DATE, required=True, help="Date of the new version.")
@click.pass_context
def agreement_bump_command(ctx: click.Context, client: str, date: Any) -> None:
    """Raise CLIENT's agreement version by one and set its date, keeping the file's comments.

    A changed main agreement needs a new version before 'dpagen release' issues it again.

    \b
    Example:
      dpagen agreement bump trygg-forsakring --date 2027-01-15
    """
    from dpagen.edit.agreement_bump import bump_agreement

    bump = bump_agreement(workspace(ctx), client, date=date.date())
    click.echo(f"{shown(bump.path)}: agreement version {bump.version}, dated {bump.effective}")


@click.group("annex")
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
@click.option("--effective", type=DATE, required=True, help="Date the new version applies.")
@click.option("--summary", required=True, help="What changed (goes into the change log).")
@click.option("--class", "change_class", help="scope, subprocessors, security or contacts.")
@click.option("--approved-by", help="Who approved the change at the client.")
@click.option("--evidence", help="Where the approval is documented, e.g. an e-mail reference.")
@click.option("--date", type=DATE, help="Date of the log entry (default: the effective date).")
@click.pass_context
def annex_bump_command(ctx: click.Context, /, effective: Any, date: Any, **options: Any) -> None:
    """Raise ANNEX's version for CLIENT and log the change, keeping the file's comments.

    \b
    Example:
      dpagen annex bump trygg-forsakring instructions --effective 2027-01-15 \\
        --summary "Chatt läggs till som kanal" --class scope --approved-by "Eva Lind"
    """
    from dpagen.edit.annex_bump import bump_annex

    bump = bump_annex(workspace(ctx), effective=effective.date(), date=day(date), **options)
    click.echo(f"{shown(bump.path)}: version {bump.version}, effective {bump.effective}")


@click.command("upgrade")
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

    result = upgrade_edition(workspace(ctx), client, edition)
    echo_lines(result.lines(client))
    if result.errors:
        print_problems(ctx, result.problems)
        click.echo("Fill in what the new edition needs, then run 'dpagen validate'.", err=True)
        ctx.exit(1)
