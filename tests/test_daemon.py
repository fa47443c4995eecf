"""The daemon and crashes, as processes: SIGTERM stops it cleanly, kill -9 loses nothing, one per database."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from .alert_servers import RobotServer
from .httpserver import Answer, LocalServer

ROOT = Path(__file__).resolve().parent.parent
WL = ROOT / "tests" / "fixtures" / "watchlists"


def page(n: int) -> bytes:
    rows = "".join(f'<div class="r"><a class="n" href="/c/{n}-{i}">微众{n}{i}科技有限公司</a></div>' for i in range(40))
    nxt = f'<a class="next" href="/s?q=x&p={n + 1}">next</a>' if n < 60 else ""
    return f"<html><body>{rows}{nxt}</body></html>".encode()


def serve_pages(delay: float) -> LocalServer:
    s = LocalServer()
    s.routes["/robots.txt"] = [Answer(404)]

    def search(path: str) -> Answer:
        n = int(path.split("p=")[1]) if "p=" in path else 1
        return Answer(200, page(n), {"Content-Type": "text/html; charset=utf-8"}, delay=delay)

    s.routes["/s"] = search
    return s


@pytest.fixture
def site():
    s = serve_pages(0.02)
    yield s
    s.close()


@pytest.fixture
def slow_site():
    s = serve_pages(0.25)  # 60 pages: 15 s for the whole source
    yield s
    s.close()


def config(tmp_path: Path, site: LocalServer, schedule: dict | None = None, alerts: dict | None = None) -> Path:
    src = {"name": "slow", "type": "html", "queries": ["微众"], "options": {
        "url": site.url + "/s?q={query}", "item": "div.r", "fields": {"name": "a.n", "url": "a.n@href"},
        "next": "a.next", "pages": 60}}
    if schedule:
        src["schedule"] = schedule
    cfg = {"watchlists": str(WL), "database": str(tmp_path / "bw.db"),
           "fetch": {"hosts": {site.url.split("//")[1]: 0}}, "sources": [src], **({"alerts": alerts} if alerts else {})}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def brandwatch(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "brandwatch", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def db_rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def wait_for(predicate, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def listings(db: Path) -> int:
    try:
        return db_rows(db, "SELECT count(*) FROM listings")[0][0]
    except sqlite3.Error:
        return 0


def test_kill_9_during_a_crawl_then_resume(tmp_path, site):
    cfg = config(tmp_path, site)
    db = tmp_path / "bw.db"
    proc = brandwatch("--config", str(cfg), "run", "--once")
    wait_for(lambda: listings(db) >= 200)
    # a person decides while the crawl runs
    conn = sqlite3.connect(db, timeout=10)
    conn.execute("UPDATE hits SET status = 'confirmed', notes = '已发函' WHERE id = 1")
    conn.commit()
    conn.close()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert db_rows(db, "PRAGMA integrity_check") == [("ok",)]
    proc = brandwatch("--config", str(cfg), "run", "--once")  # the lock died with the process
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert db_rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert db_rows(db, "SELECT count(*), count(DISTINCT key) FROM listings") == [(2400, 2400)]
    assert db_rows(db, "SELECT count(*) FROM hits") == [(2400,)]
    assert db_rows(db, "SELECT status, notes FROM hits WHERE id = 1") == [("confirmed", "已发函")]
    assert db_rows(db, "SELECT outcome, message FROM runs ORDER BY id") == [
        ("failed", "interrupted: the process stopped mid-run"), ("ok", "")]
    # the same crawl once more adds nothing
    proc = brandwatch("--config", str(cfg), "run", "--once")
    proc.communicate(timeout=120)
    assert db_rows(db, "SELECT count(*) FROM listings") == [(2400,)]
    assert db_rows(db, "SELECT count(*) FROM hits") == [(2400,)]


def test_daemon_runs_on_schedule_stops_on_sigterm_and_holds_a_lock(tmp_path, site):
    cfg = config(tmp_path, site, {"every": "2s", "jitter": 0})
    db = tmp_path / "bw.db"
    proc = brandwatch("--config", str(cfg), "run", "--log-format", "json")
    wait_for(lambda: listings(db) > 0, timeout=60)
    second = brandwatch("--config", str(cfg), "run", "--once")
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2 and "another brandwatch run holds" in err
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert '"message": "received SIGTERM' in err  # JSON logs, Chinese kept as is
    assert db_rows(db, "PRAGMA integrity_check") == [("ok",)]
    runs = db_rows(db, "SELECT outcome, message FROM runs")
    assert runs and all(r == ("ok", "") or (r[0] == "partial" and r[1].startswith("stopped by SIGTERM after "))
                        for r in runs), runs


def lock_is_free(db: Path) -> bool:
    fd = os.open(str(db) + ".lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.mark.parametrize("daemon", [False, True], ids=["run --once", "daemon"])
def test_sigterm_stops_after_the_current_page(tmp_path, slow_site, daemon, monkeypatch):
    # a robot that would hold the digest's delivery for its whole deadline (60 s): a stopping run queues only
    robot = RobotServer()
    robot.answers = [Answer(200, b'{"errcode": 0}' + b" " * 200, drip=0.5)]
    monkeypatch.setenv("BW_TEST_HOOK", robot.url + "/cgi-bin/webhook/send?key=k")
    alerts = {"channels": [{"name": "hook", "type": "wecom", "url_env": "BW_TEST_HOOK"}]}
    cfg = config(tmp_path, slow_site, {"every": "1s", "jitter": 0} if daemon else None, alerts)
    db = tmp_path / "bw.db"
    proc = brandwatch("--config", str(cfg), "run", *([] if daemon else ["--once"]))
    wait_for(lambda: listings(db) >= 80, timeout=60)  # two pages of 60 in
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == (0 if daemon else 4), err  # --once: a source stopped part way is exit 4
    [(outcome, message, pages, kept)] = db_rows(db, "SELECT outcome, message, pages, listings FROM runs")
    assert outcome == "partial" and message == f"stopped by SIGTERM after {pages} pages", err
    assert 2 <= pages < 60 and kept == listings(db) == 40 * pages  # what was fetched is saved, nothing after
    assert lock_is_free(db) and db_rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert db_rows(db, "SELECT attempts, sent_at FROM outbox") == [(0, None)]  # queued, for the next delivery
    robot.close()
    if not daemon:
        assert f"slow\tpartial\t{pages} pages" in out
