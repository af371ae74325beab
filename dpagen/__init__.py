"""dpagen: GDPR data processing agreements (personuppgiftsbiträdesavtal) from a clause library.

The library is the product; the ``dpagen`` command is a thin client of these functions. Public
names are imported on first use (PEP 562), so ``import dpagen`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dpagen.version import __version__

if TYPE_CHECKING:
    from dpagen.checks.legal import check_workspace
    from dpagen.checks.validate import validate_workspace
    from dpagen.document.assemble import assemble
    from dpagen.edit.annex_bump import bump_annex
    from dpagen.edit.scaffold import init_workspace, new_client
    from dpagen.edit.upgrade import upgrade_edition
    from dpagen.errors import DpagenError, Problem, ProblemsFound
    from dpagen.inputs.load import load_inputs
    from dpagen.output.agreement_files import render_agreement
    from dpagen.portfolio.clients import list_clients
    from dpagen.portfolio.status import portfolio_status
    from dpagen.releases.history import history, in_force
    from dpagen.releases.issue import create_release, rerender_release
    from dpagen.releases.verify import verify_files
    from dpagen.workspace import Workspace, find_workspace

_PUBLIC = {
    "DpagenError": "dpagen.errors",
    "Problem": "dpagen.errors",
    "ProblemsFound": "dpagen.errors",
    "Workspace": "dpagen.workspace",
    "assemble": "dpagen.document.assemble",
    "bump_annex": "dpagen.edit.annex_bump",
    "check_workspace": "dpagen.checks.legal",
    "create_release": "dpagen.releases.issue",
    "find_workspace": "dpagen.workspace",
    "history": "dpagen.releases.history",
    "in_force": "dpagen.releases.history",
    "init_workspace": "dpagen.edit.scaffold",
    "list_clients": "dpagen.portfolio.clients",
    "load_inputs": "dpagen.inputs.load",
    "new_client": "dpagen.edit.scaffold",
    "portfolio_status": "dpagen.portfolio.status",
    "render_agreement": "dpagen.output.agreement_files",
    "rerender_release": "dpagen.releases.issue",
    "upgrade_edition": "dpagen.edit.upgrade",
    "validate_workspace": "dpagen.checks.validate",
    "verify_files": "dpagen.releases.verify",
}

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


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'dpagen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
