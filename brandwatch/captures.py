"""Captures kept byte for byte: WARC files beside the database (warcio).

Every fetched response that produced a listing is appended, as a WARC
``response`` record with its HTTP status line and headers, to the day's file
``<captures dir>/YYYY-MM-DD.warc.gz`` (one gzip member per record, so a record
can be read on its own from its offset). The store keeps the file, offset and
length of each record and the body's SHA-256; :func:`read_capture` gives the
record back and checks the hash, so a changed byte is caught.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from .errors import CaptureError
from .models import Capture


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
        http_headers = StatusAndHeaders(
            f"{capture.status} {_reason(capture.status)}", list(capture.headers), protocol="HTTP/1.1"
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
            record = next(iter(ArchiveIterator(io.BytesIO(data))))
            http = record.http_headers
            if http is None and (record.rec_headers.get_header("Content-Type") or "").startswith("application/http"):
                # warcio parses the HTTP block only for http(s) URIs; file:// captures (files source, import) have one
                http = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"]).parse(record.raw_stream)
            # the payload as written: content_stream() would undo an encoding the fetcher had already undone
            body = record.raw_stream.read()
        except Exception as e:  # warcio raises several kinds on damaged data
            raise CaptureError(f"{path} at byte {offset}: the WARC record is damaged ({e})") from e
        if sha256 is not None and hashlib.sha256(body).hexdigest() != sha256:
            raise CaptureError(f"{path} at byte {offset}: the body no longer matches its SHA-256 {sha256}")
        headers = tuple((k, v) for k, v in http.headers) if http else ()
        status = int(http.get_statuscode()) if http else 0
        return Capture(
            request_url=record.rec_headers.get_header("WARC-Refers-To-Target-URI")
            or record.rec_headers.get_header("WARC-Target-URI"),
            final_url=record.rec_headers.get_header("WARC-Target-URI"),
            status=status,
            headers=headers,
            body=body,
            fetched_at=record.rec_headers.get_header("WARC-Date"),
        )
