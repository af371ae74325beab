"""The installed version of dpagen."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dpagen")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
