"""The saved index (brandwatch/index.py): built once, loaded after, never stale, never fatal."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from brandwatch import Matcher, load_watchlists
from brandwatch.cli import main
from brandwatch.config import default_risk_terms
from brandwatch.errors import IndexFileError
from brandwatch.index import index_folder, index_key, load_index, matcher_for
from brandwatch.models import Mark

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"

NAMES = [  # (name, kind): hits of every path (Chinese, Latin, pinyin, domain) and non-hits
    ("郑州市维众法律咨询有限公司", "company"),
    ("深圳市微眾銀行客服中心", "company"),
    ("W3Bank", "app"),
    ("weizhongkefu", "account"),
    ("za-baoxian.com", "domain"),
    ("华信达科技有限公司", "company"),
    ("北京小营路餐饮有限公司", "company"),
]


@pytest.fixture
def index_on(monkeypatch):
    monkeypatch.delenv("BRANDWATCH_INDEX", raising=False)


@pytest.fixture(scope="module")
def lists():
    return load_watchlists(WL)


def test_built_once_then_loaded_with_the_same_results(tmp_path, lists, index_on):
    db = tmp_path / "bw.db"
    built, info = matcher_for(lists, default_risk_terms(), db)
    assert info is not None and info.built and info.path.parent == index_folder(db)
    assert oct(info.path.stat().st_mode & 0o777) == "0o600"
    loaded, again = matcher_for(lists, default_risk_terms(), db)
    assert again is not None and not again.built and again.path == info.path
    fresh = Matcher(lists, default_risk_terms())
    for name, kind in NAMES:
        assert loaded.match(name, kind) == fresh.match(name, kind) == built.match(name, kind), name
    names = [n for n, _ in NAMES]
    kinds = [k for _, k in NAMES]
    assert loaded.match_many(names, kinds) == fresh.match_many(names, kinds)


@pytest.mark.parametrize("change", [
    lambda wl: replace(wl, marks=(*wl.marks, Mark("extra", "星辰大海"))),  # a mark
    lambda wl: replace(wl, marks=(replace(wl.marks[0], aliases=(*wl.marks[0].aliases, "Zzbank")), *wl.marks[1:])),
    lambda wl: replace(wl, allow=(*wl.allow, "某某有限公司")),  # the allow list (the team allowlisted a name)
    lambda wl: replace(wl, owner=wl.owner + "集团"),
])
def test_any_change_to_the_watchlists_gives_another_key(lists, change):
    changed = (change(lists[0]), *lists[1:])
    assert index_key(changed, default_risk_terms()) != index_key(lists, default_risk_terms())
    assert index_key(lists, default_risk_terms()[:-1]) != index_key(lists, default_risk_terms())


def test_a_changed_watchlist_is_built_anew_and_old_indexes_pruned(tmp_path, lists, index_on):
    db = tmp_path / "bw.db"
    paths = []
    for k in range(5):
        wl = (replace(lists[0], marks=(*lists[0].marks, Mark(f"m{k}", "星辰大海" + "一二三四五"[k]))), *lists[1:])
        m, info = matcher_for(wl, (), db)
        assert info is not None and info.built
        assert m.match("星辰大海" + "一二三四五"[k] + "科技有限公司")
        paths.append(info.path)
        os.utime(info.path, (1_000_000 + k, 1_000_000 + k))  # mtimes in build order
    left = sorted(index_folder(db).glob("*.pickle"))
    assert len(left) == 3 and paths[-1] in left and paths[0] not in left


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])  # empty, junk, a pickled 1
def test_a_damaged_index_is_rebuilt_with_a_warning(tmp_path, lists, index_on, caplog, damage):
    db = tmp_path / "bw.db"
    _, info = matcher_for(lists, (), db)
    assert info is not None
    info.path.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="brandwatch.index"):
        m, again = matcher_for(lists, (), db)
    assert again is not None and again.built
    assert str(info.path) in caplog.text and "building it again" in caplog.text
    assert m.match("郑州市维众法律咨询有限公司")
    assert load_index(info.path) is not None  # saved again, whole


def test_an_index_of_other_watchlists_is_refused(tmp_path, lists, index_on):
    db = tmp_path / "bw.db"
    _, info = matcher_for(lists, (), db)
    assert info is not None
    with pytest.raises(IndexFileError, match="built from other watchlists"):
        load_index(info.path, key="0" * 64)


def test_an_index_that_cannot_be_saved_still_matches(tmp_path, lists, index_on, caplog):
    index_folder(tmp_path / "bw.db").write_text("a file where the index folder would go")  # fails even as root
    with caplog.at_level(logging.WARNING):
        m, _ = matcher_for(lists, (), tmp_path / "bw.db")
    assert m.match("郑州市维众法律咨询有限公司") and "cannot save the index" in caplog.text


def test_off_in_the_environment_saves_nothing(tmp_path, lists, monkeypatch):
    monkeypatch.setenv("BRANDWATCH_INDEX", "off")
    m, info = matcher_for(lists, (), tmp_path / "bw.db")
    assert info is None and m.match("郑州市维众法律咨询有限公司")
    assert not index_folder(tmp_path / "bw.db").exists()


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"watchlists: {WL}\ndatabase: {tmp_path / 'bw.db'}\nsources: []\n", encoding="utf-8")
    return cfg


def test_cli_index_build_then_check_loads_it(tmp_path, index_on):
    cfg = _config(tmp_path)
    r = CliRunner().invoke(main, ["--config", str(cfg), "index", "build"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"built {index_folder(tmp_path / 'bw.db')}/") and "marks" in r.output
    before = {p: p.stat().st_mtime_ns for p in index_folder(tmp_path / "bw.db").glob("*.pickle")}
    r = CliRunner().invoke(main, ["--config", str(cfg), "check", "郑州市维众法律咨询有限公司"])
    assert r.exit_code == 3 and "weizhong" in r.output
    after = {p: p.stat().st_mtime_ns for p in index_folder(tmp_path / "bw.db").glob("*.pickle")}
    assert after == before  # loaded, not built again


def test_cli_index_build_refuses_when_off(tmp_path, monkeypatch):
    monkeypatch.setenv("BRANDWATCH_INDEX", "off")
    r = CliRunner().invoke(main, ["--config", str(_config(tmp_path)), "index", "build"])
    assert r.exit_code == 2 and "BRANDWATCH_INDEX=off" in r.output


def test_status_builds_no_matcher(tmp_path, monkeypatch, index_on):
    def refuse(*a, **k):
        raise AssertionError("status built a matcher")

    monkeypatch.setattr("brandwatch.index.Matcher", refuse)
    monkeypatch.setattr("brandwatch.match.matcher.Matcher.__init__", refuse)
    r = CliRunner().invoke(main, ["--config", str(_config(tmp_path)), "status"], catch_exceptions=False)
    assert r.exit_code == 0
    assert not index_folder(tmp_path / "bw.db").exists()


def test_a_background_save_leaves_this_process_free_and_the_index_whole(tmp_path, lists, index_on):
    import time

    db = tmp_path / "bw.db"
    m, info = matcher_for(lists, (), db, background=True)
    assert info is not None and info.built and m.match("郑州市维众法律咨询有限公司")
    deadline = time.monotonic() + 120
    while not info.path.exists() and time.monotonic() < deadline:  # written by a detached process
        time.sleep(0.2)
    assert load_index(info.path, info.key).match("郑州市维众法律咨询有限公司") == m.match("郑州市维众法律咨询有限公司")
    assert not list(index_folder(db).glob("*.tmp"))
