"""Alerts against real servers on 127.0.0.1: robots and a webhook over HTTP, e-mail through aiosmtpd.

Time is passed in (``now``), so backoff and rate limits are tested without waiting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import ssl
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

import pytest
import requests

from brandwatch.alerts import (
    AlertError,
    DeliveryError,
    DeliveryResult,
    Message,
    deliver,
    digest_message,
    queue_digest,
    queue_report,
    retry_delay,
    send_test,
)
from brandwatch.alerts.message import render_html, render_markdown, render_post, render_text
from brandwatch.config import AlertsSpec
from brandwatch.models import Hit, Listing
from brandwatch.store import Store

from .alert_servers import HostileSmtp, Request, RobotServer, SmtpSink, free_port, ok_json, self_signed
from .httpserver import Answer

NOW = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
OWNER = "深圳前海微众银行股份有限公司"

WECOM_KEY = "693a91f6-wecom-key-5f2a8c1d"
DING_TOKEN = "a1b2c3d4e5f6-ding-token-0987654321"
DING_SECRET = "SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c"
FEISHU_HOOK = "0f8e2d1c-4b5a-4c3d-9e8f-7a6b5c4d3e2f"
FEISHU_SECRET = "fs-HOyyTFJVwq05KjGwFR5isc"
HOOK_TOKEN = "hooktoken-7d1f9a3b5c"
HOOK_SECRET = "whsec-2b7e151628aed2a6abf7"
SMTP_USER = "alerts@webank.example"
SMTP_PASSWORD = "smtp-pass-9f8e7d6c5b"
SECRETS = (WECOM_KEY, DING_TOKEN, DING_SECRET, FEISHU_HOOK, FEISHU_SECRET, HOOK_TOKEN, HOOK_SECRET, SMTP_PASSWORD)

WECOM = {"name": "wecom-legal", "type": "wecom", "url_env": "WECOM_URL"}
DING = {"name": "dingtalk-ops", "type": "dingtalk", "url_env": "DING_URL", "secret_env": "DING_SECRET"}
FEISHU = {"name": "feishu-brand", "type": "feishu", "url_env": "FEISHU_URL", "secret_env": "FEISHU_SECRET"}
HOOK = {"name": "soc-hook", "type": "webhook", "url_env": "HOOK_URL", "secret_env": "HOOK_SECRET"}
CHANNELS = {"wecom": WECOM, "dingtalk": DING, "feishu": FEISHU, "webhook": HOOK}

# (listing name, severity, score, mark id, mark, rules, explanation)
THREE = [
    ("湖北微众森态信息科技集团有限公司", "high", 92, "weizhong", "微众", ("contains",),
     "字号「微众森态」包含商标「微众」，且同为信息科技行业"),
    ("维众金融信息服务（深圳）有限公司", "medium", 71, "weizhong", "微众", ("homophone",),
     "「维众」与「微众」同音（wéi zhòng），且经营金融相关业务"),
    ("微粒贷客服中心（武汉）有限公司", "medium", 78, "weilidai", "微粒贷", ("contains", "risk_term"),
     "字号含商标「微粒贷」与风险词「客服」"),
]
LOW = ("武汉维忠商贸有限公司", "low", 35, "weizhong", "微众", ("homophone",), "「维忠」与「微众」音近")


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def alerts(*channels: dict[str, Any]) -> AlertsSpec:
    return AlertsSpec.model_validate({"channels": list(channels)})


def add_hits(store: Store, rows: list[tuple[Any, ...]]) -> list[int]:
    ids = []
    first = store.counts()["listings"]
    with store.transaction():
        for i, (name, severity, score, mark_id, mark, rules, explanation) in enumerate(rows, start=first):
            key = f"91420100MA4K{i:06d}"
            listing = Listing("gsxt", key, "company", name, f"https://gsxt.example/corp/{key}",
                              (("status", "存续"), ("统一社会信用代码", key)))
            saved = store.save_listing(listing, now=stamp(NOW))
            store.save_hits(saved.id, [Hit(mark_id, mark, OWNER, score, severity, rules, mark, explanation)],
                            now=stamp(NOW))
            ids += store.hit_ids_for_listing(saved.id)
    return ids


def many(high: int, medium: int, low: int = 0) -> list[tuple[Any, ...]]:
    out = []
    for severity, n, score in (("high", high, 90), ("medium", medium, 70), ("low", low, 30)):
        for i in range(n):
            out.append((f"湖北微众森态{severity}{i}号信息科技有限公司", severity, score, "weizhong", "微众",
                        ("contains",), f"字号含商标「微众」（第 {i} 例）"))
    return out


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "bw.db") as s:
        yield s


@pytest.fixture(scope="module")
def robot_server():
    server = RobotServer()
    yield server
    server.close()


@pytest.fixture
def robot(robot_server):
    robot_server.reset()
    return robot_server


@pytest.fixture
def session():
    s = requests.Session()
    s.trust_env = False  # never through a proxy from the environment: these servers are on 127.0.0.1
    yield s
    s.close()


@pytest.fixture
def env(robot):
    return {
        "WECOM_URL": f"{robot.url}/cgi-bin/webhook/send?key={WECOM_KEY}",
        "DING_URL": f"{robot.url}/robot/send?access_token={DING_TOKEN}",
        "DING_SECRET": DING_SECRET,
        "FEISHU_URL": f"{robot.url}/open-apis/bot/v2/hook/{FEISHU_HOOK}",
        "FEISHU_SECRET": FEISHU_SECRET,
        "HOOK_URL": f"{robot.url}/brandwatch/alerts?token={HOOK_TOKEN}",
        "HOOK_SECRET": HOOK_SECRET,
        "SMTP_USER": SMTP_USER,
        "SMTP_PASSWORD": SMTP_PASSWORD,
    }


@pytest.fixture
def sink():
    s = SmtpSink(logins={SMTP_USER: SMTP_PASSWORD})
    yield s
    s.close()


def mail_channel(sink: SmtpSink, **extra: Any) -> dict[str, Any]:
    return {"name": "legal-mail", "type": "smtp", "host": "127.0.0.1", "port": sink.port, "security": "none",
            "username_env": "SMTP_USER", "password_env": "SMTP_PASSWORD",
            "sender": "brandwatch <alerts@webank.example>", "to": ["法务部 <legal@webank.example>"], **extra}


# -- the digest --------------------------------------------------------------------------------------------------


def test_one_digest_per_channel_per_run_however_many_hits(store):
    add_hits(store, many(high=10, medium=15, low=5))
    spec = alerts(WECOM, {**FEISHU, "min_severity": "high"})
    assert queue_digest(store, spec, NOW) == 2
    rows = store.outbox()
    assert [(r["channel"], r["kind"], len(r["payload"]["hits"])) for r in rows] == [
        ("wecom-legal", "digest", 25), ("feishu-brand", "digest", 10)]
    assert rows[0]["subject"] == "brandwatch：25 条新线索（高 high 10，中 medium 15）"
    assert rows[1]["subject"] == "brandwatch：10 条新线索（高 high 10）"
    assert queue_digest(store, spec, later(60)) == 0  # nothing new: no second digest
    assert {r.severity for r in store.hit_records() if r.alerted_at is None} == {"low"}

    add_hits(store, many(high=0, medium=1))  # a new medium hit: only the channel that takes medium hears of it
    assert queue_digest(store, spec, later(120)) == 1
    assert [(r["channel"], r["subject"]) for r in store.outbox()][2:] == [
        ("wecom-legal", "brandwatch：1 条新线索（中 medium 1）")]


@pytest.mark.parametrize("min_severity, names, subject, unalerted", [
    ("medium", [THREE[0][0], THREE[2][0], THREE[1][0]], "brandwatch：3 条新线索（高 high 1，中 medium 2）", {"low"}),
    ("high", [THREE[0][0]], "brandwatch：1 条新线索（高 high 1）", {"medium", "low"}),
])
def test_min_severity_decides_what_a_channel_gets(store, min_severity, names, subject, unalerted):
    add_hits(store, [*THREE, LOW])
    assert queue_digest(store, alerts({**WECOM, "min_severity": min_severity}), NOW) == 1
    [row] = store.outbox()
    assert row["subject"] == subject
    assert [h["name"] for h in row["payload"]["hits"]] == names  # most severe first, then by score
    # a hit no channel took waits for one that does
    assert {r.severity for r in store.hit_records() if r.alerted_at is None} == unalerted


def test_no_channels_queues_nothing_and_marks_nothing(store):
    add_hits(store, THREE)
    assert queue_digest(store, alerts(), NOW) == 0
    assert store.outbox(pending_only=False) == [] and len(store.unalerted_hits()) == 3


def test_each_line_names_severity_name_mark_rule_explanation_source_url_and_id(store):
    ids = add_hits(store, THREE)
    rows = store.hit_records(ids=ids)
    message = digest_message(rows)
    assert message is not None
    text = render_text(message)
    line = next(x for x in text.splitlines() if "维众金融" in x)
    key = rows[1].listing.key
    for part in ("【中 medium】维众金融信息服务（深圳）有限公司", "商标「微众」", "规则 homophone 同音",
                 "说明：「维众」与「微众」同音（wéi zhòng），且经营金融相关业务",
                 f"来源 gsxt（统一社会信用代码 {key}）", f"https://gsxt.example/corp/{key}", f"线索 #{ids[1]}"):
        assert part in line, part
    markdown = render_markdown(message, 4096, flavor="wecom")
    assert f"[打开来源](https://gsxt.example/corp/{key})" in markdown
    assert '<font color="warning">【高 high】</font>**湖北微众森态信息科技集团有限公司**' in markdown


@pytest.mark.parametrize("hits, max_bytes", [(3, 4096), (200, 4096), (200, 1000), (40, 300), (500, 20_000)])
def test_markdown_fits_the_robot_and_says_how_many_were_left_out(store, hits, max_bytes):
    rows = many(high=hits // 2, medium=hits - hits // 2)
    rows[-1] = (rows[-1][0] + "🐉" * 50, *rows[-1][1:6], "说明" * 400)  # 4-byte characters, a long explanation
    store_ids = add_hits(store, rows)
    message = digest_message(store.hit_records(ids=store_ids))
    assert message is not None
    for flavor in ("wecom", "dingtalk", "plain"):
        text = render_markdown(message, max_bytes, flavor=flavor)
        assert len(text.encode("utf-8")) <= max_bytes
        shown = text.count("线索 #")
        if shown == hits:
            assert "未列出" not in text
        else:
            assert f"另有 {hits - shown} 条线索未列出" in text, text[-200:]
        assert shown >= 1 or max_bytes < 1000  # a line is about 250 bytes: a tiny budget shows only the count


def test_feishu_post_fits_twenty_kilobytes(store):
    add_hits(store, many(high=250, medium=250))
    message = digest_message(store.hit_records())
    assert message is not None
    post = render_post(message, 18_000)
    content = post["post"]["zh_cn"]["content"]
    shown = sum(1 for p in content if p[-1]["text"].startswith("线索 #"))
    assert len(json.dumps(post, ensure_ascii=False).encode()) < 20_000
    assert content[-1][0]["text"].startswith(f"……另有 {500 - shown} 条线索未列出")


@pytest.mark.parametrize("name, url, shown, hidden", [
    ("<b>微众</b>金融", "javascript:alert(1)", ["&lt;b&gt;微众&lt;/b&gt;金融"], ["<b>微众", "javascript:"]),
    ("微众 & 微粒贷\"客服\"", "https://example.com/a?b=1&c=2", ["微众 &amp; 微粒贷&#34;客服&#34;",
                                                              'href="https://example.com/a?b=1&amp;c=2"'], []),
])
def test_email_html_escapes_names_and_links_only_to_the_web(name, url, shown, hidden):
    hit = {"id": 7, "severity": "high", "score": 90, "name": name, "mark": "微众", "rule": "contains",
           "explanation": "…", "source": "gsxt", "url": url, "fields": {}}
    html = render_html(Message("digest", "brandwatch：1 条新线索（高 high 1）", (hit,)))
    assert "<td>高 high</td>" in html and "<td>contains 包含</td>" in html  # labels beside the codes
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html
    assert ("[打开来源]" in render_markdown(Message("digest", "s", (hit,)), 4096)) == url.startswith("https:")


def test_an_unreadable_payload_is_kept_and_reported(robot, store, env, session):
    store.enqueue("wecom-legal", "digest", "brandwatch：1 条新线索（高 high 1）", {"version": 99}, stamp(NOW))
    result = deliver(store, alerts(WECOM), env=env, now=NOW, session=session)
    assert (result.failed, robot.requests) == (1, [])
    assert "has a payload this brandwatch cannot read" in store.outbox()[0]["last_error"]


# -- each channel type, on the wire ------------------------------------------------------------------------------


def _delivered(robot: RobotServer, store: Store, channel: dict[str, Any], env: dict[str, str],
               session: requests.Session) -> Request:
    add_hits(store, THREE)
    spec = alerts(channel)
    assert queue_digest(store, spec, NOW) == 1
    assert deliver(store, spec, env=env, now=NOW, session=session) == DeliveryResult(sent=1)
    assert store.outbox() == []
    [request] = robot.requests
    return request


def test_wecom_posts_markdown_to_the_robot(robot, store, env, session):
    request = _delivered(robot, store, WECOM, env, session)
    assert request.path == "/cgi-bin/webhook/send" and request.query == {"key": [WECOM_KEY]}
    body = request.json()
    assert body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert content.startswith("### brandwatch：3 条新线索（高 high 1，中 medium 2）")
    assert "湖北微众森态信息科技集团有限公司" in content and content.count("线索 #") == 3


def test_wecom_cuts_a_long_digest_to_4096_bytes(robot, store, env, session):
    add_hits(store, many(high=80, medium=120))
    spec = alerts(WECOM)
    queue_digest(store, spec, NOW)
    assert deliver(store, spec, env=env, now=NOW, session=session).sent == 1
    content = robot.requests[0].json()["markdown"]["content"]
    shown = content.count("线索 #")
    assert len(content.encode()) <= 4096 and 5 < shown < 200
    assert f"另有 {200 - shown} 条线索未列出" in content


def _dingtalk_sign(secret: str, timestamp: str) -> str:
    # DingTalk's documented algorithm, written out here independently of brandwatch's
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _dingtalk_robot(request: Request) -> Answer:
    """Answers like DingTalk: 310000 unless the signature in the query matches, within the hour."""
    timestamp, sign = request.query.get("timestamp", [""])[0], request.query.get("sign", [""])[0]
    fresh = timestamp.isdigit() and abs(int(timestamp) - time.time() * 1000) < 3_600_000
    if fresh and hmac.compare_digest(sign, _dingtalk_sign(DING_SECRET, timestamp)):
        return ok_json({"errcode": 0, "errmsg": "ok"})
    return ok_json({"errcode": 310000, "errmsg": "sign not match"})


def test_dingtalk_signature_is_recomputed_by_the_robot(robot, store, env, session):
    robot.answer = _dingtalk_robot
    request = _delivered(robot, store, DING, env, session)
    assert request.path == "/robot/send"
    assert request.query["access_token"] == [DING_TOKEN]  # merged with the signature, not replaced
    timestamp = request.query["timestamp"][0]
    assert abs(int(timestamp) - time.time() * 1000) < 10_000  # milliseconds
    assert f"&sign={quote_plus(_dingtalk_sign(DING_SECRET, timestamp))}" in robot.raw_paths[0]
    body = request.json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "brandwatch：3 条新线索（高 high 1，中 medium 2）"
    assert "微粒贷客服中心（武汉）有限公司" in body["markdown"]["text"]


def test_dingtalk_wrong_secret_is_refused_and_kept(robot, store, env, session):
    robot.answer = _dingtalk_robot
    add_hits(store, THREE)
    spec = alerts(DING)
    queue_digest(store, spec, NOW)
    result = deliver(store, spec, env={**env, "DING_SECRET": "SECnot-the-robots-secret"}, now=NOW, session=session)
    assert (result.sent, result.failed) == (0, 1)
    [row] = store.outbox()
    assert row["attempts"] == 1 and "errcode 310000" in row["last_error"]
    assert row["next_attempt_at"] == stamp(later(3600))  # permanent until fixed: the longest backoff


def _feishu_sign(secret: str, timestamp: str) -> str:
    # Feishu's documented algorithm: the string is the HMAC key, the message is empty
    return base64.b64encode(hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()


def test_feishu_signature_in_the_body_matches(robot, store, env, session):
    robot.answers = [ok_json({"code": 0, "msg": "success", "data": {}})]
    request = _delivered(robot, store, FEISHU, env, session)
    assert request.path == f"/open-apis/bot/v2/hook/{FEISHU_HOOK}"
    body = request.json()
    assert isinstance(body["timestamp"], str) and abs(int(body["timestamp"]) - time.time()) < 10  # seconds
    assert body["sign"] == _feishu_sign(FEISHU_SECRET, body["timestamp"])
    assert body["sign"] != _dingtalk_sign(FEISHU_SECRET, body["timestamp"])  # not DingTalk's algorithm
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "brandwatch：3 条新线索（高 high 1，中 medium 2）" and len(post["content"]) == 3
    assert {"tag": "a", "text": "打开来源", "href": store.hit_records()[0].listing.url} in post["content"][0]


def test_webhook_posts_structured_json_signed(robot, store, env, session):
    robot.answers = [Answer(204)]
    request = _delivered(robot, store, HOOK, env, session)
    expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Brandwatch-Signature"] == expected
    doc = request.json()
    assert doc["kind"] == "digest" and doc["version"] == 1
    assert doc["subject"] == "brandwatch：3 条新线索（高 high 1，中 medium 2）"
    assert doc["counts"] == {"high": 1, "medium": 2}
    assert sorted(h["id"] for h in doc["hits"]) == sorted(r.id for r in store.hit_records())
    assert doc["hits"][0]["fields"]["统一社会信用代码"] == doc["hits"][0]["key"]


# -- answers: delivered, throttled, refused ----------------------------------------------------------------------

# (channel type, the service's answer, outcome, seconds until the next attempt, what the error says)
ANSWERS = [
    ("wecom", ok_json({"errcode": 0, "errmsg": "ok"}), "sent", None, ""),
    ("wecom", ok_json({"errcode": 45009, "errmsg": "api freq out of limit"}), "deferred", 60, "errcode 45009"),
    ("wecom", ok_json({"errcode": 93000, "errmsg": "invalid webhook url"}), "failed", 3600, "errcode 93000"),
    ("wecom", Answer(502, b"<html>bad gateway</html>"), "failed", 60, "HTTP 502"),
    ("wecom", Answer(200, b"<html>portal login</html>"), "failed", 60, "without a result code"),
    ("dingtalk", ok_json({"errcode": 130101, "errmsg": "send too fast"}), "deferred", 600, "errcode 130101"),
    ("dingtalk", ok_json({"errcode": 310000, "errmsg": "keywords not in content"}), "failed", 3600,
     "errcode 310000"),
    ("feishu", ok_json({"code": 0, "msg": "success", "data": {}}), "sent", None, ""),
    ("feishu", ok_json({"StatusCode": 0, "StatusMessage": "success"}), "sent", None, ""),
    ("feishu", ok_json({"code": 11232, "msg": "frequency limited psm"}), "deferred", 60, "code 11232"),
    ("feishu", ok_json({"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}), "failed",
     3600, "code 19021"),
    ("feishu", ok_json({"code": 9499, "msg": "Bad Request"}, status=400), "failed", 3600, "code 9499"),
    ("webhook", Answer(200, b"{}"), "sent", None, ""),
    ("webhook", Answer(429, headers={"Retry-After": "120"}), "deferred", 120, "HTTP 429"),
    ("webhook", Answer(429), "deferred", 60, "HTTP 429"),
    ("webhook", Answer(503, headers={"Retry-After": "30"}), "deferred", 30, "HTTP 503"),
    ("webhook", Answer(500, b"oops"), "failed", 60, "HTTP 500"),
    ("webhook", Answer(404, b"no such hook"), "failed", 3600, "HTTP 404: no such hook"),
]


@pytest.mark.parametrize("kind, answer, outcome, wait, says", ANSWERS)
def test_answers_decide_sent_deferred_or_failed(robot, store, env, session, kind, answer, outcome, wait, says):
    robot.answers = [answer]
    add_hits(store, THREE)
    spec = alerts(CHANNELS[kind])
    queue_digest(store, spec, NOW)
    result = deliver(store, spec, env=env, now=NOW, session=session)
    assert (result.sent, result.failed, result.deferred) == (
        int(outcome == "sent"), int(outcome == "failed"), int(outcome == "deferred"))
    [row] = store.outbox(pending_only=False)
    assert row["attempts"] == 1
    if outcome == "sent":
        assert row["sent_at"] == stamp(NOW) and row["last_error"] == ""
    else:
        assert row["sent_at"] is None  # kept, never dropped
        assert row["next_attempt_at"] == stamp(later(wait))
        assert says in row["last_error"] and row["last_error"].startswith(CHANNELS[kind]["name"] + ": ")
        assert row["last_error"] in result.problems


def test_a_failed_message_is_retried_after_its_backoff_then_sent(robot, store, env, session):
    robot.answers = [Answer(500), Answer(500), Answer(200)]
    add_hits(store, THREE)
    spec = alerts(HOOK)
    queue_digest(store, spec, NOW)
    steps = [  # (seconds after NOW, result, attempts, next attempt in seconds after NOW)
        (0, DeliveryResult(failed=1), 1, 60),
        (59, DeliveryResult(), 1, 60),  # not due yet: untouched
        (60, DeliveryResult(failed=1), 2, 60 + 120),  # the backoff doubles
        (179, DeliveryResult(), 2, 180),
        (180, DeliveryResult(sent=1), 3, 180),
    ]
    for seconds, expected, attempts, next_at in steps:
        result = deliver(store, spec, env=env, now=later(seconds), session=session)
        assert (result.sent, result.failed, result.deferred) == (expected.sent, expected.failed, expected.deferred)
        [row] = store.outbox(pending_only=False)
        assert (row["attempts"], row["next_attempt_at"]) == (attempts, stamp(later(next_at))), seconds
    assert row["sent_at"] == stamp(later(180)) and row["last_error"] == ""
    assert len(robot.requests) == 3


@pytest.mark.parametrize("attempts, error, wait", [
    (0, DeliveryError("x"), timedelta(minutes=1)),
    (1, DeliveryError("x"), timedelta(minutes=2)),
    (5, DeliveryError("x"), timedelta(minutes=32)),
    (6, DeliveryError("x"), timedelta(hours=1)),  # capped
    (400, DeliveryError("x"), timedelta(hours=1)),
    (0, DeliveryError("x", permanent=True), timedelta(hours=1)),
    (3, DeliveryError("x", retry_after=7), timedelta(seconds=7)),  # the service said when
    (3, DeliveryError("x", retry_after=0), timedelta(seconds=1)),
    (0, DeliveryError("x", retry_after=10 ** 9), timedelta(hours=24)),
])
def test_retry_delay(attempts, error, wait):
    assert retry_delay(attempts, error) == wait


def test_a_throttle_holds_the_channels_other_messages_without_an_attempt(robot, store, env, session):
    robot.answers = [ok_json({"errcode": 45009, "errmsg": "api freq out of limit"}), ok_json({"errcode": 0})]
    spec = alerts(WECOM)
    for week in (21, 22, 23):
        queue_report(store, spec, f"brandwatch 周报 2025-W{week}", f"# 第 {week} 周\n\n新线索 3 条", now=NOW)
    assert deliver(store, spec, env=env, now=NOW, session=session) == DeliveryResult(
        deferred=3, problems=(store.outbox()[0]["last_error"],))
    assert [r["attempts"] for r in store.outbox()] == [1, 0, 0] and len(robot.requests) == 1
    assert deliver(store, spec, env=env, now=later(30), session=session).sent == 2  # the others go on
    assert deliver(store, spec, env=env, now=later(60), session=session).sent == 1
    assert store.outbox() == []


@pytest.mark.parametrize("rate, queued", [(20, 25), (3, 5)])
def test_rate_limit_caps_messages_per_channel_per_minute(robot, store, env, session, rate, queued):
    spec = alerts({**HOOK, "rate_per_minute": rate}, WECOM)
    for i in range(queued):
        queue_report(store, spec, f"brandwatch 周报 #{i}", "本周无新线索", channels=["soc-hook"], now=NOW)
    queue_report(store, spec, "brandwatch 周报（企业微信）", "本周无新线索", channels=["wecom-legal"], now=NOW)
    robot.answer = lambda r: ok_json({"errcode": 0}) if r.path.startswith("/cgi-bin") else Answer(200, b"{}")

    assert deliver(store, spec, env=env, now=NOW, session=session) == DeliveryResult(sent=rate + 1,
                                                                                   deferred=queued - rate)
    waiting = store.outbox()
    assert len(waiting) == queued - rate and all(r["attempts"] == 0 for r in waiting)  # deferred, not attempted
    assert [r.json()["subject"] for r in robot.requests if r.path == "/brandwatch/alerts"] == [
        f"brandwatch 周报 #{i}" for i in range(rate)]  # oldest first
    assert deliver(store, spec, env=env, now=later(59), session=session) == DeliveryResult(deferred=queued - rate)
    assert deliver(store, spec, env=env, now=later(61), session=session) == DeliveryResult(sent=queued - rate)
    assert store.outbox() == []


def test_network_errors_and_timeouts_are_retried(robot, store, env, session):
    robot.answers = [Answer(200, b"{}", delay=1.0)]
    spec = alerts({**HOOK, "timeout": 0.2}, {**WECOM, "name": "wecom-down"})
    closed = f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key={WECOM_KEY}"
    queue_report(store, spec, "brandwatch 周报", "本周无新线索", now=NOW)
    result = deliver(store, spec, env={**env, "WECOM_URL": closed}, now=NOW, session=session)
    assert (result.sent, result.failed) == (0, 2)
    errors = {r["channel"]: r for r in store.outbox()}
    assert "could not reach the webhook (ReadTimeout" in errors["soc-hook"]["last_error"]
    assert "could not reach the WeCom robot (ConnectionError" in errors["wecom-down"]["last_error"]
    assert all(r["next_attempt_at"] == stamp(later(60)) for r in errors.values())


HOSTILE_ROBOTS = [
    ("wecom", Answer(200, b'{"errcode": 0, "errmsg": "ok"}', drip=0.3), "gave no complete answer within 1 s"),
    ("dingtalk", Answer(200, b'{"errcode": 0}', drip=0.3, drip_head=True), "gave no complete answer within 1 s"),
    ("feishu", Answer(200, b'{"code": 0, "msg": "', endless=True), "answered more than 65536 bytes"),
    ("webhook", Answer(200, b"{}", headers={"Content-Length": "999999999"}), "answered more than 65536 bytes"),
]


@pytest.mark.parametrize(("kind", "answer", "says"), HOSTILE_ROBOTS, ids=[h[0] for h in HOSTILE_ROBOTS])
def test_a_robot_that_drips_or_floods_costs_its_deadline(robot, store, env, session, kind, answer, says):
    robot.answers = [answer]
    spec = alerts({**CHANNELS[kind], "timeout": 1, "deadline": 1})  # a read waits at most 1 s: never reached
    queue_report(store, spec, "brandwatch 周报", "本周无新线索", now=NOW)
    result = deliver(store, spec, env=env, now=NOW, session=session)
    assert (result.sent, result.failed) == (0, 1)
    [row] = store.outbox()
    assert says in row["last_error"] and row["last_error"].endswith("will retry")
    assert row["next_attempt_at"] == stamp(later(60)) and row["sent_at"] is None  # kept, backed off
    assert answer.sent[0] < (20 if answer.drip else 64 * 1024 * 1024)


@pytest.mark.parametrize(("mode", "says"), [
    ("drip", "did not finish the conversation within 1 s (the channel's deadline"),
    ("endless", "the server's reply runs past 65536 bytes"),
    ("drip_data", "did not finish the conversation within 1 s"),  # "250 que" cut by the deadline is no "queued"
])
def test_an_smtp_server_that_drips_or_floods_costs_its_deadline(store, env, mode, says):
    server = HostileSmtp(mode)
    try:
        channel = {"name": "legal-mail", "type": "smtp", "host": "127.0.0.1", "port": server.port,
                   "security": "none", "sender": "a@webank.example", "to": ["b@webank.example"],
                   "timeout": 1, "deadline": 1}
        spec = alerts(channel)
        queue_report(store, spec, "brandwatch 周报", "本周无新线索", now=NOW)
        assert deliver(store, spec, env=env, now=NOW).failed == 1
        [row] = store.outbox()
        assert says in row["last_error"] and row["last_error"].endswith("will retry")
        assert server.sent < (16 * 1024 * 1024 if mode == "endless" else 20)
    finally:
        server.close()


# -- configuration problems ------------------------------------------------------------------------------------------

MISSING = [
    (WECOM, {}, "alerts.channels[0] (wecom-legal): environment variable WECOM_URL is not set; export it with the "
                "robot's webhook URL"),
    (WECOM, {"WECOM_URL": "  "}, "alerts.channels[0] (wecom-legal): environment variable WECOM_URL is not set; "
                                 "export it with the robot's webhook URL"),
    (WECOM, {"WECOM_URL": "qyapi.weixin.qq.com/cgi-bin/webhook/send"},
     "alerts.channels[0] (wecom-legal): environment variable WECOM_URL does not hold an http(s) URL; export it "
     "with the robot's webhook URL"),
    (DING, {"DING_URL": "https://oapi.dingtalk.com/robot/send?access_token=x"},
     "alerts.channels[0] (dingtalk-ops): environment variable DING_SECRET is not set; export it with the robot's "
     "加签 secret (SEC…), or remove secret_env from the channel"),
    ({"name": "legal-mail", "type": "smtp", "host": "smtp.example", "sender": "a@b.example", "to": ["c@d.example"],
      "username_env": "SMTP_USER", "password_env": "SMTP_PASSWORD"}, {"SMTP_USER": SMTP_USER},
     "alerts.channels[0] (legal-mail): environment variable SMTP_PASSWORD is not set; export it with the SMTP "
     "password (or the mailbox's authorisation code, 授权码)"),
]


@pytest.mark.parametrize("channel, env, error", MISSING)
def test_a_missing_environment_variable_names_channel_variable_and_fix(store, session, channel, env, error):
    spec = alerts(channel)
    with pytest.raises(AlertError) as e:
        send_test(spec, channel["name"], env=env, session=session)
    assert str(e.value) == error
    # in delivery the message waits, unattempted, and the problem is reported
    queue_report(store, spec, "brandwatch 周报", "本周无新线索", now=NOW)
    assert deliver(store, spec, env=env, now=NOW, session=session) == DeliveryResult(deferred=1, problems=(error,))
    assert store.outbox()[0]["attempts"] == 0


NOT_ASCII = [  # smtplib sends a login as ASCII: anything else was a UnicodeEncodeError traceback mid-delivery
    ({"SMTP_USER": SMTP_USER, "SMTP_PASSWORD": "pässwörd-2026"}, "SMTP_PASSWORD",
     "export it with an ASCII password, or the mailbox's authorisation code (授权码), which is ASCII"),
    ({"SMTP_USER": SMTP_USER, "SMTP_PASSWORD": "口令口令口令"}, "SMTP_PASSWORD",
     "export it with an ASCII password, or the mailbox's authorisation code (授权码), which is ASCII"),
    ({"SMTP_USER": "法务部@webank.example", "SMTP_PASSWORD": SMTP_PASSWORD}, "SMTP_USER",
     "export it with the ASCII login name the mail server gave"),
]


@pytest.mark.parametrize("env, variable, fix", NOT_ASCII)
def test_a_login_smtp_cannot_send_is_one_line_naming_the_variable(store, sink, env, variable, fix):
    channel = mail_channel(sink)
    spec = alerts(channel)
    error = (f"alerts.channels[0] (legal-mail): environment variable {variable} holds characters other than "
             f"ASCII, which an SMTP login cannot carry; {fix}")
    with pytest.raises(AlertError) as e:
        send_test(spec, channel["name"], env=env)
    assert str(e.value) == error and env[variable] not in error
    queue_report(store, spec, "brandwatch 周报", "本周无新线索", now=NOW)
    assert deliver(store, spec, env=env, now=NOW) == DeliveryResult(deferred=1, problems=(error,))
    assert sink.tried_logins == []  # refused before connecting


@pytest.mark.parametrize("name, error", [
    ("nope", "alerts.channels: there is no channel 'nope'; the channels are: wecom-legal"),
])
def test_an_unknown_channel_is_named(store, name, error):
    spec = alerts(WECOM)
    with pytest.raises(AlertError, match=f"^{error}$"):
        send_test(spec, name, env={})
    with pytest.raises(AlertError, match=f"^{error}$"):
        queue_report(store, spec, "周报", "…", channels=[name], now=NOW)
    assert store.outbox(pending_only=False) == []


def test_a_message_for_a_channel_no_longer_configured_stays_and_is_reported(robot, store, env, session):
    store.enqueue("old-robot", "report", "brandwatch 周报", Message("report", "brandwatch 周报", text="…").to_payload(),
                  stamp(NOW))
    result = deliver(store, alerts(WECOM), env=env, now=NOW, session=session)
    assert result == DeliveryResult(deferred=1, problems=(
        "outbox: 1 message(s) for channel 'old-robot' are waiting, but alerts.channels has no such channel; "
        "add it back to config.yaml to deliver them",))
    [row] = store.outbox()
    assert row["attempts"] == 0 and robot.requests == []


def test_send_test_reaches_the_channel(robot, env, session):
    send_test(alerts(WECOM), "wecom-legal", env=env, session=session)
    content = robot.requests[0].json()["markdown"]["content"]
    assert "测试消息" in content and "（示例）" in content
    robot.answers = [ok_json({"errcode": 93000, "errmsg": f"invalid webhook url, key={WECOM_KEY}"})]
    with pytest.raises(DeliveryError, match="errcode 93000") as e:
        send_test(alerts(WECOM), "wecom-legal", env=env, session=session)
    assert e.value.permanent and WECOM_KEY not in str(e.value)


# -- secrets -------------------------------------------------------------------------------------------------------


def _echo(request: Request) -> Answer:
    """A hostile or careless service: refuses the message, repeating everything it was sent."""
    body = request.json() if request.body else {}
    echo = (f"bad request {request.raw_path} sign={body.get('sign')} "
            f"signature={request.headers.get('X-Brandwatch-Signature')} url={request.raw_path}")
    return ok_json({"errcode": 40001, "code": 40001, "errmsg": echo, "msg": echo}, status=400)


def test_secrets_never_reach_the_outbox_errors_or_logs(robot, store, env, session, caplog):
    robot.answer = _echo
    wrong_login = SmtpSink(logins={SMTP_USER: "the-real-password-is-different"})
    try:
        spec = alerts(WECOM, DING, FEISHU, HOOK, {**WECOM, "name": "wecom-closed", "url_env": "CLOSED_URL"},
                      mail_channel(wrong_login))
        env = {**env, "CLOSED_URL": f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key={WECOM_KEY}"}
        add_hits(store, THREE)
        queue_digest(store, spec, NOW)
        with caplog.at_level(logging.INFO, logger="brandwatch"):
            result = deliver(store, spec, env=env, now=NOW, session=session)
    finally:
        wrong_login.close()
    assert result.failed == 6 and set(wrong_login.tried_logins) == {(SMTP_USER, SMTP_PASSWORD)}
    # the signatures brandwatch made are secrets too: collect them from what the services received
    signs = [s for r in robot.requests for s in (r.query.get("sign", [""])[0], r.json().get("sign", ""),
                                                 r.headers.get("X-Brandwatch-Signature", "")) if s]
    assert len(signs) == 3
    table = json.dumps(store.db.execute("SELECT * FROM outbox").fetchall(), ensure_ascii=False)
    seen = "\n".join([table, *result.problems, caplog.text])
    for secret in [*SECRETS, *signs, *(quote_plus(s) for s in signs)]:
        assert secret not in seen, secret
    errors = {r["channel"]: r["last_error"] for r in store.outbox()}
    for name in ("wecom-legal", "dingtalk-ops", "feishu-brand", "soc-hook", "wecom-closed"):
        assert "***" in errors[name], errors[name]
    assert "refused the login of alerts@webank.example" in errors["legal-mail"]


# -- crash safety ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("crash", ["after marking", "after the first enqueue"])
def test_a_crash_while_queueing_leaves_no_message_and_no_mark(store, monkeypatch, crash):
    add_hits(store, THREE)
    spec = alerts(WECOM, FEISHU)
    real_enqueue, real_mark = store.enqueue, store.mark_alerted
    calls: list[int] = []

    def enqueue(*args: Any, **kwargs: Any) -> int:
        calls.append(real_enqueue(*args, **kwargs))
        if crash == "after the first enqueue" and len(calls) == 1:
            raise RuntimeError("power cut")
        return calls[-1]

    def mark_alerted(*args: Any, **kwargs: Any) -> None:
        real_mark(*args, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "enqueue", enqueue)
    monkeypatch.setattr(store, "mark_alerted", mark_alerted)
    with pytest.raises(RuntimeError, match="power cut"):
        queue_digest(store, spec, NOW)
    assert calls  # the row was written, inside the transaction …
    assert store.outbox(pending_only=False) == []  # … and rolled back with it
    assert len(store.unalerted_hits()) == 3
    monkeypatch.undo()
    assert queue_digest(store, spec, NOW) == 2 and store.unalerted_hits() == []  # the next run sends it, once


# -- e-mail --------------------------------------------------------------------------------------------------------


def test_email_digest_in_chinese_with_text_and_html(store, sink, env):
    ids = add_hits(store, THREE)
    spec = alerts(mail_channel(sink))
    queue_digest(store, spec, NOW)
    assert deliver(store, spec, env=env, now=NOW) == DeliveryResult(sent=1)
    [mail] = sink.messages
    assert mail["Subject"] == "brandwatch：3 条新线索（高 high 1，中 medium 2）"
    assert sink.envelopes == [("alerts@webank.example", ["legal@webank.example"])]
    assert sink.tried_logins == [(SMTP_USER, SMTP_PASSWORD)]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    for i, (name, *_rest) in zip(ids, THREE, strict=True):
        assert name in text and f"线索 #{i}" in text and name in html
    assert "【高 high】湖北微众森态信息科技集团有限公司｜商标「微众」" in text
    assert "「维众」与「微众」同音" in html and "&lt;" not in text


def test_email_report_carries_its_attachment(store, sink, env, tmp_path):
    report = tmp_path / "brandwatch周报-2025-W23.html"
    report.write_text("<h1>brandwatch 周报 2025-W23</h1><p>新线索 3 条：湖北微众森态…</p>", encoding="utf-8")
    spec = alerts(mail_channel(sink), WECOM)
    assert queue_report(store, spec, "brandwatch 周报 2025-W23", "# 周报\n\n新线索 3 条", [report],
                        channels=["legal-mail"], now=NOW) == 1
    assert deliver(store, spec, env=env, now=NOW).sent == 1
    [mail] = sink.messages
    assert mail["Subject"] == "brandwatch 周报 2025-W23"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "brandwatch周报-2025-W23.html"
    assert attachment.get_payload(decode=True) == report.read_bytes()
    assert "新线索 3 条" in mail.get_body(("plain",)).get_content()


def test_a_missing_attachment_is_a_clear_error_kept_in_the_outbox(store, sink, env, tmp_path):
    report = tmp_path / "brandwatch周报-2025-W23.md"
    report.write_text("# 周报", encoding="utf-8")
    spec = alerts(mail_channel(sink))
    queue_report(store, spec, "brandwatch 周报 2025-W23", "# 周报", [report], now=NOW)
    report.unlink()
    assert deliver(store, spec, env=env, now=NOW) == DeliveryResult(failed=1, problems=(
        f"legal-mail: attachment {report} is missing (moved or deleted since the message was queued); put the "
        "file back, or write the report again",))
    [row] = store.outbox()
    assert row["attempts"] == 1 and row["next_attempt_at"] == stamp(later(3600)) and sink.messages == []
    report.write_text("# 周报", encoding="utf-8")
    assert deliver(store, spec, env=env, now=later(3600)).sent == 1


def test_queueing_a_report_whose_attachment_does_not_exist_is_refused(store, sink, tmp_path):
    with pytest.raises(AlertError, match=r"report attachment .*nope\.html does not exist; write the report"):
        queue_report(store, alerts(mail_channel(sink)), "周报", "…", [tmp_path / "nope.html"], now=NOW)


def test_a_report_to_a_robot_is_its_markdown_cut_to_size(robot, store, env, session, tmp_path):
    report = tmp_path / "brandwatch周报-2025-W23.html"
    report.write_text("<h1>周报</h1>", encoding="utf-8")
    text = "\n".join(f"- 湖北微众森态{i}号信息科技有限公司：仿冒「微众」，已确认" for i in range(300))
    spec = alerts(WECOM, FEISHU)
    queue_report(store, spec, "brandwatch 周报 2025-W23", text, [report], now=NOW)
    robot.answer = lambda r: ok_json({"code": 0} if "open-apis" in r.path else {"errcode": 0})
    assert deliver(store, spec, env=env, now=NOW, session=session).sent == 2
    wecom, feishu = sorted(robot.requests, key=lambda r: r.path)
    content = wecom.json()["markdown"]["content"]
    shown = content.count("- 湖北微众森态")
    assert len(content.encode()) <= 4096 and f"余下 {300 - shown} 行未列出" in content
    assert content.endswith("附件：brandwatch周报-2025-W23.html（见邮件或报告目录）")
    assert feishu.json()["msg_type"] == "text" and "湖北微众森态0号" in feishu.json()["content"]["text"]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls_verifies_the_certificate(store, env, tmp_path, monkeypatch, security):
    made = self_signed(tmp_path)
    if made is None:
        pytest.skip("the openssl command is not installed")
    cert, key = made
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    tls = SmtpSink(logins={SMTP_USER: SMTP_PASSWORD}, **{"starttls" if security == "starttls" else "implicit_tls":
                                                          server_context})
    try:
        spec = alerts(mail_channel(tls, security=security))
        queue_report(store, spec, "brandwatch 周报", "本周无新线索", now=NOW)
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        result = deliver(store, spec, env=env, now=NOW)  # a self-signed certificate is not trusted …
        assert result.failed == 1 and "the certificate is not trusted" in result.problems[0]
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # … until its CA is
        assert deliver(store, spec, env=env, now=later(3600)).sent == 1
    finally:
        tls.close()
    assert tls.messages[0]["Subject"] == "brandwatch 周报" and tls.tried_logins == [(SMTP_USER, SMTP_PASSWORD)]


# -- crawled text in a robot's Markdown is shown as text, never live ------------------------------------------------

HOSTILE = {"id": 7, "severity": "high", "score": 95, "mark": "微众", "rule": "contains", "source": "gsxt",
           "explanation": "字号「微众」包含商标「微众」", "url": "", "fields": {}}


# (the name a source gave, how the robot's Markdown shows it): links, images, headings, tags, mentions, emphasis
@pytest.mark.parametrize(("name", "shown"), [
    ("[微众客服](https://evil.example/x)", "［微众客服］(https://evil.example/x)"),
    ("![微众](https://evil.example/p.png)", "!［微众］(https://evil.example/p.png)"),
    ("微众\n### 官方客服\n> 请拨打", "微众 ### 官方客服 ＞ 请拨打"),
    ('<font color="warning">微众</font>', '＜font color="warning"＞微众＜/font＞'),
    ("微众 @all <@zhangsan>", "微众 ＠all ＜＠zhangsan＞"),
    ("微众**粗体** `代码` ~~删除~~ a\\*b &lt;", "微众＊＊粗体＊＊ ｀代码｀ ～～删除～～ a＼＊b ＆lt;"),
])
@pytest.mark.parametrize("flavor", ["wecom", "dingtalk"])
def test_markdown_shows_a_crawled_name_as_text(name, shown, flavor):
    hit = {**HOSTILE, "name": name, "fields": {"统一社会信用代码": "9142[x](y)"}}
    label = '<font color="warning">【高 high】</font>' if flavor == "wecom" else "【高 high】"
    sep = "\n\n" if flavor == "dingtalk" else "\n"
    assert render_markdown(Message("digest", "brandwatch：1 条新线索（高 1）", (hit,)), 4096, flavor=flavor) == (
        f"### brandwatch：1 条新线索（高 1）{sep}- {label}**{shown}**｜商标「微众」｜规则 contains 包含｜"
        "说明：字号「微众」包含商标「微众」｜来源 gsxt（统一社会信用代码 9142［x］(y)）｜线索 #7")


def test_markdown_link_to_a_source_cannot_be_broken_out_of():
    hit = {**HOSTILE, "name": "微众", "url": "https://gsxt.example/c?q=微众 (1)[x]<y>)](javascript:alert(1))"}
    line = render_markdown(Message("digest", "s", (hit,)), 4096).splitlines()[1]
    assert line.endswith("｜[打开来源](https://gsxt.example/c?q=%E5%BE%AE%E4%BC%97%20%281%29%5Bx%5D%3Cy%3E%29%5D"
                         "%28javascript:alert%281%29%29)｜线索 #7")


def test_a_report_to_a_robot_turns_its_escapes_into_inert_characters():
    """The report escapes names with backslashes (report/render.py); a robot that ignores them must not see a link."""
    text = ("**brandwatch 周报 2025-W23**\n"
            "- 高风险 High #3: \\[微众\\](https://evil.example) \\<font\\> a\\_b (微众, gsxt)")
    content = render_markdown(Message("report", "周报", text=text), 4096, flavor="wecom")
    assert content == ("### 周报\n**brandwatch 周报 2025-W23**\n"
                       "- 高风险 High #3: ［微众］(https://evil.example) ＜font＞ a_b (微众, gsxt)")
