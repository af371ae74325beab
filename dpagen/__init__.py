"""dpagen: GDPR data processing agreements (personuppgiftsbiträdesavtal) from a clause library.

The library is the product; the ``dpagen`` command is a thin client of these functions.
"""

from __future__ import annotations

from .annexbump import bump_annex
from .assemble import assemble
from .build import render_agreement
from .check import check_workspace
from .clients import list_clients
from .errors import DpagenError, Problem, ProblemsFound
from .history import history, in_force
from .inputs import load_inputs
from .release import create_release, rerender_release
from .scaffold import init_workspace, new_client
from .status import portfolio_status, upgrade_edition
from .validate import validate_workspace
from .verify import verify_files
from .version import __version__
from .workspace import Workspace, find_workspace

__all__ = [
    "DpagenError",
    "Problem",
    "ProblemsFound",
    "Workspace",
    "__version__",
    "assemble",
    "bump_annex",
    "check_workspace",
    "create_release",
    "find_workspace",
    "history",
    "in_force",
    "init_workspace",
    "list_clients",
    "load_inputs",
    "new_client",
    "portfolio_status",
    "render_agreement",
    "rerender_release",
    "upgrade_edition",
    "validate_workspace",
    "verify_files",
]
