"""Captures kept byte for byte: WARC files beside the database (warcio), and the one reader of WARC records.

Every fetched response that produced a listing is appended, as a WARC
``response`` record with its HTTP status line and headers, to the day's file
``<captures dir>/YYYY-MM-DD.warc.gz`` (one gzip member per record, so a record
can be read on its own from its offset). The store keeps the file, offset and
length of each record and the body's SHA-256; :func:`read_capture` gives the
record back and checks the hash, so a changed byte is caught.
:func:`parse_record` is the only place a WARC record is parsed: the archive
and evidence bundles (building and verifying) all read through it.

Secrets. A capture is kept as its bytes arrived, except for registered
secrets (``brandwatch.secrets``: API keys, tokens; values no page legitimately
holds): :func:`masked` replaces them, in every encoding, with ``***`` in the
request and final URLs, the headers, and the body, before the body is hashed.
When the body changed, the record says so in an ``X-Brandwatch-Masked``
header (and its ``Content-Length`` header is the masked body's), so the
evidence states exactly how it differs from what the server sent: a key an
API echoed back must not sit in an exhibit handed to a notary. The archive
also masks URIs and headers as it writes them, in case a capture did not go
through :func:`masked`; a body it cannot change there (its hash is already
recorded), and a feed file (``append_file``) is archived as it lies on disk.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from .errors import CaptureError
from .models import Capture
from .secrets import active as secrets_active
from .secrets import mask, mask_bytes

MASKED_HEADER = "X-Brandwatch-Masked"


def masked(capture: Capture) -> Capture:
    """The capture as it may be kept: registered secrets replaced by ``***`` in its URLs, headers and body."""
    if not secrets_active():
        return capture
    body, count = mask_bytes(capture.body)
    headers = tuple((mask(k), mask(v)) for k, v in capture.headers)
    if count:
        headers = tuple((k, str(len(body)) if k.lower() == "content-length" else v) for k, v in headers)
        headers += ((MASKED_HEADER, f"{count} registered secret(s) in the body replaced by *** before hashing"),)
    return replace(capture, request_url=mask(capture.request_url), final_url=mask(capture.final_url),
                   headers=headers, body=body)


_CHUNK = 2**20


def _read_body(stream: IO[bytes], limit: int | None, sink: Callable[[bytes], object] | None) -> bytes:
    chunks, size = [], 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            raise ValueError(f"its body is over {limit:,} bytes")
        if sink is None:
            chunks.append(chunk)
        else:
            sink(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class WarcRecord:
    """One WARC response record as kept: its URIs, date, HTTP status and headers, and the body."""

    target_uri: str
    refers_to: str  # the request URL when a redirect led elsewhere, else ''
    date: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def request_url(self) -> str:
        return self.refers_to or self.target_uri


def parse_record(data: bytes | IO[bytes], *, max_body: int | None = None,
                 sink: Callable[[bytes], object] | None = None) -> WarcRecord:
    """The one WARC response record in ``data``; ValueError saying why when it is not exactly that.

    The body is the payload exactly as written (``raw_stream``): warcio's
    ``content_stream`` would undo a Content-Encoding or chunking the headers
    still name although the fetcher had already undone it. warcio parses the
    HTTP block only for http(s) URIs; a ``file://`` capture (the files source,
    ``import``) has one too, parsed here. ``max_body``: refuse (ValueError) a
    body larger than this, read no further (a gzip member can expand a
    thousandfold). ``sink``: the body is passed to it a chunk at a time and
    not kept (the record's ``body`` is empty), so a large one can be hashed in
    little memory.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    records = []
    for rec in ArchiveIterator(stream):
        warc = rec.rec_headers
        http = rec.http_headers
        if http is None and (warc.get_header("Content-Type") or "").startswith("application/http"):
            http = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"]).parse(rec.raw_stream)
        status, headers = (int(http.get_statuscode()), tuple(http.headers)) if http else (0, ())
        body = _read_body(rec.raw_stream, max_body, sink)
        records.append((rec.rec_type, WarcRecord(warc.get_header("WARC-Target-URI") or "",
                                                 warc.get_header("WARC-Refers-To-Target-URI") or "",
                                                 warc.get_header("WARC-Date") or "", status, headers, body)))
    if len(records) != 1 or records[0][0] != "response":
        raise ValueError(f"expected one WARC response record, found {[t for t, _ in records] or 'none'}")
    return records[0][1]


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class CaptureArchive:
    """The folder of WARC files for one store."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def append(self, capture: Capture) -> tuple[str, int, int]:
        """Write one record; returns (file name, offset, length) for the store."""
        return self._write(capture, io.BytesIO(capture.body), len(capture.body), capture.sha256)

    def append_file(self, capture: Capture, path: Path, size: int, sha256: str) -> tuple[str, int, int]:
        """Write one record whose body is the file at ``path`` (``capture.body`` is ignored), streamed from
        disk so a feed of any size takes no more memory than a small one; ``size`` and ``sha256`` are the
        file's, from the pass that hashed it."""
        with open(path, "rb") as body:
            return self._write(capture, body, size, sha256)

    def _write(self, capture: Capture, body: IO[bytes], size: int, sha256: str) -> tuple[str, int, int]:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{capture.fetched_at[:10]}.warc.gz"
        capture = replace(capture, request_url=mask(capture.request_url), final_url=mask(capture.final_url))
        http_headers = StatusAndHeaders(
            f"{capture.status} {_reason(capture.status)}", [(mask(k), mask(v)) for k, v in capture.headers],
            protocol="HTTP/1.1"
        )
        path = self.folder / name
        with open(path, "ab") as f:
            writer = WARCWriter(f, gzip=True)
            record = writer.create_warc_record(
                capture.final_url or capture.request_url,
                "response",
                payload=body,
                length=size,
                http_headers=http_headers,
                warc_headers_dict={
                    "WARC-Date": capture.fetched_at,
                    "WARC-Payload-Digest": "sha256:" + sha256,
                    "WARC-Target-URI": capture.final_url or capture.request_url,
                    **({"WARC-Refers-To-Target-URI": capture.request_url}
                       if capture.request_url != capture.final_url else {}),
                },
            )
            offset = f.tell()
            try:
                writer.write_record(record)  # one gzip member, written as it is compressed
                f.flush()
                os.fsync(f.fileno())
            except BaseException:
                f.truncate(offset)  # a half-written record would sit before the next one
                raise
            return name, offset, f.tell() - offset

    def read(self, name: str, offset: int, length: int, sha256: str | None = None) -> Capture:
        """The capture stored at (file, offset, length); CaptureError if it is gone or changed."""
        path = self.folder / name
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read(length)
        except OSError as e:
            raise CaptureError(f"{path}: cannot read the capture ({e.strerror})") from None
        try:
            record = parse_record(data)
        except Exception as e:  # warcio and zlib raise several kinds on damaged data
            raise CaptureError(f"{path} at byte {offset}: the WARC record is damaged ({e})") from e
        if sha256 is not None and hashlib.sha256(record.body).hexdigest() != sha256:
            raise CaptureError(f"{path} at byte {offset}: the body no longer matches its SHA-256 {sha256}")
        return Capture(request_url=record.request_url, final_url=record.target_uri, status=record.status,
                       headers=record.headers, body=record.body, fetched_at=record.date)
