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


# control characters a screen's output never needs (NUL, escapes, bells …); tab and line breaks stay
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def without_controls(value: Any) -> Any:
    """Text with its control characters removed (a NUL written raw breaks the tools that read the CSV).
    Exports keep them (XLSX escapes them): there the name is evidence, byte for byte."""
    if isinstance(value, str) and not value.isprintable():
        return value.translate(_CONTROLS)
    return value


# Bidirectional formatting characters: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069)
# and the direction marks (U+200E, U+200F, U+061C). Invisible, they reorder what follows them: in an editor
# or terminal a U+202E in a name reverses the rest of the line, so a record's verdict can be made to read
# otherwise ("Trojan Source", CVE-2021-42574).
_BIDI = {c: f"<U+{c:04X}>" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def visible_bidi(value: Any) -> Any:
    """Text with its bidirectional formatting characters written out (``<U+202E>``): seen, not obeyed."""
    if isinstance(value, str) and not value.isascii():
        return value.translate(_BIDI)
    return value
