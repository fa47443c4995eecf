"""An imported hit (a page saved from a browser, `brandwatch import`) is linked by its capture, never by a
``file://`` address that only the importing machine could open; a crawled hit keeps its web link."""

from __future__ import annotations

import csv
import json
import re

import pytest
from openpyxl import load_workbook

from brandwatch.captures import CaptureArchive
from brandwatch.export import COLUMNS, export_hits
from brandwatch.links import evidence_reference, listing_link, local_file, web_url
from brandwatch.models import Capture, CaptureRef, Hit, HitRecord, Listing, ListingRef, utc_now
from brandwatch.pipeline import import_files
from brandwatch.report import current_week, write_report
from brandwatch.sources.gsxt import GsxtOptions, GsxtSource
from brandwatch.store import Store

# the register's result list as a browser saves it: the link to the company is relative
SAVED = ('<a class="search_list_item" href="/%7B8F3A2C%7D-corp-detail.html"><h1>湖北<font color=red>微众</font>'
         '森态信息科技集团有限公司</h1><span class="ying_satus2">存续</span> 统一社会信用代码： 91420100MA4K000009 '
         '成立日期：2020年1月2日</a>')


@pytest.fixture(scope="module")
def imported(tmp_path_factory, matcher):
    folder = tmp_path_factory.mktemp("imported")
    saved = folder / "Downloads" / "张律师的 gsxt 页面.html"
    saved.parent.mkdir()
    saved.write_text(SAVED, encoding="utf-8")
    with Store(folder / "bw.db") as store:
        result = import_files([saved], GsxtSource("gsxt", GsxtOptions()), store=store,
                              archive=CaptureArchive(folder / "captures"), matcher=matcher, fetched_at=utc_now())
        assert result.new_hits >= 1
        # and one crawled from the web, for contrast
        capture = Capture("https://gsxt.example/search?q=x", "https://gsxt.example/search?q=x", 200, (),
                          b"<html/>", utc_now())
        capture_id = store.save_capture(capture, "captures/web.warc.gz", 0, 10)
        lid = store.save_listing(Listing("gsxt", "91420100MA4K000010", "company", "微众银行官方客服",
                                         "https://gsxt.example/corp/10"), capture_id).id
        store.save_hits(lid, [Hit("weizhong", "微众", "深圳前海微众银行股份有限公司", 100, "high", ("contains",),
                                  "微众", "字号包含商标「微众」")])
        rows = store.hit_records()
        for fmt in ("csv", "xlsx", "jsonl"):
            export_hits(rows, fmt, folder / f"hits.{fmt}")
        files = write_report(store, current_week(), out_dir=folder / "reports")
    return folder, rows, files


def _imported_row(rows):
    (row,) = [r for r in rows if r.listing.name == "湖北微众森态信息科技集团有限公司"]
    return row


def test_the_store_holds_file_addresses_for_an_import(imported):
    _, rows, _ = imported
    row = _imported_row(rows)
    # what makes the links broken: a path on the importer's machine, and a relative link resolved against it
    assert row.capture.request_url.startswith("file://") and row.listing.url.startswith("file://")


def test_exports_link_an_import_by_its_capture(imported):
    folder, rows, _ = imported
    row = _imported_row(rows)
    expected = (f"取证 capture #{row.capture_id}（本地文件导入 imported from the local file "
                f"张律师的 gsxt 页面.html） · brandwatch evidence {row.id} -o evidence-{row.id}.zip")
    col = {k: i for i, k in enumerate(COLUMNS)}
    with open(folder / "hits.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    sheet = [[c.value for c in r] for r in load_workbook(folder / "hits.xlsx")["hits"].iter_rows()]
    objs = [json.loads(line) for line in (folder / "hits.jsonl").read_text(encoding="utf-8").splitlines()]
    for table_rows in (table, sheet):
        (imp,) = [r for r in table_rows[1:] if r[col["name"]] == row.listing.name]
        assert imp[col["evidence"]] == expected
        assert imp[col["url"]] in ("", None) and imp[col["capture_url"]] in ("", None)
        (web,) = [r for r in table_rows[1:] if r[col["name"]] == "微众银行官方客服"]
        assert web[col["url"]] == "https://gsxt.example/corp/10"
        assert web[col["capture_url"]] == "https://gsxt.example/search?q=x"
    (obj,) = [o for o in objs if o["name"] == row.listing.name]
    assert obj["evidence"] == expected and obj["url"] is None and obj["capture_request_url"] is None
    for name in ("hits.csv", "hits.jsonl"):
        assert "file:" not in (folder / name).read_text(encoding="utf-8-sig"), name


def test_the_report_links_an_import_by_its_capture(imported):
    _, rows, files = imported
    row = _imported_row(rows)
    (high,) = [h for h in files.figures.high_hits if h.id == row.id]
    assert (high.url, high.capture_url, high.capture_file) == ("", "", "张律师的 gsxt 页面.html")
    assert re.fullmatch(r"[\w.-]+\.warc\.gz @ \d+", high.capture_warc), high.capture_warc
    html = files.html.read_text(encoding="utf-8")
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "file:" not in html and "file:" not in markdown
    assert f"no web address: imported from a local file, see capture #{row.capture_id}" in html
    assert f"| WARC | `{high.capture_warc}` |" in markdown
    assert '<a href="https://gsxt.example/corp/10"' in html  # a crawled hit keeps its link


@pytest.mark.parametrize(("url", "web"), [
    ("https://gsxt.example/corp/1", "https://gsxt.example/corp/1"),
    ("http://a.example", "http://a.example"),
    ("file:///home/zhang/Downloads/page.html", ""),
    ("javascript:alert(1)", ""),
    ("https://", ""),
    ("//a.example/x", ""),
    ("http://[::1", ""),  # not a URL at all
    (None, ""),
])
def test_web_url(url, web):
    assert web_url(url) == web


def typed(flat: dict) -> HitRecord:
    """A hit record with these flat values (``listing_url``, ``capture_*``), the rest blank."""
    listing = ListingRef(1, "s", "k", "company", "名称", flat.get("listing_url", ""), {}, "", "", "")
    capture = None if flat.get("capture_id", 1) is None else CaptureRef(
        flat.get("capture_id", 1), "", "", flat.get("capture_request_url", ""), flat.get("capture_final_url", ""))
    return HitRecord(flat.get("id", 1), 1, "m", "商标", "", 90, "high", "contains", "", "", "", "", "new", None, "",
                     (), "", None, listing, capture)


@pytest.mark.parametrize(("record", "link"), [
    ({"listing_url": "https://a.example/1", "capture_final_url": "https://b.example/"}, "https://a.example/1"),
    ({"listing_url": "file:///x/%7B1%7D", "capture_final_url": "https://b.example/"}, "https://b.example/"),
    ({"listing_url": "", "capture_final_url": "file:///x.html", "capture_request_url": "https://c.example/?q=1"},
     "https://c.example/?q=1"),
    ({"listing_url": "file:///x/%7B1%7D", "capture_final_url": "file:///x.html"}, ""),
])
def test_listing_link_is_the_first_web_address(record, link):
    assert listing_link(typed(record)) == link


@pytest.mark.parametrize(("record", "reference"), [
    ({"id": 7, "capture_id": 12, "capture_request_url": "https://a.example/"},
     "取证 capture #12 · brandwatch evidence 7 -o evidence-7.zip"),
    ({"id": 7, "capture_id": 12, "capture_request_url": "file:///C:/Users/li/%E9%A1%B5%E9%9D%A2.html"},
     "取证 capture #12（本地文件导入 imported from the local file 页面.html） · brandwatch evidence 7 "
     "-o evidence-7.zip"),
    ({"id": 7, "capture_id": None}, ""),
])
def test_evidence_reference(record, reference):
    assert evidence_reference(typed(record)) == reference
    assert local_file("https://a.example/x.html") == ""
