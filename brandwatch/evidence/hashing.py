"""The digests a bundle records (SHA-256 and SM3) and the two clocks it states (UTC and Beijing time)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from ..models import stamp


def _sm3_hashlib(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _sm3_gmssl(data: bytes) -> str:
    from gmssl import func, sm3

    return sm3.sm3_hash(func.bytes_to_list(data))


# OpenSSL's SM3 when Python's OpenSSL has it (fast); otherwise gmssl's pure-Python one. Same digests.
SM3_IMPLEMENTATIONS: dict[str, Callable[[bytes], str]] = {"hashlib": _sm3_hashlib, "gmssl": _sm3_gmssl}


def sm3_implementation() -> str:
    return "hashlib" if "sm3" in hashlib.algorithms_available else "gmssl"


def sm3_hex(data: bytes, implementation: str | None = None) -> str:
    """SM3 (GB/T 32905-2016), the digest Chinese 存证 platforms and notaries commonly record, in hex."""
    return SM3_IMPLEMENTATIONS[implementation or sm3_implementation()](data)


def sm3_described() -> str:
    if sm3_implementation() == "hashlib":
        import ssl

        return f"hashlib ({ssl.OPENSSL_VERSION})"
    from importlib.metadata import version

    return f"gmssl {version('gmssl')}"


class Digests:
    """SHA-256, SM3 and size of data given a chunk at a time (verifying streams a bundle's files).

    gmssl's SM3 is not incremental: without OpenSSL's, the chunks are kept
    until :meth:`sm3` (files are capped in size before they get here).
    """

    def __init__(self) -> None:
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._sm3 = hashlib.new("sm3") if sm3_implementation() == "hashlib" else None
        self._kept: list[bytes] = []

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._sha256.update(chunk)
        if self._sm3 is not None:
            self._sm3.update(chunk)
        else:
            self._kept.append(chunk)

    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def sm3(self) -> str:
        return self._sm3.hexdigest() if self._sm3 is not None else sm3_hex(b"".join(self._kept), "gmssl")


def shanghai() -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # no tz database: China has kept UTC+8 without DST since 1991
        return timezone(timedelta(hours=8), "CST")


def times(value: datetime | str) -> dict[str, str]:
    """One instant in UTC (the store's format) and in Beijing time, as the bundle states both."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return {"utc": stamp(dt),
            "asia_shanghai": dt.astimezone(shanghai()).isoformat(timespec="microseconds")}
