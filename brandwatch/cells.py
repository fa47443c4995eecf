"""Spreadsheet cells: the one place text is made safe to open in Excel or WPS (screen, export)."""

from __future__ import annotations

from typing import Any

# what a spreadsheet may read as the start of a formula (or of a command, in older ones)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def csv_safe(value: Any) -> Any:
    """Neutralise a text cell a spreadsheet would run as a formula (OWASP CSV injection): prefix ``'``.

    Leading spaces are looked past too: some spreadsheets trim them before
    deciding whether a cell is a formula (`` =1+1``).
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value
