"""Secrets: registered where they are read, replaced by ``***`` wherever brandwatch writes text.

Which values. API keys and tokens of the sources (``key_env``, ``token_env`` …),
webhook URLs and the keys and tokens in them, signing secrets and the
signatures made from them, SMTP passwords, proxy credentials. They live in the
environment; they are registered, process-wide, where config and the alert
channels read it (``config.register_secrets``, ``alerts.base.Masker``).

Where masked. Every writer goes through :func:`mask`: the store's connection
(every text parameter of every statement, so runs, captures, listings, hits,
outbox rows …), the WARC archive (target URIs and headers; bodies as
``captures.masked`` says), the log handlers (``logs.MaskFilter``) and the
alert senders' errors. Exports, bundles, reports and ``status`` read the store
and the archive, which hold no secret.

In which forms. A secret reaches text in more forms than the one it was
registered in, so each is masked as:

- itself;
- URL-encoded: ``quote`` (with and without ``/`` kept) and ``quote_plus``,
  with upper- and lower-case hex, and encoded twice;
- base64, standard and URL-safe, with and without padding; and the part of
  it that is the same wherever the secret sits inside a longer base64 text
  (at each of the three byte offsets: SMTP ``AUTH PLAIN`` sends
  ``base64(\\0user\\0password)``); at most 5 bits of the secret stay at
  either end of such a text;
- JSON-escaped (``\\"``, ``\\\\``, ``\\/``, ``\\uXXXX``) and HTML/XML-escaped;
- and, since escapes can be mixed freely, a character at a time: runs of HTML
  numeric references (``&#107;``, ``&#x6B;``), JSON ``\\uXXXX``, percent
  escapes in any mix of hex case, and line breaks (base64 wrapped at 76
  characters by MIME) are decoded and searched as the text they stand for;
  the escapes holding a secret are masked whole.

Values shorter than :data:`SHORTEST` characters are not registered: masking
them would garble every message and they are not secrets worth the name.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

MASK = "***"
SHORTEST = 6
_CORE_SHORTEST = 6  # a base64 run of fewer characters could occur by chance in other base64 text

_lock = threading.Lock()
_values: set[str] = set()
_text: re.Pattern[str] | None = None
_bytes: re.Pattern[bytes] | None = None


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def _b64_cores(data: bytes) -> set[str]:
    """The base64 characters that depend on ``data`` alone, wherever it starts in a longer encoded text.

    At byte offset k (0, 1, 2 after a 3-byte boundary) ``data`` holds bits [8k, 8k + 8n) of its
    group run; character i covers bits [6i, 6i + 6), so those wholly inside are the same whatever
    comes before or after.
    """
    out = set()
    for k in range(3):
        encoded = base64.b64encode(b"\0" * k + data + b"\0\0").decode("ascii")
        first, end = -(-8 * k // 6), (8 * k + 8 * len(data)) // 6
        core = encoded[first:end]
        if len(core) >= _CORE_SHORTEST:
            out.add(core)
    return out


def forms(value: str) -> set[str]:
    """Every form of ``value`` that :func:`mask` replaces (see the module docstring)."""
    raw = value.encode("utf-8")
    out = {value}
    for encoded in (quote(value, safe=""), quote(value), quote_plus(value), quote_plus(value, safe="/"),
                    quote(quote(value, safe=""), safe="")):
        out |= {encoded, _lower_hex(encoded)}
    for enc in (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
        out |= {enc, enc.replace("/", "\\/")}
    out |= {html.escape(value, quote=True), html.escape(value, quote=False)}
    standard = base64.b64encode(raw).decode("ascii")
    cores = _b64_cores(raw)
    for b64 in (standard, *cores):
        urlsafe = b64.translate(str.maketrans("+/", "-_"))
        out |= {b64, b64.rstrip("="), urlsafe, urlsafe.rstrip("=")}
    return {f for f in out if f}


def _trie(words: Iterable[Sequence[Any]], escape: Callable[[Any], Any], join: Callable[[list[Any]], Any]) -> Any:
    """One regular expression for ``words`` as a trie of their common prefixes, the longest match first.

    A plain alternation tries every word at every position (2.3 s for 6 MB of
    base64 and 80 forms); the trie follows one path (0.4 s).
    """
    end = object()
    root: dict[Any, Any] = {}
    for word in words:
        node = root
        for unit in word:
            node = node.setdefault(unit, {})
        node[end] = {}

    def build(node: dict[Any, Any]) -> Any:
        parts = []
        while len(node) == 1 and end not in node:  # a run without branches: no recursion, however long
            unit, node = next(iter(node.items()))
            parts.append(escape(unit))
        branches = [join([escape(u), build(child)]) for u, child in sorted(node.items(), key=lambda kv: repr(kv[0]))
                    if u is not end]
        if branches:
            alternatives = join(["(?:", join_alternatives(branches), ")"])
            parts.append(join([alternatives, "?"]) if end in node else alternatives)  # greedy: the longer first
        return join(parts)

    def join_alternatives(branches: list[Any]) -> Any:
        return join([join([b, "|"]) for b in branches[:-1]] + [branches[-1]])

    return build(root)


def _compile() -> None:
    global _text, _bytes
    every = set().union(*(forms(v) for v in _values)) if _values else set()
    if not every:
        _text = _bytes = None
        return
    _text = re.compile(_trie(every, re.escape, "".join))
    _bytes = re.compile(_trie([f.encode("utf-8") for f in every], lambda b: re.escape(bytes([b])),
                              lambda parts: b"".join(p.encode("ascii") if isinstance(p, str) else p for p in parts)))


def register(*values: str) -> None:
    """Mask these values (in every form) from now on, in this process."""
    new = {v for v in values if isinstance(v, str) and len(v.strip()) >= SHORTEST} - _values
    if not new:
        return
    with _lock:
        _values.update(new)
        _compile()


def register_url(url: str) -> None:
    """A URL that is itself a credential (a robot's webhook), or carries one (a proxy with a login).

    The whole URL, its path and query as HTTP libraries print them, each query
    value, long path segments (Feishu's hook id and similar tokens live in the
    path) and the password of a ``user:password@`` login.
    """
    if not url:
        return
    parts = urlsplit(url)
    values = [url, parts.path + ("?" + parts.query if parts.query else ""), parts.query]
    values += [v for _, v in parse_qsl(parts.query, keep_blank_values=True)]
    values += [v for s in parts.path.split("/") if len(s) >= 16 for v in (s, unquote(s))]
    if parts.password:
        values += [unquote(parts.password), f"{parts.username}:{parts.password}"]
    register(*values)


def active() -> bool:
    """Whether any secret is registered (when none is, masking costs nothing)."""
    return _text is not None


# Escapes a text may write any character in, one by one, and line breaks a wrapped text adds: too many
# combinations to list as forms, so such runs are decoded and searched as the text they stand for.
_B64_NEXT = r"(?=[A-Za-z0-9+/=_-])"
_ESCAPE = re.compile(  # every branch starts with a literal character: re then skips to those (50x faster)
    r"&#[xX]0*[0-9a-fA-F]{1,6};?|&#0*[0-9]{1,7};?"  # HTML/XML numeric character references
    r"|&(?:amp|lt|gt|quot|apos);"  # the named ones html.escape writes
    r"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}"  # JSON \uXXXX (and pairs)
    r"|\\[\\/\"]"  # JSON's other escapes
    r"|%[0-9a-fA-F]{2}(?:%[0-9a-fA-F]{2})*"  # percent-encoding, hex in any case, a run at a time (UTF-8 spans bytes)
    # line breaks before base64 characters: base64 wrapped at 76 (MIME, PEM), folded headers; in JSON too
    rf"|\r\n[ \t]*{_B64_NEXT}|\n[ \t]*{_B64_NEXT}|\r{_B64_NEXT}|\\r\\n{_B64_NEXT}|\\n{_B64_NEXT}"
)
_NAMED = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


@functools.lru_cache(maxsize=4096)  # a page repeats its escapes (its line breaks, &#20247;, %E5%BE%AE) over and over
def _unescape(token: str) -> str:
    """What one :data:`_ESCAPE` match stands for ('' for a line break)."""
    if token.startswith("&#"):
        body = token[2:].rstrip(";")
        code = int(body[1:], 16) if body[:1] in "xX" else int(body)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else token
    if token.startswith("&"):
        return _NAMED[token]
    if token.startswith("\\u"):
        units = [int(token[i + 2:i + 6], 16) for i in range(0, len(token), 6)]
        if len(units) == 2:
            return chr(0x10000 + ((units[0] - 0xD800) << 10) + (units[1] - 0xDC00))
        return chr(units[0])
    if token.startswith("\\") and len(token) == 2:
        return token[1]
    if token.startswith("%"):
        return unquote(token, errors="replace")
    return ""


def _decoded_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` whose decoded form (:data:`_ESCAPE` runs replaced by what they stand for) holds a
    match of ``pattern``. A match that begins or ends inside an escape takes the whole escape."""
    tokens: list[tuple[int, int, int, int]] = []  # (start in decoded, its length there, start and end in text)
    shift = 0

    def decode(m: re.Match[str]) -> str:
        nonlocal shift
        plain = _unescape(m.group())
        tokens.append((m.start() + shift, len(plain), m.start(), m.end()))
        shift += len(plain) - (m.end() - m.start())
        return plain

    decoded = _ESCAPE.sub(decode, text)
    if not tokens:
        return []
    starts = [t[0] for t in tokens]

    def where(i: int, end: bool) -> int:  # the place in text of decoded[i]: its start, or with end its end
        k = bisect_right(starts, i) - 1  # the last escape starting at or before it (a removed line break: size 0)
        if k >= 0:
            at, size, first, last = tokens[k]
            if i < at + size:
                return last if end else first
            return last + (i - at - size) + (1 if end else 0)
        return i + (1 if end else 0)

    return [(where(m.start(), False), where(m.end() - 1, True)) for m in pattern.finditer(decoded)]


def mask(text: str) -> str:
    """``text`` with every registered secret, in every form, replaced by ``***``.

    Besides the listed forms (:func:`forms`), a secret written a character at a time in escapes (``&#107;``,
    ``&#x6b;``, ``\\u006b``, ``%6B`` beside ``%2b``) or broken across lines (base64 wrapped at 76
    characters) is found in the text those stand for, and the escapes or lines that hold it are masked.
    """
    pattern = _text
    if pattern is None or not text:
        return text
    if _ESCAPE.search(text) is None:
        return pattern.sub(MASK, text)
    spans = sorted([m.span() for m in pattern.finditer(text)] + _decoded_spans(pattern, text))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:  # overlapping: one mask (two secrets side by side stay two)
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out += [text[at:start], MASK]
        at = end
    out.append(text[at:])
    return "".join(out)


def found_in(texts: Iterable[str]) -> bool:
    """Whether any registered secret is in any of ``texts``: one search over them all, so a batch of rows that
    holds none (nearly every batch) costs one pass in C, not a call per value (and a second over the decoded
    escapes when there are any)."""
    pattern = _text
    if pattern is None:
        return False
    joined = "\0".join(texts)  # no form holds a NUL
    if pattern.search(joined) is not None:
        return True
    return _ESCAPE.search(joined) is not None and bool(_decoded_spans(pattern, joined))


def mask_bytes(data: bytes) -> tuple[bytes, int]:
    """(``data`` with every registered secret's UTF-8 forms replaced by ``***``, how many were replaced)."""
    pattern = _bytes
    if pattern is None or not data:
        return data, 0
    return pattern.subn(MASK.encode("ascii"), data)


def clear() -> None:
    """Forget every registered secret (for tests: the registry is process-wide)."""
    global _text, _bytes
    with _lock:
        _values.clear()
        _text = _bytes = None
