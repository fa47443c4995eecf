"""The legal team's workflow end to end, through the commands: crawl → digest → review →
evidence → export → report, against real local servers (a registry and a WeCom robot)."""

from __future__ import annotations

import csv
import json
import zipfile

import openpyxl
import pytest
import yaml

from .alert_servers import RobotServer, ok_json
from .test_pipeline import run, site, write_config  # noqa: F401  (the registry fixture)


@pytest.fixture
def robot():
    r = RobotServer()
    r.answers = [ok_json({"errcode": 0, "errmsg": "ok"})]
    yield r
    r.close()


def test_crawl_digest_review_evidence_export_report(tmp_path, site, robot, monkeypatch):  # noqa: F811
    cfg = write_config(tmp_path, site)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["alerts"] = {"channels": [{"name": "legal", "type": "wecom", "url_env": "TEST_WECOM_URL"}]}
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("TEST_WECOM_URL", robot.url + "/cgi-bin/webhook/send?key=secret-key-123")
    c = ["--config", str(cfg)]

    assert run(*c, "run", "--once").exit_code == 4  # the site's gsxt is blocked
    # one digest per run that found new high or medium hits, never one message per hit
    digests = [r.json()["markdown"]["content"] for r in robot.requests]
    assert digests and all("条新线索" in d for d in digests)
    assert "湖北微众森态信息科技集团有限公司" in "".join(digests)
    sent = run(*c, "alerts", "outbox", "--all")
    assert "secret-key-123" not in sent.output and "sent" in sent.output

    hits = [json.loads(line) for line in run(*c, "hits", "--json").stdout.splitlines()]
    fake = next(h for h in hits if h["listing_name"] == "湖北微众森态信息科技集团有限公司")
    r = run(*c, "review", str(fake["id"]), "confirmed", "--by", "张律师", "--note", "字号含「微众」")
    assert r.exit_code == 0, r.output

    bundle = tmp_path / f"evidence-{fake['id']}.zip"
    r = run(*c, "evidence", str(fake["id"]), "-o", str(bundle))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
    assert {"manifest.json", "manifest.sha256", "record.json", "match.json", "audit.jsonl"} <= names
    assert any(n.startswith("captures/") and n.endswith(".warc.gz") for n in names)
    listed = {f["path"] for f in manifest["files"]}
    assert names - {"manifest.json", "manifest.sha256"} <= listed
    assert all(len(f["sm3"]) == 64 and len(f["sha256"]) == 64 for f in manifest["files"])
    assert run(*c, "evidence", "verify", str(bundle)).exit_code == 0
    assert run(*c, "evidence", "verify", "--all").exit_code == 0
    assert run(*c, "audit", "verify").exit_code == 0

    out_csv, out_xlsx = tmp_path / "hits.csv", tmp_path / "hits.xlsx"
    assert run(*c, "export", "--status", "confirmed", "-o", str(out_csv)).exit_code == 0
    assert run(*c, "export", "-o", str(out_xlsx)).exit_code == 0
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out_csv.open(encoding="utf-8-sig")))
    assert len(rows) == 2 and "湖北微众森态信息科技集团有限公司" in rows[1] and "已确认 confirmed" in rows[1]
    assert "91420100MA4K000001" in rows[1] and fake["capture_sha256"] in rows[1]
    sheet = openpyxl.load_workbook(out_xlsx).active
    assert sheet.max_row == len(hits) + 1

    r = run(*c, "report", "-o", str(tmp_path / "reports"))
    assert r.exit_code == 0, r.output
    html = next((tmp_path / "reports").glob("*.html")).read_text(encoding="utf-8")
    assert "<svg" in html and "brandwatch" in html


@pytest.mark.parametrize(("args", "message"), [
    (["evidence", "verify"], "give a BUNDLE or --all"),
    (["export", "-o", "hits.pdf"], "give --format csv, xlsx or jsonl"),
    (["report", "--week", "2026-48"], "--week 2026-48: not an ISO week; write it like 2026-W48"),
    (["alerts", "test", "nowhere"], "nowhere"),
])
def test_workflow_errors_name_the_problem(tmp_path, site, args, message):  # noqa: F811
    cfg = write_config(tmp_path, site)
    assert run("--config", str(cfg), "run", "--once").exit_code == 4  # gsxt is blocked
    r = run("--config", str(cfg), *args)
    assert r.exit_code == 2
    assert message in r.output


def test_commands_on_a_missing_database_say_how_to_make_one(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"database": str(tmp_path / "none.db")}), encoding="utf-8")
    r = run("--config", str(cfg), "hits")
    assert r.exit_code == 2
    assert "no database yet; run `brandwatch run --once`" in r.output
    assert not (tmp_path / "none.db").exists()


def test_the_daemons_report_job_writes_the_report_and_sends_it(tmp_path, site, robot, monkeypatch):  # noqa: F811
    from datetime import UTC, datetime, timedelta

    from brandwatch.app import build_context, weekly_report
    from brandwatch.config import load_config

    cfg = write_config(tmp_path, site)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["alerts"] = {"channels": [{"name": "legal", "type": "webhook", "url_env": "TEST_HOOK_URL"},
                                   {"name": "other", "type": "webhook", "url_env": "TEST_HOOK_URL"}]}
    data["report"] = {"output": str(tmp_path / "weekly"), "schedule": {"cron": "0 8 * * 1"}, "channels": ["legal"]}
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("TEST_HOOK_URL", robot.url + "/hook")
    assert run("--config", str(cfg), "run", "--once").exit_code == 4  # gsxt is blocked
    robot.requests.clear()

    ctx = build_context(load_config(cfg), cfg)
    html = weekly_report(ctx, now=datetime.now(UTC) + timedelta(days=7))  # next Monday: this week is complete
    assert html.parent == tmp_path / "weekly" and html.exists() and html.with_suffix(".md").exists()
    (sent,) = [r.json() for r in robot.requests]  # only the report's channel
    assert sent["kind"] == "report" and "周报" in sent["subject"]
