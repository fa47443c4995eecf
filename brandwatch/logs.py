"""Logs: one JSON object a line for machines (``--log-format json``), Chinese kept as is; secrets masked.

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

from .models import stamp
from .secrets import mask


class MaskFilter(logging.Filter):
    """Replaces registered secrets in a record's message, traceback and stack with ``***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the formatter reports it as logging always has
            return True
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


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
