"""The exceptions brandwatch raises, one tree so callers can catch a family.

::

    BrandwatchError                 anything brandwatch itself reports
    ├── ConfigError                 config.yaml or a watchlist is wrong (names file, key, fix)
    ├── InputError                  an input file for `screen` is unreadable (names file, line, fix)
    ├── StoreError                  the database cannot be opened or is not a brandwatch store (store.py)
    ├── CaptureError                a WARC capture is missing or does not match its SHA-256 (captures.py)
    ├── ReviewError                 a review the workflow refuses: unknown hit or status, a move not allowed
    ├── ReportError                 a bad --week, time zone or report folder (report/weeks.py)
    ├── AlertError                  an alert channel misconfigured: a missing environment variable (alerts/)
    └── LockedError                 another daemon or run holds the database (scheduler.py)

Every message names the thing, the place and the fix, e.g.
``watchlists/webank.yaml: marks[1].aliases must be a list of strings``.
The CLI prints it as one line, ``Error: <message>``, and exits 2.
"""

from __future__ import annotations


class BrandwatchError(Exception):
    """Base class: a problem brandwatch can explain to its user."""


class ConfigError(BrandwatchError):
    """A configuration or watchlist file is missing, malformed or invalid."""


class InputError(BrandwatchError):
    """An input file (names to screen) cannot be read as given."""
