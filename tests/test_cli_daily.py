"""The commands a legal team uses every day say what they mean: unknown names are errors listing the known
ones, `show HIT`, `hits` with score and reason, the config found from any folder, review notes in the hit's
notes, allowlisting undone, an import that did not parse, a stable `status`, and the current week's report."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch.cli import main
from brandwatch.models import Capture, Hit, Listing
from brandwatch.review import review
from brandwatch.store import Store

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("new, confirmed, dismissed, allowlisted, complaint_filed, letter_sent, suit_filed, judgment, "
            "name_changed, deregistered, removed, reemerged")
WATCHLIST = """owner: 某某银行股份有限公司
marks:
  - id: weizhong
    name: 微众
    aliases: [WeBank]
  - id: weilidai
    name: 微粒贷
allow: [某某银行股份有限公司]
"""
# every path relative to the config's folder, as a team writes it
CONFIG = """watchlists: wl
database: data/bw.db
sources:
  - name: feed
    type: files
    options: {folder: drop}
  - name: gsxt
    type: gsxt
    enabled: false
alerts:
  channels:
    - name: legal-hook
      type: webhook
      url_env: TEST_DAILY_HOOK_URL
"""


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A team's folder: config.yaml, wl/, a drop folder, and a database after one run (of the files source)."""
    root = tmp_path_factory.mktemp("project")
    (root / "wl").mkdir()
    (root / "wl" / "bank.yaml").write_text(WATCHLIST, encoding="utf-8")
    (root / "drop").mkdir()
    (root / "drop" / "a.csv").write_text("name,kind\n湖北微众森态信息科技集团有限公司,company\n微粒袋极速版,app\n"
                                         "天气预报,app\n", encoding="utf-8")
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        r = cli("run", "--once")
    assert r.exit_code == 0, r.output
    assert (root / "data" / "bw.db").exists()  # data/ beside config.yaml
    return root


@pytest.fixture
def in_project(project, monkeypatch) -> Path:
    monkeypatch.chdir(project)
    return project


# -- unknown names: one line naming the value and listing the ones there are, exit 2 ------------------------

UNKNOWN = [
    (["hits", "--mark", "nosuch"],
     "--mark nosuch: no such mark; the marks are: weilidai (微粒贷), weizhong (微众, WeBank)"),
    (["hits", "--source", "nosuch"], "--source nosuch: no such source; the sources are: feed, gsxt"),
    (["hits", "--status", "approved"], f"--status approved: no such status; the statuses are: {STATUSES}"),
    (["hits", "--severity", "urgent"], "--severity urgent: no such severity; the severities are: high, medium, low"),
    (["export", "-o", "x.csv", "--mark", "WeBnak"],
     "--mark WeBnak: no such mark; the marks are: weilidai (微粒贷), weizhong (微众, WeBank)"),
    (["export", "-o", "x.csv", "--source", "fed"], "--source fed: no such source; the sources are: feed, gsxt"),
    (["export", "-o", "x.csv", "--severity", "hi"], "--severity hi: no such severity; the severities are: high, "
                                                    "medium, low"),
    (["run", "--once", "--source", "nosuch"],
     "--source nosuch: no such source in config.yaml; the sources are: feed, gsxt"),
    (["import", "--source", "nosuch", "config.yaml"],
     "--source nosuch: no such source in config.yaml; the sources are: feed, gsxt"),
    (["variants", "wiezhong"], "variants wiezhong: no such mark in the watchlists; the marks are: weilidai (微粒贷), "
                               "weizhong (微众, WeBank); for the variants of any text, add --any"),
    (["alerts", "test", "nowhere"], "alerts test nowhere: no such channel in config.yaml; the channels are: "
                                    "legal-hook"),
    (["check", "--kind", "shop", "微众"], "--kind shop: no such kind; the kinds are: company, app, account, "
                                            "domain, post, place"),
    (["screen", "--kind", "shop", "in.txt"], "--kind shop: no such kind; the kinds are: company, app, account, "
                                             "domain, post, place"),
    (["review", "1", "approved"], f"review approved: no such status; the statuses are: {STATUSES}; give hit ids "
                                  "(numbers from `brandwatch hits`) and then one status"),
    (["review", "confirmed"], "review confirmed: give at least one hit id before the status, e.g. "
                              "`brandwatch review 12 confirmed`"),
    (["review", "x1", "confirmed"], "review x1: not a hit id (a number from `brandwatch hits`)"),
    (["show", "99"], "hit 99 does not exist; `brandwatch hits` lists them"),
    (["show", "abc"], "show abc: not a hit id (a number from `brandwatch hits`)"),
    (["allow", "remove", "某某公司"], "某某公司: not a name the team allowlisted; `brandwatch allow list` shows them "
                                    "(a name in a watchlist's allow: is removed from its file)"),
    (["hits", "--since", "last week"], "--since last week: not a date; write it like 2026-11-01 or 2026-11-01T08:00"),
    (["export", "-o", "x.csv", "--until", "soon"], "--until soon: not a date; write it like 2026-11-01 or "
                                                   "2026-11-01T08:00"),
]


@pytest.mark.parametrize(("args", "message"), UNKNOWN, ids=[" ".join(a) for a, _ in UNKNOWN])
def test_unknown_names_are_errors_that_list_the_known_ones(in_project, args, message):
    r = cli(*args)
    assert (r.exit_code, r.output) == (2, f"Error: {message}\n")
    assert not (in_project / "x.csv").exists()


@pytest.mark.parametrize(("given", "names"), [
    ("weizhong", ["湖北微众森态信息科技集团有限公司"]),
    ("WeBank", ["湖北微众森态信息科技集团有限公司"]),  # an alias, any case
    ("webank", ["湖北微众森态信息科技集团有限公司"]),
    ("微粒贷", ["微粒袋极速版"]),  # the mark's name
])
def test_a_mark_is_named_by_its_id_name_or_alias(in_project, given, names):
    r = cli("hits", "--mark", given, "--json")
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["listing_name"] for line in r.stdout.splitlines()] == names


def test_variants_of_any_text_need_any(in_project):
    assert cli("variants", "--any", "--limit", "3", "花呗").stdout.count("\n") == 3
    r = cli("variants", "--limit", "3", "微众")  # a mark's name is as good as its id
    assert r.exit_code == 0 and r.stdout == cli("variants", "--limit", "3", "weizhong").stdout


# -- hits: score and reason ---------------------------------------------------------------------------------

def test_hits_show_score_and_the_reason_shortened(in_project):
    r = cli("hits")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        "1\tnew\thigh\t90\t湖北微众森态信息科技集团有限公司\t微众\tcontains\t字号「微众森态」包含商标「微众」\tfeed",
        "2\tnew\tmedium\t83\t微粒袋极速版\t微粒贷\thomophone\t"
        "名称「微粒袋」与商标「微粒贷」读音相同（wēi lì dài / wēi lì…\tfeed",
    ]
    full = [json.loads(line) for line in cli("hits", "--json").stdout.splitlines()]
    assert full[1]["explanation"] == "名称「微粒袋」与商标「微粒贷」读音相同（wēi lì dài / wēi lì dài）"
    assert full[1]["score"] == 83 and full[1]["proposed"] == []


@pytest.mark.parametrize(("text", "width", "shown"), [
    ("字号「维众」", 20, "字号「维众」"),
    ("字号「维众」与商标", 10, "字号「维…"),  # a Chinese character takes two columns
    ("abcdefghij", 6, "abcde…"),
    ("two\nlines", 20, "two lines"),
])
def test_shorten(text, width, shown):
    from brandwatch.cli import shorten

    assert shorten(text, width) == shown


# -- show HIT -----------------------------------------------------------------------------------------------

CAPTURE = Capture("https://r.example/search?q=微众", "https://r.example/search?q=%E5%BE%AE%E4%BC%97", 200,
                  (("Content-Type", "text/html"),), b"<html>page</html>", "2026-11-20T02:00:05.000000Z")
CODE = "91420100MA4K000001"
RENAMED = "名称由「湖北微众森态信息科技集团有限公司」变更为「湖北森态信息科技集团有限公司」"


def _rich_store(path: Path) -> Store:
    """One hit with two captures, a rename, a proposal, a review with a note."""
    s = Store(path)
    cap1 = s.save_capture(CAPTURE, "2026-11-20.warc.gz", 0, 812)
    first = Listing("registry", CODE, "company", "湖北微众森态信息科技集团有限公司", "https://r.example/c/1",
                    (("status", "存续"), ("法定代表人", "张三"), ("统一社会信用代码", CODE)))
    lid = s.save_listing(first, cap1, now="2026-11-20T02:00:06.000000Z").id
    s.save_hits(lid, [Hit("weizhong", "微众", "某某银行股份有限公司", 95, "high", ("contains",), "微众",
                          "字号「微众森态」包含商标「微众」")], now="2026-11-20T02:00:06.000000Z")
    review(s, [1], "confirmed", by="张律师", note="仿冒字号", now="2026-11-21T03:00:00.000000Z")
    cap2 = s.save_capture(Capture(CAPTURE.request_url, CAPTURE.final_url, 200, (), b"<html>renamed</html>",
                                  "2026-11-27T02:00:05.000000Z"), "2026-11-27.warc.gz", 40, 900)
    s.save_listing(Listing("registry", CODE, "company", "湖北森态信息科技集团有限公司", "https://r.example/c/1",
                           first.fields), cap2, now="2026-11-27T02:00:06.000000Z")
    s.add_proposal(1, "name_changed", RENAMED, "2026-11-27T02:00:06.000000Z", cap2, now="2026-11-27T02:00:07.000000Z")
    return s


@pytest.fixture
def rich(tmp_path, monkeypatch):
    db = tmp_path / "bw.db"
    _rich_store(db).close()
    (tmp_path / "wl").mkdir()
    (tmp_path / "wl" / "bank.yaml").write_text(WATCHLIST, encoding="utf-8")
    (tmp_path / "config.yaml").write_text("watchlists: wl\ndatabase: bw.db\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_show_has_everything_about_the_hit(rich):
    r = cli("show", "1")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    for line in [
        "hit 1: 湖北森态信息科技集团有限公司",
        "  名称 name                 湖北森态信息科技集团有限公司",
        "  来源 source               registry (key 91420100MA4K000001)",
        "  网址 URL                  https://r.example/c/1",
        "  法定代表人                张三",
        "  统一社会信用代码          91420100MA4K000001",
        "  登记状态 listing status   存续",
        "  首次发现 first seen       2026-11-20T02:00:06Z (2026-11-20 10:00:06 Asia/Shanghai)",
        "  商标 mark                 微众 (weizhong)",
        "  权利人 owner              某某银行股份有限公司",
        "  规则 rule                 contains: 审查指南: 完整包含他人文字商标; 比对规则: 字号包含他人字号",
        "  分数 score                95",
        "  风险等级 severity         高 high",
        "  理由 explanation          字号「微众森态」包含商标「微众」",
        "  状态 status               已确认 confirmed since 2026-11-21T03:00:00Z (2026-11-21 11:00:00 Asia/Shanghai)",
        "  备注 notes                2026-11-21 张律师 → confirmed: 仿冒字号",
        "取证 captures (2)",
        "  capture 1  2026-11-20T02:00:05Z (2026-11-20 10:00:05 Asia/Shanghai)  HTTP 200  17 bytes",
        "      URL      https://r.example/search?q=%E5%BE%AE%E4%BC%97 (asked https://r.example/search?q=微众)",
        f"      SHA-256  {CAPTURE.sha256}",
        f"      WARC     {rich / 'captures' / '2026-11-20.warc.gz'} offset 0 length 812",
        "出现记录 sightings (2): first showing and each change",
        "  2026-11-27T02:00:06Z (2026-11-27 10:00:06 Asia/Shanghai)  湖北森态信息科技集团有限公司  [存续]  capture 2",
        "名称与状态变更 name and status history (1)",
        "  2026-11-27T02:00:06Z (2026-11-27 10:00:06 Asia/Shanghai)  name: 湖北微众森态信息科技集团有限公司 → "
        "湖北森态信息科技集团有限公司  capture 2",
        "跟进建议 follow-up proposals (1)",
        f"  name_changed (open)  seen 2026-11-27T02:00:06Z (2026-11-27 10:00:06 Asia/Shanghai)  {RENAMED}",
        "审计记录 audit trail (1)",
        "  1  2026-11-21T03:00:00Z (2026-11-21 11:00:00 Asia/Shanghai)  张律师  status new→confirmed  — 仿冒字号",
    ]:
        assert line in lines, line


def test_show_json_is_one_document(rich):
    doc = json.loads(cli("show", "1", "--json").stdout)
    assert doc["version"] == 1
    assert list(doc) == ["version", "hit", "allowlisted_name", "listing", "captures", "sightings", "changes",
                         "proposals", "audit"]
    assert doc["listing"]["fields"]["法定代表人"] == "张三" and doc["hit"]["rule"] == "contains"
    assert [c["warc_offset"] for c in doc["captures"]] == [0, 40]
    assert doc["captures"][0]["warc_path"] == str(rich / "captures" / "2026-11-20.warc.gz")
    assert [x["name"] for x in doc["sightings"]] == ["湖北微众森态信息科技集团有限公司", "湖北森态信息科技集团有限公司"]
    assert doc["proposals"][0]["outcome"] == "name_changed" and doc["audit"][0]["new"] == "confirmed"
    assert doc["hit"]["notes"] == "2026-11-21 张律师 → confirmed: 仿冒字号"


# -- review notes land in the hit's notes ------------------------------------------------------------------

@pytest.mark.parametrize(("steps", "notes", "actions"), [
    ([("confirmed", "仿冒字号")], "2026-11-20 张律师 → confirmed: 仿冒字号", ["status"]),
    ([(None, "已电话核实")], "2026-11-20 张律师: 已电话核实", ["note"]),
    ([("confirmed", "仿冒字号"), ("letter_sent", "已发律师函"), (None, "对方已回函")],
     "2026-11-20 张律师 → confirmed: 仿冒字号\n2026-11-20 张律师 → letter_sent: 已发律师函\n"
     "2026-11-20 张律师: 对方已回函",
     ["status", "status", "note"]),
    ([("confirmed", "")], "", ["status"]),
])
def test_review_notes_land_in_the_hits_notes_and_the_export(tmp_path, steps, notes, actions):
    from brandwatch.export import export_hits

    from .test_review import make_store

    with make_store(tmp_path / "bw.db") as s:
        for status, note in steps:
            review(s, [1], status, by="张律师", note=note, now="2026-11-20T02:00:00.000000Z")
        assert s.hit_records(ids=[1])[0].notes == notes
        assert [e["action"] for e in s.audit_entries(1)] == actions
        export_hits(s.hit_records(ids=[1]), "csv", tmp_path / "hits.csv")
    (row,) = csv.DictReader((tmp_path / "hits.csv").open(encoding="utf-8-sig"))
    assert [v for k, v in row.items() if "备注" in k] == [notes]


# -- allowlisting undone ------------------------------------------------------------------------------------

NAME = "微众众诚企业管理(武汉)有限公司"
OWNER = "深圳前海微众银行股份有限公司"


@pytest.fixture
def team(tmp_path, monkeypatch):
    from .test_review import WL, make_store

    make_store(tmp_path / "bw.db").close()
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"watchlists": str(WL), "database": "bw.db"}),
                                          encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRANDWATCH_USER", "张律师")
    return tmp_path


def _audit(db: Path, hit: int) -> list[tuple[str, str, str]]:
    with Store(db) as s:
        return [(e["action"], e["old"], e["new"]) for e in s.audit_entries(hit)]


@pytest.mark.parametrize(("undo", "said", "status"), [
    (["review", "2", "new"], "hit 2: status allowlisted→new; allow list − " + NAME, "new"),
    (["review", "2", "confirmed"], "hit 2: status allowlisted→confirmed; allow list − " + NAME, "confirmed"),
    (["allow", "remove", NAME], f"removed {NAME} from the allow list of {OWNER}; hit 2 back to new", "new"),
    (["allow", "remove", "微众众诚企业管理（武汉）有限公司"],  # full-width brackets: the same name
     f"removed {NAME} from the allow list of {OWNER}; hit 2 back to new", "new"),
    (["allow", "remove", "2"], f"removed {NAME} from the allow list of {OWNER}; hit 2 back to new", "new"),
])
def test_allowlisting_is_undone_audited_and_the_matcher_reports_the_name_again(team, undo, said, status):
    assert cli("check", "--kind", "company", NAME).exit_code == 3
    assert cli("review", "2", "allowlisted", "--note", "our subsidiary").exit_code == 0
    assert cli("check", "--kind", "company", NAME).exit_code == 0  # the store's allow list is honoured
    listed = cli("allow", "list").stdout.splitlines()
    assert listed[0].startswith(f"{OWNER}\t{NAME}\tfrom hit 2, by 张律师, ")
    r = cli(*undo)
    assert (r.exit_code, r.stdout.strip()) == (0, said)
    assert _audit(team / "bw.db", 2)[-2:] in ([("status", "allowlisted", status), ("allow", NAME, "")],
                                             [("allow", NAME, ""), ("status", "allowlisted", "new")])
    assert NAME not in cli("allow", "list").stdout
    assert cli("check", "--kind", "company", NAME).exit_code == 3  # reported again
    assert json.loads(cli("show", "2", "--json").stdout)["hit"]["status"] == status
    assert cli("audit", "verify").exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (["allow", "remove", "1"], "hit 1: its name 湖北微众森态信息科技集团有限公司 is not on the allow list; "
                               "`brandwatch allow list` shows the names there"),
    (["allow", "remove", "99"], "hit 99 does not exist; `brandwatch hits` lists them"),
    (["allow", "remove", NAME, "--owner", "别人"], f"--owner 别人: {NAME} is not on that owner's allow list"),
])
def test_allow_remove_errors(team, args, message):
    assert cli("review", "2", "allowlisted").exit_code == 0
    r = cli(*args)
    assert (r.exit_code, r.output) == (2, f"Error: {message}\n")


def test_a_name_two_hits_allowlisted_stays_until_both_are_reopened(tmp_path):
    from .test_review import make_store

    with make_store(tmp_path / "bw.db") as s:
        lid = s.hit_records(ids=[2])[0].listing_id
        s.save_hits(lid, [Hit("weilidai", "微粒贷", OWNER, 70, "medium", ("insertion",), "微众众", "x")])
        review(s, [2, 4], "allowlisted", by="a")
        review(s, [2], "new", by="a")
        assert s.allow_names() == {OWNER: [NAME]}  # hit 4 still holds it
        review(s, [4], "dismissed", by="a")
        assert s.allow_names() == {}


def test_a_removal_changes_the_index_key_and_the_daemons_matcher(tmp_path):
    from brandwatch.app import build_context, with_allowlisted
    from brandwatch.config import ConfigSpec, default_risk_terms, load_watchlists
    from brandwatch.index import index_key
    from brandwatch.review import remove_allowed

    from .test_review import WL, make_store

    db = tmp_path / "bw.db"
    make_store(db).close()
    ctx = build_context(ConfigSpec(watchlists=str(WL), database=str(db)))
    base = load_watchlists(WL)
    with Store(db) as s:
        review(s, [2], "allowlisted", by="a")
        ctx.refresh_allow(s)
        allowed_key = index_key(with_allowlisted(base, s.allow_names()), default_risk_terms())
        assert not ctx.matcher.match(NAME)
        remove_allowed(s, NAME, by="a")
        ctx.refresh_allow(s)
        assert ctx.matcher.match(NAME)
        assert index_key(with_allowlisted(base, s.allow_names()), default_risk_terms()) == index_key(
            base, default_risk_terms()) != allowed_key


# -- config: found from any folder, paths relative to it ---------------------------------------------------

def _first_config_above(folder: Path) -> Path | None:
    return next((p / "config.yaml" for p in (folder, *folder.parents) if (p / "config.yaml").is_file()), None)


@pytest.mark.parametrize(("given", "env", "cwd", "expect"), [
    ("proj/config.yaml", None, ".", "proj/config.yaml"),
    (None, "proj/config.yaml", ".", "proj/config.yaml"),
    ("proj/config.yaml", "other/config.yaml", ".", "proj/config.yaml"),  # --config wins
    (None, "", "proj", "config.yaml"),  # an empty variable is no variable
    (None, None, "proj", "config.yaml"),
    (None, None, "proj/data/drop", "PROJ/config.yaml"),  # found in a parent, as git finds its repository
    (None, None, "other/sub", "other/config.yaml"),
])
def test_find_config(tmp_path, given, env, cwd, expect):
    from brandwatch.config import find_config

    for folder in ("proj/data/drop", "other/sub"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "proj" / "config.yaml").write_text("{}\n")
    (tmp_path / "other" / "config.yaml").write_text("{}\n")
    found = find_config(given and str(tmp_path / given), {} if env is None else {
        "BRANDWATCH_CONFIG": env and str(tmp_path / env)}, tmp_path / cwd)
    want = Path(expect) if expect == "config.yaml" else tmp_path / expect.replace("PROJ", "proj")
    assert found.path == want


def test_find_config_without_one(tmp_path):
    from brandwatch.config import find_config

    found = find_config(None, {}, tmp_path)
    assert found.path == _first_config_above(tmp_path)  # None, unless a folder above the tests holds one


@pytest.mark.parametrize(("given", "env", "message"), [
    ("nope.yaml", None, "--config {t}/nope.yaml: no such file; give the path of your config.yaml, or leave --config "
                        "out to use $BRANDWATCH_CONFIG or the config.yaml of this folder or a parent"),
    ("", None, "--config {t}: is a folder; give the file, e.g. --config {t}/config.yaml"),
    ("/dev/null", None, "--config /dev/null: not a regular file; give the path of your config.yaml"),
    (None, "nope.yaml", "$BRANDWATCH_CONFIG={t}/nope.yaml: no such file; set it to the path of your config.yaml, "
                        "or unset it to use the config.yaml of this folder or a parent"),
])
def test_a_config_named_but_missing_is_an_error(tmp_path, monkeypatch, given, env, message):
    monkeypatch.chdir(tmp_path)
    if env:
        monkeypatch.setenv("BRANDWATCH_CONFIG", str(tmp_path / env))
    r = cli(*(["--config", str(tmp_path / given)] if given is not None else []), "hits")
    assert (r.exit_code, r.output) == (2, "Error: " + message.format(t=tmp_path) + "\n")


def test_paths_in_the_config_are_relative_to_its_folder(tmp_path):
    from brandwatch.config import load_config

    cfg = tmp_path / "etc" / "config.yaml"
    cfg.parent.mkdir()
    cfg.write_text("watchlists: wl\ndatabase: ../var/bw.db\ncaptures: /srv/captures\nreport: {output: out}\n"
                   "sources:\n  - {name: feed, type: files, options: {folder: drop}}\n"
                   "  - {name: f2, type: files, options: {folder: ~/drop2}}\n", encoding="utf-8")
    c = load_config(cfg)
    etc = tmp_path / "etc"
    assert (c.watchlists, c.database, c.captures, c.report.output) == (
        str(etc / "wl"), str(etc / "../var/bw.db"), "/srv/captures", str(etc / "out"))
    assert c.sources[0].options["folder"] == str(etc / "drop")
    assert c.sources[1].options["folder"] == str(Path("~/drop2").expanduser())
    assert c.captures_dir == Path("/srv/captures") and c.reports_dir == etc / "out"


@pytest.mark.parametrize("how", ["--config", "BRANDWATCH_CONFIG", "subfolder"])
def test_every_command_works_from_another_folder(project, tmp_path, monkeypatch, how):
    args = ["hits", "--severity", "high"]
    if how == "--config":
        monkeypatch.chdir(tmp_path)
        args = ["--config", str(project / "config.yaml"), *args]
    elif how == "BRANDWATCH_CONFIG":
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("BRANDWATCH_CONFIG", str(project / "config.yaml"))
    else:
        monkeypatch.chdir(project / "drop")
    r = cli(*args)
    assert r.exit_code == 0, r.output
    assert "湖北微众森态信息科技集团有限公司" in r.stdout
    assert cli(*args[:-3], "check", "--kind", "app", "微粒袋极速版").exit_code == 3  # the watchlists too


def test_missing_paths_name_the_config_that_chose_them(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "config.yaml").write_text("watchlists: nowl\ndatabase: db/bw.db\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "sub")
    found = f"{tmp_path / 'config.yaml'} (found from {tmp_path / 'sub'}; paths there are relative to its folder)"
    r = cli("check", "x")
    assert r.output == (f"Error: {tmp_path / 'nowl'}: watchlist folder not found; create it (see README), set "
                        f"`watchlists` in {found}, or pass --watchlists DIR\n")
    r = cli("hits")
    assert r.output == (f"Error: {tmp_path / 'db/bw.db'}: no database yet; run `brandwatch run --once` (or `make "
                        f"demo`) to make it, or set `database` in {found}\n")
    assert r.exit_code == 2


def test_no_config_anywhere_says_where_it_looked(tmp_path, monkeypatch):
    if _first_config_above(tmp_path):
        pytest.skip("a folder above the tests holds a config.yaml")
    monkeypatch.chdir(tmp_path)
    r = cli("hits")
    assert (r.exit_code, r.output) == (2, f"Error: brandwatch.db: database not found here: no config.yaml in "
                                          f"{tmp_path} or its parents, and $BRANDWATCH_CONFIG is not set; run from "
                                          "your project's folder, pass --config FILE, or set $BRANDWATCH_CONFIG\n")


# -- import: a page that did not parse is an error ----------------------------------------------------------



def gsxt_page(n: int) -> str:
    return (f'<a class="search_list_item" href="/x"><h1>湖北<font color=red>微众</font>森态{n}号信息科技有限公司</h1>'
            f'<span class="ying_satus2">存续</span> 统一社会信用代码： 91420100MA4K00{n:04d}</a>')


NOT_PARSED = ("no listings found in it: it is not a gsxt search results page brandwatch can read (or the search found "
              "nothing); nothing was imported from it. Save the page that lists the results (with their names) and "
              "import that")
# the gsxt parser itself refuses a page that is neither result blocks nor the register's result header
NOT_A_LIST = ("not a page gsxt can read (neither result blocks (a.search_list_item) nor the result header "
              "(div.search_result) is on the page: not the register's result list (a challenge or a changed "
              "layout?)); nothing was imported from it")
NO_RESULTS = '<div class="search_result">查询结果<span class="search_result_span1">0</span>条信息</div>'


@pytest.mark.parametrize(("pages", "out", "errors"), [
    ({"app.html": "<html><div id=app></div><script src=app.js></script></html>"}, "", {"app.html": NOT_A_LIST}),
    ({"challenge.html": "<script>" + "x" * 70_000 + "</script>"}, "", {"challenge.html": NOT_A_LIST}),
    ({"ok.html": gsxt_page(1), "empty.html": "<html></html>"}, "imported 1 file(s): 1 listings, 1 new hits\n",
     {"empty.html": NOT_A_LIST}),
    ({"none.html": NO_RESULTS}, "", {"none.html": NOT_PARSED}),  # a real "0 results" page: nothing to import
    ({"ok.html": gsxt_page(2)}, "imported 1 file(s): 1 listings, 1 new hits\n", {}),
])
def test_import_of_a_page_that_did_not_parse_fails(in_project, tmp_path, pages, out, errors):
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["import", "--source", "gsxt", *(str(tmp_path / n) for n in pages)])
    assert r.stdout == out
    assert r.stderr.splitlines() == [f"Error: {tmp_path / n}: {m}" for n, m in errors.items()]
    assert r.exit_code == (2 if errors else 0)


def test_import_refuses_what_is_not_a_saved_page(in_project):
    r = CliRunner().invoke(main, ["import", "--source", "gsxt", "/dev/zero"])
    assert (r.exit_code, r.stderr) == (2, "Error: /dev/zero: not a regular file; save the page from the browser as "
                                          "a file and import that\n")


# -- status: the same next run on every call; report: this week ----------------------------------------------

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.mark.parametrize(("schedule", "last", "paused", "window"), [
    ({"cron": "30 2 * * *", "jitter": 1800}, None, None, ("2026-11-20T18:30:00Z", "2026-11-20T19:00:00Z")),
    ({"cron": "30 10 * * *", "jitter": 0}, None, None, ("2026-11-20T02:30:00Z", "2026-11-20T02:30:00Z")),
    ({"every": "12h", "jitter": 900}, "2026-11-19T20:00:00.000000Z", None,
     ("2026-11-20T07:45:00Z", "2026-11-20T08:15:00Z")),
    ({"every": "12h", "jitter": 900}, None, None, (None, None)),  # counted from the daemon's start
    (None, "2026-11-19T20:00:00.000000Z", None, ("2026-11-20T19:55:00Z", "2026-11-20T20:05:00Z")),
    ({"cron": "30 10 * * *", "jitter": 0}, None, datetime(2026, 11, 21, 0, 0, tzinfo=UTC),
     ("2026-11-21T02:30:00Z", "2026-11-21T02:30:00Z")),  # paused through today's run
])
def test_next_run_window(schedule, last, paused, window):
    from brandwatch.config import ScheduleSpec
    from brandwatch.schedules import next_run

    w = next_run(ScheduleSpec(**schedule) if schedule else None, last, NOW, paused)
    assert (w.to_json()["next_run"], w.to_json()["next_run_latest"]) == window


def test_status_shows_the_same_next_run_on_every_call(in_project):
    config = yaml.safe_load((in_project / "config.yaml").read_text(encoding="utf-8"))
    config["sources"][0]["schedule"] = {"every": "1h", "jitter": 600}
    (in_project / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    try:
        first = cli("status")
        assert first.exit_code == 0, first.output
        assert [cli("status").stdout for _ in range(3)] == [first.stdout] * 3
        doc = json.loads(cli("status", "--json").stdout)
        feed = next(s for s in doc if s["source"] == "feed")
        started = datetime.fromisoformat(feed["last_run"]["started_at"].replace("Z", "+00:00")).replace(microsecond=0)
        first_at, last_at = (datetime.fromisoformat(feed[k].replace("Z", "+00:00"))
                             for k in ("next_run", "next_run_latest"))
        assert (first_at - started, last_at - started) == (timedelta(minutes=50), timedelta(minutes=70))
        assert "next: between " in first.stdout
    finally:
        (in_project / "config.yaml").write_text(CONFIG, encoding="utf-8")


@pytest.mark.parametrize(("now", "week"), [
    (datetime(2026, 11, 22, 16, 30, tzinfo=UTC), "2026-W48"),  # Monday 00:30 in Shanghai
    (datetime(2026, 11, 22, 15, 59, tzinfo=UTC), "2026-W47"),  # still Sunday there
    (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), "2026-W53"),
])
def test_current_week(now, week):
    from brandwatch.report.weeks import current_week

    assert current_week(now) == week


def test_report_defaults_to_the_current_week(in_project, tmp_path):
    from brandwatch.report.weeks import current_week

    r = cli("report", "-o", str(tmp_path / "r"))
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == str(tmp_path / "r" / f"brandwatch-report-{current_week()}.html")


# -- names from the web are shown, never obeyed --------------------------------------------------------------

@pytest.mark.parametrize(("text", "shown"), [
    ("微众科技", "微众科技"),
    ("微众\n2\tnew\thigh", "微众\\n2\\tnew\\thigh"),  # a forged line or column
    ("微众\x1b[2J", "微众\\x1b[2J"),  # a terminal escape
    ("微众\u202e司公限有", "微众\\u202e司公限有"),  # a right-to-left override
    ("花\u200b呗\u3000", "花\u200b呗\u3000"),  # zero-width and ideographic spaces are text (the separator rule)
    ("\x00\x85", "\\x00\\x85"),
])
def test_printable(text, shown):
    from brandwatch.cli import printable

    assert printable(text) == shown


def test_hostile_names_cannot_forge_lines_in_hits_or_show(tmp_path, monkeypatch):
    hostile = "微众金服\n99\tconfirmed\thigh\x1b[2J"
    with Store(tmp_path / "bw.db") as s:
        lid = s.save_listing(Listing("registry", "k1", "company", hostile, "https://r/1",
                                     (("法定代表人", "张三\r\n统一社会信用代码 000"),))).id
        s.save_hits(lid, [Hit("weizhong", "微众", OWNER, 95, "high", ("contains",), "微众", f"字号含「{hostile}」")])
    (tmp_path / "config.yaml").write_text(f"watchlists: {ROOT / 'tests/fixtures/watchlists'}\ndatabase: bw.db\n",
                                          encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    hits = cli("hits").stdout
    assert hits.count("\n") == 1 and "\x1b" not in hits and "微众金服\\n99\\tconfirmed\\thigh\\x1b[2J" in hits
    show = cli("show", "1").stdout
    assert "\x1b" not in show and "\r" not in show
    assert "  法定代表人                张三\\r\\n统一社会信用代码 000" in show.splitlines()
    assert json.loads(cli("show", "1", "--json").stdout)["listing"]["name"] == hostile  # evidence, as it was
