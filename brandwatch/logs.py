"""Logs: one JSON object a line for machines (``--log-format json``), Chinese kept as is; secrets masked;
one record, one line (its traceback indented below it): a server's text cannot forge a record.

Every handler brandwatch sets up carries :class:`MaskFilter` (``install``),
and so does logging's last-resort handler, which prints other libraries'
warnings (urllib3's, with a URL in them) when no handler is set: a record's
message, and its traceback, are masked (``brandwatch.secrets``) before any
formatter sees them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from .errors import one_line
from .models import stamp
from .secrets import mask


class MaskFilter(logging.Filter):
    """Replaces registered secrets in a record's message, traceback and stack with ``***``, and keeps a
    record's lines its own: the message is one line (control characters escaped, ``errors.one_line``),
    and every line of a traceback or stack is indented, so that no text a server sent (quoted in a
    message or an exception) can pass for a log record of its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the formatter reports it as logging always has
            return True
        record.msg, record.args = one_line(mask(message)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and not getattr(record, "_brandwatch_indented", False):
            record.exc_text = _indented(mask(record.exc_text))
        if record.stack_info and not getattr(record, "_brandwatch_indented", False):
            record.stack_info = _indented(mask(record.stack_info))
        record._brandwatch_indented = True  # a record passes the filter of every handler: indent it once
        return True


def _indented(text: str) -> str:
    return "\n".join(_INDENT + line for line in text.splitlines())


_INDENT = "    "


def install(handler: logging.Handler) -> logging.Handler:
    """Mask what ``handler`` writes, and what logging's last-resort handler writes; returns ``handler``."""
    for h in (handler, logging.lastResort):
        if h is not None and not any(isinstance(f, MaskFilter) for f in h.filters):
            h.addFilter(MaskFilter())
    return handler


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "time": stamp(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            doc["error"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(doc, ensure_ascii=False)
