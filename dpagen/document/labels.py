"""Fixed document wording in Swedish and English (``labels.yaml``), and country names."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import Locale

from dpagen.inputs.yaml_positions import load_package_yaml

EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
EEA = frozenset((EU + " IS LI NO").split())


@cache
def _labels() -> dict[str, Any]:
    data: dict[str, Any] = load_package_yaml("labels.yaml")
    return data


class Labels:
    """Look up ``labels.yaml`` entries by dotted key in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: Any) -> str:
        """The text for ``key`` (e.g. ``"instructions.purposes"``), formatted with ``values``."""
        entry: Any = _labels()
        for part in key.split("."):
            entry = entry[part]
        text: str = entry[self.lang]
        return text.format(**values) if values else text

    def group(self, key: str) -> dict[str, str]:
        """All entries under ``key``, in this language, keeping their order."""
        entry: Any = _labels()
        for part in key.split("."):
            entry = entry[part]
        return {name: texts[self.lang] for name, texts in entry.items()}


def country_name(code: str, lang: str) -> str:
    """The name of an ISO 3166 country in ``lang`` ("Sverige", "Sweden")."""
    name: str = Locale(lang).territories.get(code, code)
    return name


def in_language(value: Any, lang: str) -> str:
    """A text that is either one string or a mapping of languages to strings, in ``lang``."""
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)
