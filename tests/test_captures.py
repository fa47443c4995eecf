from __future__ import annotations

import io
from urllib.parse import quote_plus

import pytest

from brandwatch import secrets
from brandwatch.captures import CaptureArchive, parse_record
from brandwatch.errors import CaptureError
from brandwatch.models import Capture

CAPTURES = [
    Capture("https://example.test/s?q=微众", "https://example.test/s?q=%E5%BE%AE%E4%BC%97", 200,
            (("Content-Type", "text/html; charset=gbk"),), "<p>微众</p>".encode("gbk"), "2026-11-25T01:02:03.000004Z"),
    Capture("https://example.test/a", "https://example.test/a", 521, (), b"<script>challenge</script>",
            "2026-11-25T01:02:04.000000Z"),
    Capture("https://example.test/e", "https://example.test/e", 200, (), b"", "2026-11-26T00:00:00.000000Z"),
    # a feed file (files source, import): warcio reads no HTTP block for file:// unless told
    Capture("file:///srv/drop/feed.csv", "file:///srv/drop/feed.csv", 200, (("X-Brandwatch-Feed", "feed.csv"),),
            "name\n微众科技\n".encode(), "2026-11-25T03:00:00.000000Z"),
    # requests already decoded the body; the header still says gzip and chunked
    Capture("https://example.test/g", "https://example.test/g", 200,
            (("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")), b"5\r\nhello\r\n0\r\n\r\n",
            "2026-11-25T04:00:00.000000Z"),
]


def test_round_trip(tmp_path):
    archive = CaptureArchive(tmp_path)
    places = [archive.append(c) for c in CAPTURES]
    for c, place in zip(CAPTURES, places, strict=True):
        back = archive.read(*place, sha256=c.sha256)
        assert (back.body, back.status, back.final_url, back.request_url, back.fetched_at) == (
            c.body, c.status, c.final_url, c.request_url, c.fetched_at)
        assert dict(c.headers).items() <= dict(back.headers).items()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-25.warc.gz", "2026-11-26.warc.gz"]


def test_a_changed_byte_is_caught(tmp_path):
    archive = CaptureArchive(tmp_path)
    c = CAPTURES[0]
    name, offset, length = archive.append(c)
    data = bytearray((tmp_path / name).read_bytes())
    data[offset + length // 2] ^= 0x01
    (tmp_path / name).write_bytes(bytes(data))
    with pytest.raises(CaptureError):
        archive.read(name, offset, length, sha256=c.sha256)


def test_missing_file(tmp_path):
    with pytest.raises(CaptureError, match="cannot read the capture"):
        CaptureArchive(tmp_path).read("2026-01-01.warc.gz", 0, 10)


# -- one reader: the archive and evidence bundles both parse through parse_record -------------------------------------


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda c: c.request_url)
def test_parse_record_reads_what_the_archive_wrote(tmp_path, capture):
    name, offset, length = CaptureArchive(tmp_path).append(capture)
    raw = (tmp_path / name).read_bytes()[offset:offset + length]
    record = parse_record(raw)
    assert (record.target_uri, record.request_url, record.date, record.status, record.body) == (
        capture.final_url, capture.request_url, capture.fetched_at, capture.status, capture.body)
    chunks: list[bytes] = []
    streamed = parse_record(io.BytesIO(raw), sink=chunks.append)  # a large body: hashed, not kept
    assert streamed.body == b"" and b"".join(chunks) == capture.body


def test_parse_record_stops_at_its_limit(tmp_path):
    name, offset, length = CaptureArchive(tmp_path).append(CAPTURES[0])
    raw = (tmp_path / name).read_bytes()[offset:offset + length]
    with pytest.raises(ValueError, match=f"its body is over {len(CAPTURES[0].body) - 1:,} bytes"):
        parse_record(raw, max_body=len(CAPTURES[0].body) - 1)
    with pytest.raises(ValueError, match="expected one WARC response record, found none"):
        parse_record(b"")


def test_the_archive_masks_uris_and_headers_it_is_given(tmp_path):
    """A capture that did not go through masked(): URIs and headers are masked as written; the body, already hashed,
    is kept as given."""
    secrets.register("k+ey/Secret=1")
    url = "https://api.example/s?key=" + quote_plus("k+ey/Secret=1")
    capture = Capture(url, url + "&p=2", 200, (("X-Echo", "k+ey/Secret=1"),), b"body", "2026-11-25T01:02:03.000004Z")
    archive = CaptureArchive(tmp_path)
    back = archive.read(*archive.append(capture), sha256=capture.sha256)
    assert (back.request_url, back.final_url) == ("https://api.example/s?key=***", "https://api.example/s?key=***&p=2")
    assert ("X-Echo", "***") in back.headers and back.body == b"body"
