from __future__ import annotations

import pytest

from brandwatch.captures import CaptureArchive
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
