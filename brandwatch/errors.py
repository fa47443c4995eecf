"""The exceptions brandwatch raises: one tree, so callers can catch a family.

::

    BrandwatchError                 anything brandwatch itself reports
    ├── ConfigError                 config.yaml or a watchlist is wrong (names file, key, fix)
    ├── InputError                  an input file is unreadable or too big (names file, line, fix)
    ├── StoreError                  the database cannot be opened or is not a brandwatch store
    ├── LockedError                 another daemon or run holds the database (names the holder)
    ├── IndexFileError              a saved matcher index cannot be used (it is rebuilt)
    ├── CaptureError                a WARC capture is missing or does not match its SHA-256
    ├── EvidenceError               an evidence bundle cannot be made or read as asked
    ├── ReviewError                 a review the workflow refuses: unknown hit or status, a move not allowed
    ├── ReportError                 a bad --week, time zone or report folder
    ├── AccountError                a web account cannot be made or changed as asked (name, role, password)
    ├── ParseError                  a response is not in the shape its source describes
    ├── AlertError                  an alert channel is misconfigured (a missing environment variable…)
    ├── DeliveryError               a channel did not take a message (it stays in the outbox)
    └── FetchError                  a request failed (after retries, or at once when retrying cannot help)
        ├── Blocked                 an anti-bot wall answered: pause the source
        ├── RobotsDisallowed        robots.txt forbids the URL
        ├── Deferred                the site asked us to wait longer than the source's budget
        ├── Throttled               an API's 200 answer says to slow down or wait (retried like HTTP 429)
        ├── TooSlow                 an answer did not complete within its deadline (a server dripping bytes)
        ├── TooLarge                an answer is over its byte cap
        └── BudgetSpent             the source run's time budget has no room for this request or its retry

Every message names the thing, the place and the fix, e.g.
``watchlists/webank.yaml: marks[1].aliases must be a list of strings``.
The CLI prints it as one line, ``Error: <message>``, and exits 2. When a
library turns an unexpected exception (a bug, a damaged file a parser
choked on) into one of these, it chains it (``raise … from e``) so that
``BRANDWATCH_DEBUG=1`` shows the original traceback. The messages of
ParseError, DeliveryError and FetchError (and its kinds), which quote what a
server answered, are one line: control characters in them are escaped.
"""

from __future__ import annotations

# Characters that end or rewrite a line (C0 controls but space, DEL, C1 controls, the Unicode line and
# paragraph separators), written as escapes: a server's text put into a message cannot start a log line,
# add a column to tab-separated output, or move the terminal's cursor.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def one_line(text: str) -> str:
    """``text`` with line breaks, tabs and other control characters escaped (``\\n``, ``\\x1b``): one line."""
    return text.translate(_CONTROLS)


class BrandwatchError(Exception):
    """Base class: a problem brandwatch can explain to its user."""


class _OneLine(BrandwatchError):
    """An error whose message carries a server's or a file's own text: kept to one line (:func:`one_line`),
    since it becomes a run's message, a log line and a column of ``run --once``."""

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(one_line(str(message)), *args)


class ConfigError(BrandwatchError):
    """A configuration or watchlist file is missing, malformed or invalid."""


class InputError(BrandwatchError):
    """An input file (names to screen, pages to import) cannot be read as given."""


class StoreError(BrandwatchError):
    """The database cannot be opened or is not a brandwatch store."""


class LockedError(BrandwatchError):
    """Another brandwatch daemon or run holds this database."""


class IndexFileError(BrandwatchError):
    """An index file that cannot be used."""


class CaptureError(BrandwatchError):
    """A kept capture is missing or no longer matches its hash."""


class EvidenceError(BrandwatchError):
    """A bundle cannot be made, or read, as asked."""


class ReviewError(BrandwatchError):
    """A review that cannot be recorded: an unknown hit or status, a move the workflow does not allow."""


class ReportError(BrandwatchError):
    """The weekly report cannot be made as asked: a bad week, time zone or output folder."""


class AccountError(BrandwatchError):
    """A web workspace account cannot be made or changed as asked: a bad name, role or password."""


class ParseError(_OneLine):
    """A response is not in the shape the source's options describe."""


class AlertError(BrandwatchError):
    """An alert channel is set up wrong: an unknown channel, a missing environment variable, a missing file.

    The message names the channel (``alerts.channels[0] (wecom-legal)``), the
    variable or file, and the fix.
    """


class DeliveryError(_OneLine):
    """A channel did not take a message; the message stays in the outbox and is tried again.

    ``retry_after``: seconds the service asked us to wait (it throttled us), else None.
    ``permanent``: trying again unchanged will not help (a revoked key, a signature
    the robot refuses, a missing attachment) until a person fixes the setup; the
    message is still kept, and retried after the longest backoff in case they did.
    The text is already masked.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent

    @property
    def throttled(self) -> bool:
        return self.retry_after is not None


class FetchError(_OneLine):
    """A request failed; the message names the URL and why."""


class Blocked(FetchError):
    """An anti-bot wall answered (challenge, WAF, captcha). Never retried."""


class RobotsDisallowed(FetchError):
    """robots.txt does not allow this URL for brandwatch's User-Agent."""


class Deferred(FetchError):
    """The site asked for a wait (Retry-After) longer than the source's budget: try at its next run.

    ``after``: the seconds the site asked for.
    """

    def __init__(self, message: str, *, after: float) -> None:
        super().__init__(message)
        self.after = after


class Throttled(FetchError):
    """An API answered HTTP 200 with a body that says to slow down (a per-second or per-minute limit, a
    busy server) or to wait (a daily quota spent): raised by a source's ``check``, inside the fetch.

    The fetcher treats it as HTTP 429: ``after`` is the wait the answer implies (a daily quota: until
    it resets), like a Retry-After; None backs off as usual. A wait longer than the run's budget defers
    the source (Deferred); retries that never get a usable answer fail the request (FetchError).
    """

    def __init__(self, message: str, *, after: float | None = None) -> None:
        super().__init__(message)
        self.after = after


class TooSlow(FetchError):
    """An answer (page, robots.txt, API body, webhook answer, SMTP conversation) did not complete in time.

    Socket timeouts bound each read; a server that sends a byte at a time never trips them. This
    is the overall deadline, whatever the server does.
    """


class TooLarge(FetchError):
    """An answer is over its byte cap."""


class BudgetSpent(FetchError):
    """The source run's time budget has no room left for this request, or for the wait before its retry."""
