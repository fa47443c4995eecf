"""`brandwatch demo` leaves a config that works without its site, and the commands it prints run as printed."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch.cli import main

ROOT = Path(__file__).resolve().parent.parent
BRANDWATCH = Path(sys.executable).parent / "brandwatch"  # the venv's: what `make demo` runs


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo run as `make demo` runs it: from a folder holding watchlists/, into demo-output/ there."""
    here = tmp_path_factory.mktemp("repo")
    shutil.copytree(ROOT / "watchlists", here / "watchlists")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(here)
        r = CliRunner().invoke(main, ["demo", "--watchlists", "watchlists", "--out", "demo-output"],
                               catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return here, r.stdout


def _printed_commands(out: str) -> list[str]:
    block = out.split("\nNext, from this folder:\n")[1].split("\n(or ")[0]
    return [line.strip() for line in block.splitlines()]


def test_the_demo_prints_commands_with_the_venvs_brandwatch(demo):
    _, out = demo
    commands = _printed_commands(out)
    assert len(commands) == 9
    exe = shlex.quote(str(BRANDWATCH)) if BRANDWATCH.is_file() else f"{shlex.quote(sys.executable)} -m brandwatch"
    assert all(c.startswith(f"{exe} --config demo-output/demo-config.yaml ") for c in commands)
    assert "(or `export BRANDWATCH_CONFIG=demo-output/demo-config.yaml` and leave out --config)" in out


def test_every_printed_command_runs_as_printed(demo):
    here, out = demo
    commands = _printed_commands(out)
    # side by side: each is a cold start of about a second
    running = [subprocess.Popen(shlex.split(c), cwd=here, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for c in commands]
    for command, p in zip(commands, running, strict=True):
        _, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, (command, stderr)
        assert "Error" not in stderr, (command, stderr)


def test_the_demo_config_works_once_the_site_is_gone(demo, tmp_path):
    here, _ = demo
    cfg = here / "demo-output" / "demo-config.yaml"
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    assert (data["watchlists"], data["database"]) == ("../watchlists", "brandwatch.db")  # relative to the config
    assert {s["enabled"] for s in data["sources"]} == {False}
    assert cfg.read_text(encoding="utf-8").startswith("# Written by `brandwatch demo`. The demo site")
    # from any other folder, through the environment
    done = subprocess.run([str(BRANDWATCH) if BRANDWATCH.is_file() else sys.executable, *(
        [] if BRANDWATCH.is_file() else ["-m", "brandwatch"]), "hits", "--severity", "high"], cwd=tmp_path,
        capture_output=True, text=True, timeout=120, env={**os.environ, "BRANDWATCH_CONFIG": str(cfg)})
    assert done.returncode == 0, done.stderr
    assert "微業貸" in done.stdout
    r = CliRunner().invoke(main, ["--config", str(cfg), "run", "--once"])  # every source disabled: it says so
    assert (r.exit_code, r.stdout) == (2, "") and r.stderr.startswith(f"Error: no source is enabled in {cfg}; ")



def test_the_printed_web_command_serves_and_the_printed_password_signs_in(demo):
    import http.client
    import re
    import socket
    import time
    import urllib.parse

    here, out = demo
    block = out.split("\nThe web workspace")[1]
    command = block.splitlines()[1].strip()
    password = re.search(r"sign in as demo, password (\S+)", block).group(1)
    assert command.endswith(" web")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*shlex.split(command), "--port", str(port)], cwd=here, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)

    def ask(method: str, path: str, body: str = "", cookie: str = "") -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        return conn.getresponse()

    try:
        for _ in range(150):
            try:
                first = ask("GET", "/login")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError(server.stderr.read() if server.poll() is not None else "the workspace never answered")
        # the session cookie is Secure; a browser keeps it for 127.0.0.1, so it is handed back by hand here
        cookie = first.getheader("Set-Cookie").split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', first.read().decode()).group(1)
        form = urllib.parse.urlencode({"name": "demo", "password": password, "csrf_token": token})
        signed = ask("POST", "/login", form, cookie)
        assert signed.status == 302 and signed.getheader("Location") == "/", signed.read()[:300]
        inbox = ask("GET", "/", cookie=signed.getheader("Set-Cookie").split(";")[0])
        assert inbox.status == 200 and "线索 Inbox" in inbox.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_demo_shows_a_fake_number_and_a_related_entity_each_with_its_reason(demo):
    _, out = demo
    fakes = out.split("\nFake customer-service contacts beside a mark (")[1].split("\nRelated to")[0]
    # the post that sells debt relief under 微众银行 with a 400 number that is not the bank's 95384
    assert "4006861234" in fakes and "不是官方" in fakes and "95384" in fakes
    # the bank's own notice gives 95384 only: not a fake contact
    assert "谨防冒充客服诈骗" not in fakes
    related = out.split("\nRelated to the confirmed imitator, whatever their names (")[1].split("\nDatabase:")[0]
    assert "鑫诚信用管理（武汉）有限公司" in related  # no mark in its name
    assert "周某明" in related  # the shared legal representative is the reason given
