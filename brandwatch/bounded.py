"""Reading a file a person named, within bounds: a regular file, and no more than a limit.

``/dev/zero``, a FIFO, a folder or a 10 GiB file given where a page, a config
or a watchlist belongs would otherwise be read until memory runs out, or
block for ever. The size is checked before reading and again while reading
(a file that grows is not trusted either); a FIFO is opened without waiting
for a writer and refused.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import BrandwatchError, InputError

IMPORT_MAX_BYTES = 50 * 2**20  # a saved search page is a few MiB at most
IMPORT_FIX = "save only the search results page (File → Save Page As, HTML only)"
CONFIG_MAX_BYTES = 16 * 2**20  # config.yaml and a watchlist: 10,000 marks are about 1 MiB

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def size_text(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB" if n >= 2**20 else f"{n:,} bytes"


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _open(path: Path, limit: int, what: str, fix: str, error: type[BrandwatchError]) -> tuple[BinaryIO, int]:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}; give the file itself") from None
    except OSError as e:
        raise error(f"{path}: cannot be read ({e.strerror}); check the path and its permissions") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: is a folder, not a {what}; give the file itself")
        raise error(f"{path}: is {_kind(info.st_mode)}, not a {what}; give a regular file")
    if info.st_size > limit:
        os.close(fd)
        raise error(f"{path}: {size_text(info.st_size)} is over the limit of {size_text(limit)} for a {what}"
                    + (f"; {fix}" if fix else ""))
    return os.fdopen(fd, "rb"), info.st_size


def check_regular_file(path: Path | str, limit: int, *, what: str = "file", fix: str = "",
                       error: type[BrandwatchError] = InputError) -> int:
    """The size of the regular file at ``path`` when it is at most ``limit``; else ``error`` as below."""
    f, size = _open(Path(path), limit, what, fix, error)
    f.close()
    return size


def read_regular_file(path: Path | str, limit: int, *, what: str = "file", fix: str = "",
                      error: type[BrandwatchError] = InputError) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them; else ``error`` naming the file.

    ``what`` names the file in messages (``saved page``); ``fix`` says what to
    do about a file over the limit.
    """
    f, _ = _open(Path(path), limit, what, fix, error)
    with f:
        data = f.read(limit + 1)
    if len(data) > limit:  # it grew since it was opened
        raise error(f"{path}: grew past the limit of {size_text(limit)} for a {what} while it was read"
                    + (f"; {fix}" if fix else ""))
    return data
