"""The ``dpagen`` command: the root group, error reporting, and the commands of every stage.

Each command (in ``dpagen/commands/``) parses options, calls one library function and prints;
every :class:`DpagenError` becomes a message and an exit code here, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from dpagen.commands import agreements, changes, portfolio, releases
from dpagen.errors import DpagenError
from dpagen.version import __version__
from dpagen.workspace import Workspace


class _Group(click.Group):
    """Turns every :class:`DpagenError` into a message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DpagenError as exc:
            click.echo(
                exc.format(ctx.obj.root if isinstance(ctx.obj, Workspace) else None), err=True
            )
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
                f"internal error: {type(exc).__name__}: {exc}\n    hint: this is a bug in "
                "dpagen; run again with DPAGEN_DEBUG=1 for details",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Use the workspace in DIR instead of searching from the current folder.",
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


for _command in (
    agreements.init_command,
    agreements.validate_command,
    agreements.check_command,
    agreements.render_command,
    agreements.agreement_group,
    agreements.annex_group,
    agreements.new_command,
    agreements.list_command,
    agreements.upgrade_command,
    releases.release_command,
    releases.history_command,
    releases.verify_command,
    releases.env_command,
    changes.diff_command,
    portfolio.build_command,
    portfolio.status_command,
    portfolio.records_command,
    portfolio.retention_command,
    portfolio.subprocessors_group,
):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; used by the console script and ``python -m dpagen``."""
    cli.main(args=argv, prog_name="dpagen", standalone_mode=True)
