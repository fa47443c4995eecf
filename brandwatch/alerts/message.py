"""Alert messages: what a digest or report says, and how each kind of channel shows it. Pure: no I/O.

A :class:`Message` is what the outbox keeps (as JSON, see :meth:`Message.to_payload`):
the subject, the hits in a stable shape, a report's Markdown, attachment paths.
It never holds a secret. Each channel renders it at delivery time, within its
own size limit; when the hits do not fit, whole lines are dropped from the end
and the message says how many were left out, so a truncated alert is never
mistaken for the full list.

The payload's shape is versioned (``"version": 1``); the generic webhook posts
the same shape, so a change to it is a new version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jinja2 import Environment

from ..labels import SEVERITY, rule_label, severity_label
from ..models import HitRecord

PAYLOAD_VERSION = 1
SEVERITY_LABELS = {s: severity_label(s) for s in SEVERITY}  # 高 high, 中 medium, 低 low (labels.py)
# the severities each ``min_severity`` lets through
SEVERITIES_FROM = {"high": ("high",), "medium": ("high", "medium")}
_RANK = {"high": 0, "medium": 1, "low": 2}
CREDIT_CODE = "统一社会信用代码"
# robots show one line per hit; a lawyer's full explanation goes by e-mail
ROBOT_EXPLANATION_CHARS = 160

# the hit fields a message carries (the stable payload schema, version 1)
HIT_FIELDS = ("id", "severity", "score", "name", "kind", "mark_id", "mark", "owner", "rule", "span", "explanation",
              "source", "key", "url", "fields", "first_seen", "capture_sha256", "capture_fetched_at")


@dataclass(frozen=True)
class Message:
    """One alert: a digest of new hits, a report, or a test message."""

    kind: str  # digest | report | test
    subject: str
    hits: tuple[Mapping[str, Any], ...] = ()
    text: str = ""  # a report's Markdown
    attachments: tuple[str, ...] = ()  # absolute paths; e-mail attaches them, robots name them

    @property
    def counts(self) -> dict[str, int]:
        out = {"high": 0, "medium": 0}
        for h in self.hits:
            out[h["severity"]] = out.get(h["severity"], 0) + 1
        return out

    def to_payload(self) -> dict[str, Any]:
        return {"version": PAYLOAD_VERSION, "kind": self.kind, "subject": self.subject, "counts": self.counts,
                "hits": [dict(h) for h in self.hits], "text": self.text, "attachments": list(self.attachments)}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Message:
        return cls(kind=payload["kind"], subject=payload["subject"], hits=tuple(payload.get("hits", ())),
                   text=payload.get("text", ""), attachments=tuple(payload.get("attachments", ())))


def hit_summary(row: HitRecord) -> dict[str, Any]:
    """A store hit record (``Store.hit_records``) → the fields an alert carries (kept as JSON in the outbox)."""
    capture = row.capture
    return {
        "id": row.id, "severity": row.severity, "score": row.score, "name": row.listing.name,
        "kind": row.listing.kind, "mark_id": row.mark_id, "mark": row.mark,
        "owner": row.owner, "rule": row.rule, "span": row.span, "explanation": row.explanation,
        "source": row.listing.source, "key": row.listing.key, "url": row.listing.url or "",
        "fields": dict(row.listing.fields), "first_seen": row.first_seen,
        "capture_sha256": capture.sha256 if capture else None,
        "capture_fetched_at": capture.fetched_at if capture else None,
    }


def digest_subject(counts: Mapping[str, int]) -> str:
    """``brandwatch：3 条新线索（高 1，中 2）``."""
    parts = "，".join(f"{SEVERITY_LABELS[s]} {n}" for s, n in counts.items() if n)
    return f"brandwatch：{sum(counts.values())} 条新线索（{parts}）"


def digest_message(rows: Iterable[HitRecord], min_severity: str = "medium") -> Message | None:
    """The digest of new hits a channel with this ``min_severity`` gets, most severe first; None if none."""
    wanted = SEVERITIES_FROM[min_severity]
    hits = sorted((hit_summary(r) for r in rows if r.severity in wanted),
                  key=lambda h: (_RANK.get(h["severity"], 9), -h["score"], h["id"]))
    if not hits:
        return None
    counts = {s: sum(1 for h in hits if h["severity"] == s) for s in wanted}
    return Message("digest", digest_subject(counts), tuple(hits))


# -- rendering -------------------------------------------------------------------------------------------------------


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _web_url(url: str) -> str:
    """A listing URL safe to make a link of (http and https only), '' otherwise."""
    return url if url.startswith(("http://", "https://")) else ""


def _md_url(url: str) -> str:
    """A URL as a Markdown link target: anything that could end the link or start markup percent-encoded."""
    return quote(" ".join(url.split()), safe=";/?:=&+$,-_.!'%#")


# The robots' Markdown (WeCom, DingTalk, a Feishu text) is an undocumented subset: whether it honours a
# backslash escape is not known, and where it does not, "\[x](y)" is still a live link. So text from a source
# is made inert with look-alike characters that no dialect reads as markup: no link, image, <font> or <@user>
# tag, emphasis, code, or @-mention can come from a crawled name. Newlines are folded, so nothing a name
# holds starts a line (a heading, a list, a quote).
_MD_INERT = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "@": "＠", "*": "＊", "`": "｀", "~": "～",
                           "\\": "＼", "&": "＆"})
# the report's Markdown escapes its values with backslashes (report/render.py, md_escape); for a robot those
# escaped characters become the same look-alikes, the report's own markup (**, -, ###) staying as it is
_MD_ESCAPED = re.compile(r"\\([\\`*_\[\]<>|~])")


def md_text(value: Any) -> str:
    """Untrusted text (a crawled name, an explanation quoting one) as inert Markdown for a robot, on one line."""
    return " ".join(str(value).split()).translate(_MD_INERT)


def _robot_report_line(line: str) -> str:
    return _MD_ESCAPED.sub(lambda m: m.group(1).translate(_MD_INERT), line)


def _facts(h: Mapping[str, Any], explanation_chars: int | None, text: Callable[[Any], str] = str) -> list[str]:
    """Mark, rule, explanation, source (with the credit code when the source gave one); ``text`` escapes a value."""
    explanation = h["explanation"] if explanation_chars is None else _short(h["explanation"], explanation_chars)
    source = f"来源 {text(h['source'])}"
    code = (h.get("fields") or {}).get(CREDIT_CODE)
    if code:
        source += f"（{CREDIT_CODE} {text(code)}）"
    return [f"商标「{text(h['mark'])}」", f"规则 {text(rule_label(h['rule']))}", f"说明：{text(explanation)}", source]


def hit_text(h: Mapping[str, Any], explanation_chars: int | None = None) -> str:
    """One hit as one plain line: severity, name, mark, rule, explanation, source, URL, hit id."""
    parts = [f"【{SEVERITY_LABELS.get(h['severity'], h['severity'])}】{h['name']}", *_facts(h, explanation_chars)]
    if h.get("url"):
        parts.append(h["url"])
    parts.append(f"线索 #{h['id']}")
    return "｜".join(parts)


# WeCom colours a few words: warning (orange) for high, comment (grey) for medium
_WECOM_COLOUR = {"high": "warning", "medium": "comment"}


def hit_markdown(h: Mapping[str, Any], flavor: str = "plain") -> str:
    label = f"【{SEVERITY_LABELS.get(h['severity'], h['severity'])}】"
    if flavor == "wecom":
        label = f'<font color="{_WECOM_COLOUR.get(h["severity"], "comment")}">{label}</font>'
    parts = [f"{label}**{md_text(h['name'])}**", *_facts(h, ROBOT_EXPLANATION_CHARS, md_text)]
    url = _web_url(h.get("url") or "")
    if url:
        parts.append(f"[打开来源]({_md_url(url)})")
    parts.append(f"线索 #{h['id']}")
    return "- " + "｜".join(parts)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def cut_bytes(text: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of UTF-8, never splitting a character."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")


def fit_count(sizes: Sequence[int], budget: int, note_size: Callable[[int], int]) -> int:
    """How many leading items fit in ``budget`` bytes, keeping room for a note about the ones left out."""
    if sum(sizes) <= budget:
        return len(sizes)
    used = best = 0
    for k, size in enumerate(sizes):
        used += size
        if used + note_size(len(sizes) - k - 1) > budget:
            break
        best = k + 1
    return best


def _hits_left_out(n: int) -> str:
    return f"……另有 {n} 条线索未列出（消息长度所限），请在 brandwatch 中查看全部新线索。"


def _lines_left_out(n: int) -> str:
    return f"……报告较长，余下 {n} 行未列出；全文见报告文件或邮件附件。"


def _attachments_line(message: Message) -> str:
    names = "、".join(p.replace("\\", "/").rsplit("/", 1)[-1] for p in message.attachments)
    return f"附件：{names}（见邮件或报告目录）" if names else ""


def render_markdown(message: Message, max_bytes: int, flavor: str = "plain") -> str:
    """Markdown for a robot, at most ``max_bytes`` of UTF-8 (WeCom: 4096).

    ``flavor``: ``wecom`` colours the severity; ``dingtalk`` separates hits by a
    blank line, as DingTalk's Markdown joins single line breaks.
    """
    head = f"### {message.subject}"
    if message.kind == "report":
        lines, sep, note = [_robot_report_line(x) for x in message.text.splitlines()], "\n", _lines_left_out
        tail = md_text(_attachments_line(message))
    else:
        lines = [hit_markdown(h, flavor) for h in message.hits]
        sep, note, tail = ("\n\n" if flavor == "dingtalk" else "\n"), _hits_left_out, ""
    fixed = _size(head) + (_size(sep + tail) if tail else 0)
    k = fit_count([_size(sep + line) for line in lines], max_bytes - fixed, lambda n: _size(sep + note(n)))
    body = sep.join([head, *lines[:k], *([note(len(lines) - k)] if k < len(lines) else []), *([tail] if tail else [])])
    return cut_bytes(body, max_bytes)


def render_text(message: Message) -> str:
    """The plain-text body of an e-mail: every hit, in full."""
    if message.kind == "report":
        return "\n\n".join(x for x in (message.text.rstrip(), _attachments_line(message)) if x) + "\n"
    lines = [message.subject, "", *(hit_text(h) for h in message.hits), "",
             "brandwatch 自动发送。线索编号（#）可在 brandwatch 中查阅、复核。"]
    return "\n".join(lines) + "\n"


_HTML = Environment(autoescape=True).from_string("""\
<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif">
<h2>{{ subject }}</h2>
{% if text %}<pre style="white-space: pre-wrap; font-family: inherit">{{ text }}</pre>{% endif %}
{% if hits %}<table border="1" cellpadding="6" cellspacing="0" style="border-collapse: collapse">
<tr><th>级别</th><th>名称</th><th>商标</th><th>规则</th><th>说明</th><th>来源</th><th>链接</th><th>线索</th></tr>
{% for h in hits %}<tr>
<td>{{ labels.get(h.severity, h.severity) }}</td><td>{{ h.name }}</td><td>{{ h.mark }}</td><td>{{ h.rule_label }}</td>
<td>{{ h.explanation }}</td><td>{{ h.source }}{% if h.code %}<br>{{ credit }} {{ h.code }}{% endif %}</td>
<td>{% if h.link %}<a href="{{ h.link }}">打开</a>{% endif %}</td><td>#{{ h.id }}</td>
</tr>{% endfor %}
</table>{% endif %}
{% if attachments %}<p>附件：{{ attachments | join("、") }}</p>{% endif %}
<p style="color: #888">brandwatch 自动发送。线索编号（#）可在 brandwatch 中查阅、复核。</p>
</body></html>
""")


def render_html(message: Message) -> str:
    """The HTML alternative of an e-mail (escaped; links only to http and https URLs)."""
    hits = [{**h, "link": _web_url(h.get("url") or ""), "code": (h.get("fields") or {}).get(CREDIT_CODE, ""),
             "rule_label": rule_label(h.get("rule"))} for h in message.hits]
    names = [p.replace("\\", "/").rsplit("/", 1)[-1] for p in message.attachments]
    return _HTML.render(subject=message.subject, text=message.text if message.kind == "report" else "", hits=hits,
                        labels=SEVERITY_LABELS, credit=CREDIT_CODE, attachments=names)


def render_post(message: Message, max_bytes: int) -> dict[str, Any]:
    """Feishu rich text (``msg_type: post``): one paragraph per hit, within ``max_bytes`` of JSON."""

    def paragraph(h: Mapping[str, Any]) -> list[dict[str, str]]:
        label = f"【{SEVERITY_LABELS.get(h['severity'], h['severity'])}】{h['name']}"
        out = [{"tag": "text", "text": "｜".join([label, *_facts(h, ROBOT_EXPLANATION_CHARS)]) + "｜"}]
        url = _web_url(h.get("url") or "")
        if url:
            out += [{"tag": "a", "text": "打开来源", "href": url}, {"tag": "text", "text": "｜"}]
        return [*out, {"tag": "text", "text": f"线索 #{h['id']}"}]

    def size(x: Any) -> int:
        return _size(json.dumps(x, ensure_ascii=False)) + 1

    paragraphs = [paragraph(h) for h in message.hits]
    budget = max_bytes - size(message.subject) - 64

    def note(n: int) -> list[dict[str, str]]:
        return [{"tag": "text", "text": _hits_left_out(n)}]

    k = fit_count([size(p) for p in paragraphs], budget, lambda n: size(note(n)))
    content = paragraphs[:k] + ([note(len(paragraphs) - k)] if k < len(paragraphs) else [])
    return {"post": {"zh_cn": {"title": message.subject, "content": content}}}


def webhook_document(message: Message) -> dict[str, Any]:
    """What the generic webhook posts: the payload, with attachments as names (their paths stay on this host)."""
    doc = message.to_payload()
    doc["attachments"] = [p.replace("\\", "/").rsplit("/", 1)[-1] for p in message.attachments]
    return doc
