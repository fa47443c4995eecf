"""A held lock is one line naming its holder: the run lock beside the database, and SQLite's write lock held by a
real second process for longer than the busy timeout."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch import store as store_module
from brandwatch.app import database_lock
from brandwatch.cli import main
from brandwatch.errors import LockedError, StoreError
from brandwatch.lockfile import current_command, read_holder
from brandwatch.models import Hit, Listing
from brandwatch.store import Store

# a second process: takes the run lock as `brandwatch run --once` would (or writes only a pid, as brandwatch did
# before), and/or holds SQLite's write lock, until its stdin closes
HOLDER = r"""
import fcntl, os, sqlite3, sys
from pathlib import Path
from brandwatch.lockfile import write_holder  # what database_lock writes; scheduler would import the matcher
db, run_lock, write_lock = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "write"
if run_lock != "none":
    fd = os.open(str(db) + ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    if run_lock == "old":
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
    else:
        write_holder(fd, "brandwatch run --once")
conn = sqlite3.connect(db, isolation_level=None)
if write_lock:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO runs (source, started_at, outcome) VALUES ('other', 'now', 'running')")
print("ready", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def holder(tmp_path):
    """Start the second process; yields a function (run_lock, write_lock) → its pid, stopping it afterwards."""
    db = tmp_path / "bw.db"
    with Store(db) as store:
        listing = store.save_listing(Listing("gsxt", "k1", "company", "湖北微众森态信息科技有限公司"))
        store.save_hits(listing.id, [Hit("weizhong", "微众", "微众银行", 92, "high", ("contains",), "微众", "…")])
    procs: list[subprocess.Popen] = []

    def start(run_lock: str, write_lock: str) -> int:
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), run_lock, write_lock], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        return proc.pid

    yield start
    for proc in procs:
        try:
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=10)
        finally:
            proc.kill()


def since(db: Path) -> str:
    return json.loads(Path(str(db) + ".lock").read_text())["started_at"]


def test_the_lock_file_says_who_holds_it(tmp_path):
    db = tmp_path / "bw.db"
    with database_lock(db, command="brandwatch run --once"):
        doc = json.loads(Path(str(db) + ".lock").read_text())
        assert set(doc) == {"pid", "host", "command", "started_at"}
        holder = read_holder(str(db) + ".lock")
    assert holder is not None and holder.describe() == (f"brandwatch run --once, pid {doc['pid']} on "
                                                        f"{socket.gethostname()}, since {doc['started_at']}")
    assert doc["started_at"].endswith("Z") and len(doc["started_at"]) == 20


@pytest.mark.parametrize(("argv", "command"), [
    (["/srv/bw/.venv/bin/brandwatch", "--config", "/etc/bw.yaml", "run", "--once"],
     "brandwatch --config /etc/bw.yaml run --once"),
    (["/usr/lib/python3/brandwatch/__main__.py", "run"], "brandwatch run"),
    (["brandwatch", "review", "12", "confirmed", "--note", "a\nb"], "brandwatch review 12 confirmed --note 'a b'"),
    (["cron-wrapper.sh", "x" * 300], "cron-wrapper.sh " + "x" * 183 + "…"),
])
def test_the_command_recorded(argv, command):
    assert current_command(argv) == command


def test_a_held_run_lock_names_its_holder(tmp_path, holder):
    db = tmp_path / "bw.db"
    pid = holder("run", "read")
    with pytest.raises(LockedError) as e, database_lock(db):
        pass
    assert str(e.value) == (f"{db}: another brandwatch run holds {db}.lock (brandwatch run --once, pid {pid} on "
                            f"{socket.gethostname()}, since {since(db)}); stop it or wait for it to finish")


def test_a_lock_taken_by_an_older_brandwatch_names_its_pid(tmp_path, holder):
    db = tmp_path / "bw.db"
    pid = holder("old", "read")
    with pytest.raises(LockedError) as e, database_lock(db):
        pass
    assert str(e.value) == (f"{db}: another brandwatch run holds {db}.lock (a brandwatch process, pid {pid}); "
                            "stop it or wait for it to finish")


def test_a_busy_database_is_one_line_naming_the_run_that_holds_it(tmp_path, holder):
    db = tmp_path / "bw.db"
    pid = holder("run", "write")
    with Store(db, timeout=0.2) as store, pytest.raises(StoreError) as e:
        store.start_run("qcc")
    assert str(e.value) == (f"{db}: the database stayed locked for 0.2s while another process wrote to it ({db}.lock "
                            f"names brandwatch run --once, pid {pid} on {socket.gethostname()}, since {since(db)}); "
                            "wait for it to finish, or stop it, then try again")
    assert "database is locked" in str(e.value.__cause__)  # the original kept, for BRANDWATCH_DEBUG=1


def test_a_busy_database_held_by_another_program(tmp_path, holder, monkeypatch):
    db = tmp_path / "bw.db"
    holder("none", "write")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"database": str(db)}))
    r = CliRunner().invoke(main, ["--config", str(tmp_path / "config.yaml"), "review", "1", "confirmed", "--by", "x"])
    assert r.exit_code == 2
    assert r.output == (f"Error: {db}: the database stayed locked for 0.2s while another process wrote to it (no "
                        f"other brandwatch run holds {db}.lock: perhaps `brandwatch review` or another command, a "
                        "backup or an SQLite browser); wait for it to finish, or stop it, then try again\n")
    with Store(db) as store:  # nothing half-done: the review is simply not there
        assert store.hit_records()[0].status == "new" and store.audit_entries() == []
