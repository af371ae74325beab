"""Dates written the way each language writes them ("1 december 2026", "1 December 2026")."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date


def long_date(value: dt.date, lang: str) -> str:
    """Format ``value`` as day, month name and year in ``lang``."""
    return format_date(value, "d MMMM y", locale=lang)
