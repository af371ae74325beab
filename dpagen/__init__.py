"""dpagen: GDPR data processing agreements (personuppgiftsbiträdesavtal) from a clause library.

The library is the product; the ``dpagen`` command is a thin client of these functions.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .assemble import assemble
from .build import render_agreement
from .clients import list_clients
from .errors import DpagenError, Problem, ProblemsFound
from .inputs import load_inputs
from .scaffold import init_workspace, new_client
from .validate import validate_workspace
from .workspace import Workspace, find_workspace

try:
    __version__ = version("dpagen")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "DpagenError",
    "Problem",
    "ProblemsFound",
    "Workspace",
    "__version__",
    "assemble",
    "find_workspace",
    "init_workspace",
    "list_clients",
    "load_inputs",
    "new_client",
    "render_agreement",
    "validate_workspace",
]
