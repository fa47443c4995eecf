"""The run lock beside a database (``<database>.lock``): who holds it, so a refusal can name them.

The lock itself is an ``flock`` on the file (``app.database_lock``): it
dies with its process, even on ``kill -9``, whatever the file says. The file
holds one JSON object saying who took it: pid, host, command and start time
(UTC). An older brandwatch wrote only the pid; that is read too.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from .models import utc_now
from .secrets import mask

_COMMAND_CHARS = 200
_READ_MAX = 4096  # the record is a few hundred bytes; a lock file is never read whole if something else wrote it


@dataclass(frozen=True)
class Holder:
    pid: int | None
    host: str = ""
    command: str = ""
    started_at: str = ""

    def describe(self) -> str:
        """``brandwatch run --once, pid 1234 on host, since 2026-12-02T08:00:00Z``."""
        parts = [self.command or "a brandwatch process"]
        if self.pid is not None:
            parts.append(f"pid {self.pid}" + (f" on {self.host}" if self.host else ""))
        if self.started_at:
            parts.append(f"since {self.started_at}")
        return ", ".join(parts)


def lock_path(database: Path | str) -> Path:
    return Path(str(database) + ".lock")


def current_command(argv: list[str] | None = None) -> str:
    """This process's command line as a person typed it (``brandwatch run --once``), cut short and masked."""
    argv = list(sys.argv if argv is None else argv)
    name = Path(argv[0]).name if argv else ""
    if name in ("brandwatch", "__main__.py", "-m") or not argv:
        argv = ["brandwatch", *argv[1:]]
    text = " ".join(" ".join(shlex.quote(a) for a in argv).split())  # one line, whatever the arguments hold
    text = mask(text)
    return text if len(text) <= _COMMAND_CHARS else text[: _COMMAND_CHARS - 1] + "…"


def write_holder(fd: int, command: str | None = None) -> None:
    """Record this process as the holder in the (already locked) file ``fd``."""
    doc = {"pid": os.getpid(), "host": socket.gethostname(), "command": command or current_command(),
           "started_at": utc_now()[:19] + "Z"}
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"), 0)


def read_holder(path: Path | str) -> Holder | None:
    """Who the lock file says holds it; None when it says nothing readable."""
    try:
        with open(path, "rb") as f:
            data = f.read(_READ_MAX).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if data.isdigit():  # written by brandwatch before the holder was recorded
        return Holder(int(data))
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    pid = doc.get("pid")

    def text(key: str) -> str:
        return " ".join(str(doc.get(key) or "").split())[:_COMMAND_CHARS]  # one line, whoever wrote the file

    return Holder(pid if isinstance(pid, int) else None, text("host"), text("command"), text("started_at"))


def held_by(path: Path | str) -> Holder | None:
    """The holder the lock file names when that process is still alive on this host (this one included).

    Only a guess for messages: the file outlives its holder, and a pid can be
    reused. The lock is not touched (taking it, even shared, for a moment
    could make a daemon that is starting refuse to run).
    """
    holder = read_holder(path)
    if holder is None or holder.pid is None:
        return None
    if holder.host and holder.host != socket.gethostname():
        return holder  # another machine sharing the folder: what the file says is all there is to go on
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, run by another user
        pass
    return holder
