"""The network that links imitators through what their listings share: a credit code, a legal
representative, a shareholder, an address, a phone number, an e-mail, a WeChat or QQ id, a website.

Why: in the WeBank case one controller ran four companies. Three carried 微众 in their names and the
matcher found them; the fourth, 优化信用管理(武汉)有限公司, carried no mark at all and is found only
because it shares the legal representative and the address of the other three. Names find imitators;
this module finds the people and places behind them.

Pure: no I/O. Three steps, each a function::

    listing_attributes(kind, name, fields, contacts) → [(kind, value)]   normalised, per listing
    build_graph([(listing_id, kind, value)])          → Network          bipartite: listings ↔ attributes
    connections(net, id) / related(net, seeds)         → paths            who is linked, and why

When two listings link (``linked``):

- one shared *strong* attribute: ``credit_code``, ``phone``, ``email``, ``wechat``, ``qq``, ``website``,
  ``address``, a person qualified with a place (``legal_rep`` or ``shareholder`` ``陈志强@武汉``), or an
  organisation as shareholder (``深圳市某某投资有限公司``: enterprise names are unique where registered);
- or two shared *weak* attributes with different values: a person's bare name (``陈志强``, no place known)
  is shared by thousands, so one never links, but two different people in the same two companies do.

A person is one node whatever the role (``("person", "陈志强@武汉")``): the legal representative of one
company who holds shares in the next links the two, and a name that is both representative and
shareholder of two companies counts once. A hop names the role when both listings give the same one.

An attribute value held by more than ``hub_limit`` listings (a registration agent's address, a
platform's customer-service number) is a *hub*: it links nothing and is listed in ``Network.hubs``
with its count, so that a report can say what was set aside. An attribute held by one listing links
nothing either and is left out of the graph.

Choices, kept here because a reviewer reads their effects:

- Persons are ``name@place``: the place is the first administrative division of the listing's address
  after its province (湖北省武汉市江夏区… → 武汉), else of a 登记机关 / 所属地区 field (武汉市市场监督管理局 →
  武汉), else, for a company, the division of its own name (优化信用管理(武汉)有限公司 → 武汉; names carry
  the division they are registered in, 企业名称登记管理规定 Art. 6). The short form is used (武汉, not
  武汉市). An address that starts below the city (江夏区…) gives that district: such a listing fails to
  link with one that says 武汉, which is the safe way to fail. Masked names (张*, 张某, 张××) are dropped:
  they identify nobody.
- Addresses keep the room: two rooms of one building are two tenants (often of one registration
  agent) and do not link. The words around the room are unified: 1001室 = 1001房 = 1001; 3号楼 = 3栋 =
  3幢 = 3座 = 3#楼 → 3栋; 12楼 = 12F = 第12层 → 12层; Chinese numerals before a unit become digits
  (七十七号 → 77号). Also: NFKC (full-width to half-width), the province and a leading 中国 /
  中华人民共和国 dropped, divisions at the start in short form (武汉市江夏区 → 武汉江夏), spaces and
  punctuation removed except a hyphen between two digits or letters (1-2-301), registration notes in
  brackets dropped ((集群注册), (自主申报)).
- Credit codes: 18 characters in the GB 32100-2015 alphabet (no I, O, S, V, Z), upper-case; a
  15-digit registration number (注册号 before 2015) is kept too: it is as unique.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from ..match.names import split_company_name
from ..match.tables import company_parts, divisions
from .contacts import normalise_domain, normalise_phone

#: The attribute kinds, in the order explanations and paths list them.
KINDS = ("credit_code", "legal_rep", "shareholder", "address", "phone", "email", "wechat", "qq", "website")
PERSON_KINDS = frozenset({"legal_rep", "shareholder"})
#: In the graph a person is one node whatever role they hold (the legal representative of one company is
#: often a shareholder of the next): ``("person", "陈志强@武汉")``. A hop names the role when both listings
#: give the person the same one, else it says ``person``.
PERSON = "person"
_ORDER = {k: i for i, k in enumerate((*KINDS[:3], PERSON, *KINDS[3:]))}

#: Kind → (Chinese, English) as explanations and drawings name it.
LABELS: dict[str, tuple[str, str]] = {
    "credit_code": ("统一社会信用代码", "credit code"), "legal_rep": ("法定代表人", "legal representative"),
    "shareholder": ("股东", "shareholder"), PERSON: ("关联人员", "a person (legal representative or shareholder)"),
    "address": ("地址", "address"), "phone": ("电话", "phone number"),
    "email": ("邮箱", "e-mail"), "wechat": ("微信", "WeChat id"), "qq": ("QQ", "QQ number"),
    "website": ("网站", "website"),
}

# a source's field name (NFKC, lower-case, without a trailing colon) → attribute kind
_FIELDS: dict[str, str] = {
    **dict.fromkeys(("统一社会信用代码", "社会信用代码", "信用代码", "注册号", "工商注册号", "credit_code", "uscc"),
                    "credit_code"),
    **dict.fromkeys(("法定代表人", "法人", "法人代表", "负责人", "经营者", "执行事务合伙人", "legal_rep"), "legal_rep"),
    **dict.fromkeys(("股东", "股东信息", "投资人", "发起人", "发起人及出资", "shareholder", "shareholders"),
                    "shareholder"),
    **dict.fromkeys(("住所", "地址", "注册地址", "经营场所", "经营地址", "企业地址", "通信地址", "办公地址", "联系地址",
                     "address"), "address"),
    **dict.fromkeys(("电话", "联系电话", "电话号码", "手机", "手机号", "座机", "客服电话", "phone", "tel", "telephone"),
                    "phone"),
    **dict.fromkeys(("邮箱", "电子邮箱", "电子邮件", "email", "e-mail"), "email"),
    **dict.fromkeys(("网址", "官网", "网站", "主页", "website", "homepage"), "website"),
    **dict.fromkeys(("微信", "微信号", "wechat"), "wechat"),
    **dict.fromkeys(("qq", "qq号"), "qq"),
}
# fields that name where a listing is registered, when its address does not
_PLACE_FIELDS = frozenset({"登记机关", "所属地区", "所在地区", "所属地", "所在地", "地区", "region"})
# the contact types brandwatch.leads.contacts reports → attribute kind
_CONTACTS = {"phone": "phone", "tel": "phone", "mobile": "phone", "email": "email", "e-mail": "email",
             "wechat": "wechat", "weixin": "wechat", "qq": "qq", "url": "website", "website": "website",
             "domain": "website"}

_CREDIT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}|\d{15}")
_SPLIT_LIST = re.compile(r"[、,，;；/]+")
_SPLIT_CONTACT = re.compile(r"[、,，;；/|]+")
# a share or a contribution after a shareholder's name: （持股 30%）, 持股比例：30%, 30%, 出资额 100万元
_SHARE = re.compile(r"[（(][^（）()]*(?:%|％|持股|出资|认缴|实缴)[^（）()]*[）)]"
                    r"|(?:持股比例|持股|出资比例|出资额?)[:：]?\s*[\d.]+\s*(?:%|％|万元|万)?"
                    r"|[:：]?\s*[\d.]+\s*(?:%|％)")
_BRACKETED = re.compile(r"[（(【\[]([^（）()【】\[\]]*)[）)】\]]")
_MASKED = re.compile(r"[*×?]|^.[某xX○]{1,2}$")
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
_QQ = re.compile(r"[1-9]\d{4,10}")
_WECHAT = re.compile(r"[a-z][-_a-z0-9]{5,19}")

# address notes in brackets that say how it was registered, not where it is
_NOTE = re.compile(r"集群注册|自主申报|住所申报|托管|仅限办公|仅作办公|一照多址|申报")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=号|栋|幢|座|楼|层|单元|室|房)")
_ROAD = re.compile(r"[东南西北中]?(?:路|街|道|巷|弄|大道|大街|胡同)")


class Edge(NamedTuple):
    """One shared attribute between two listings on a path (from the origin outwards)."""

    from_listing: int
    kind: str
    value: str
    to_listing: int


@dataclass(frozen=True)
class Connection:
    """A listing reachable from the origin, with the path that reaches it.

    A hop between two listings may need several attributes (two weak ones) and lists every attribute the
    two share, so ``path`` holds one or more ``Edge`` per hop; consecutive edges with the same
    ``from_listing`` and ``to_listing`` are one hop."""

    listing_id: int
    path: tuple[Edge, ...]

    @property
    def steps(self) -> int:
        return len(_hops(self.path))


@dataclass(frozen=True)
class Network:
    """Listings and the attributes they share: a bipartite ``networkx.Graph``.

    Listing nodes are the listing ids (``int``, node data ``bipartite=0``); attribute nodes are
    ``(kind, value)`` tuples (``bipartite=1``, ``weak`` True for a bare person name), a person as
    ``("person", value)`` with the roles each listing gives them on the edge (``roles``). ``hubs`` maps
    each hub node to how many listings hold it, most first."""

    graph: nx.Graph
    hubs: dict[tuple[str, str], int]
    hub_limit: int

    def attributes(self, listing_id: int) -> list[tuple[str, str]]:
        """The shared (non-hub) attributes of a listing, in kind order."""
        if listing_id not in self.graph:
            return []
        out = []
        for node, data in self.graph.adj[listing_id].items():
            out.extend((role, node[1]) for role in data["roles"]) if node[0] == PERSON else out.append(node)
        return sorted(out, key=_attr_key)

    def __contains__(self, listing_id: object) -> bool:
        return isinstance(listing_id, int) and listing_id in self.graph


# -- normalisation ------------------------------------------------------------------------------


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


@cache
def _places() -> tuple[dict[str, str], frozenset[str], frozenset[str], tuple[int, ...], tuple[int, ...]]:
    """(full division → short form, province full forms, province short forms, full lengths, short lengths)."""
    full, short = divisions()
    to_short = {}
    for f in full:
        s = next((f[:n] for n in range(len(f) - 1, 1, -1) if f[:n] in short), f)
        to_short[f] = s
    provinces = frozenset(f for f in full if f.endswith(("省", "自治区")))
    province_short = frozenset(to_short[f] for f in provinces)
    return (to_short, provinces, province_short, tuple(sorted({len(f) for f in full}, reverse=True)),
            tuple(sorted({len(s) for s in short}, reverse=True)))


def _prefix(text: str, start: int, words: frozenset[str] | dict[str, str], lengths: tuple[int, ...]) -> str:
    for n in lengths:
        if text[start : start + n] in words:
            return text[start : start + n]
    return ""


def _leading_divisions(text: str) -> tuple[list[tuple[str, bool]], int]:
    """The divisions an address starts with, as (short form, is a province), and where they end.

    A full form (武汉市) is always one; a short form (武汉) only when a road does not follow it (中山路,
    南京东路 are streets) and, for a province (湖北), only when another division follows."""
    to_short, provinces, province_short, full_lengths, short_lengths = _places()
    short = divisions()[1]
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        if f := _prefix(text, i, to_short, full_lengths):
            out.append((to_short[f], f in provinces))
            i += len(f)
            continue
        s = _prefix(text, i, short, short_lengths)
        if not s or _ROAD.match(text, i + len(s)):
            break
        if s in province_short:
            rest = text[i + len(s) :]
            if not (_prefix(rest, 0, to_short, full_lengths) or _prefix(rest, 0, short, short_lengths)):
                break
        out.append((s, s in province_short))
        i += len(s)
    return out, i


def _cn_number(text: str) -> str:
    """七十七 → 77, 一〇〇一 → 1001, 十二 → 12, 一百零一 → 101."""
    if not any(c in "十百千" for c in text):
        return "".join(str(_CN_DIGITS[c]) for c in text)
    total, digit = 0, 0
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = 0
    return str(total + digit)


_SPACE = re.compile(r"\s+")
_DOTS = re.compile(r"[•・‧∙⋅.．]")
_COUNTRY = re.compile(r"^(?:中华人民共和国|中国)")
_DASH = re.compile(r"[‐‑‒–—―−－~～]")
_BUILDING = re.compile(r"([0-9A-Z]+)(?:号楼|#楼|#|幢|座|栋)")
_FLOOR = re.compile(r"第?(\d+)(?:楼层|楼|层)|(?<![0-9A-Z])F(\d+)(?![0-9])|(?<![0-9A-Z])(\d+)F(?![A-Z])")
_ROOM = re.compile(r"(\d+)(?:室|房间|房)")
_PUNCT = re.compile(r"[^\w-]|_")
_LOOSE_DASH = re.compile(r"(?<![0-9A-Z])-+|-+(?![0-9A-Z])")
_FREE_TRADE = re.compile(r"^(?:中国)?\(?([^()]{2,8}?)\)?自由贸易(?:试验区|港)(?:([^()]{2,6}?)片区)?")


def normalise_address(text: str) -> str:
    """An address as one comparable string ('' when nothing is left); see the module docstring."""
    return _address(text)[0]


def _address(text: str) -> tuple[str, str]:
    """(the address normalised, its place: the first division below the province, short form)."""
    s = _SPACE.sub("", _nfkc(text).upper())
    free_trade = _FREE_TRADE.match(s)
    s = _BRACKETED.sub(lambda m: "" if _NOTE.search(m.group(1)) else m.group(1), s)
    s = _COUNTRY.sub("", s)
    s = _CN_NUMBER.sub(lambda m: _cn_number(m.group(0)), s)
    s = _BUILDING.sub(r"\1栋", _DASH.sub("-", s))
    s = _FLOOR.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + "层", s)
    s = _ROOM.sub(r"\1", s)
    # punctuation and symbols go; a hyphen between two digits or letters stays (1-2-301)
    s = _LOOSE_DASH.sub("", _PUNCT.sub("", s))
    parts, end = _leading_divisions(s)
    place = _free_trade_place(free_trade) if free_trade else _first_place(parts)
    return "".join(short for short, province in parts if not province) + s[end:], place


def _first_place(parts: list[tuple[str, bool]]) -> str:
    return next((short for short, province in parts if not province), "")


def _free_trade_place(m: re.Match[str]) -> str:
    """中国(湖北)自由贸易试验区武汉片区… → the 片区's city; 中国(上海)自由贸易试验区… → the bracketed city."""
    for candidate in (m.group(2) or "", m.group(1)):
        if place := _first_place(_leading_divisions(candidate)[0]):
            return place
    return ""


def _place_in(text: str) -> str:
    """The first division below the province that a text (an address, a 登记机关) starts with, short form."""
    return _address(text)[1]


def _is_organisation(name: str) -> bool:
    return len(name) >= 4 and (name.endswith(_forms()) or "公司" in name)


@cache
def _forms() -> tuple[str, ...]:
    return tuple(_nfkc(f) for f in company_parts()["forms"])


def normalise_person(text: str) -> str:
    """A person's (or an organisation's) name as registered: NFKC, no spaces, notes in brackets dropped
    ((委派代表), 持股 30%), the middle dot unified; '' for masked names (张*, 张某) and non-names."""
    s = _SHARE.sub("", _nfkc(text))
    if _is_organisation(compact := _SPACE.sub("", s)):
        return compact
    s = _BRACKETED.sub("", s)
    s = _DOTS.sub("·", _SPACE.sub("", s)).strip("·:：")
    if len(s) < 2 or len(s) > 40 or _MASKED.search(s) or not any(c.isalpha() for c in s):  # no one-letter names
        return ""
    return s.casefold() if s.isascii() else s


def normalise_credit_code(text: str) -> str:
    """A 统一社会信用代码 (18 characters) or an old 15-digit 注册号, upper-case; '' when it is neither."""
    s = _SPACE.sub("", _nfkc(text)).replace("-", "").upper()
    return s if _CREDIT.fullmatch(s) else ""


def is_weak(kind: str, value: str) -> bool:
    """A bare person name (no place known): never links alone."""
    return (kind in PERSON_KINDS or kind == PERSON) and "@" not in value and not _is_organisation(value)


def listing_attributes(kind: str, name: str, fields: Mapping[str, str],
                       contacts: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """The linkable attributes of one listing, normalised and de-duplicated, in kind order.

    ``kind`` and ``name`` are the listing's (a company's name gives its place when nothing else does);
    ``fields`` its source fields (统一社会信用代码, 法定代表人, 股东, 住所, 电话 …); ``contacts`` the
    (type, value) pairs brandwatch.leads.contacts found in its text (phone, email, wechat, qq, url)."""
    found: list[tuple[str, str]] = []
    persons: list[tuple[str, str]] = []
    place = ""
    regions: list[str] = []  # 登记机关 / 所属地区, read only when no address gives a place
    for key, raw in fields.items():
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)  # a phone or QQ number a JSON source gave as a number
        if not isinstance(raw, str) or not raw.strip():
            continue
        what = _field_kind(str(key))
        if what == "place":
            regions.append(raw)
        elif what == "credit_code":
            if code := normalise_credit_code(raw):
                found.append((what, code))
        elif what in PERSON_KINDS:
            pieces = _SPLIT_LIST.split(_SHARE.sub("", _nfkc(raw))) if what == "shareholder" else [raw]
            persons.extend((what, p) for p in pieces)
        elif what == "address":
            address, where = _address(raw)
            if address:
                found.append((what, address))
                place = place or where
        elif what:
            found.extend((what, v) for piece in _SPLIT_CONTACT.split(raw) if (v := _contact(what, piece)))
    for ctype, value in contacts:
        what = _CONTACTS.get(ctype.strip().casefold())
        if what == "phone" and value.isdigit():
            found.append((what, value))  # normalised by brandwatch.leads.contacts already
        elif what and (v := _contact(what, value)):
            found.append((what, v))
    if persons:
        place = place or next((p for r in regions if (p := _place_in(r))), "")
        place = place or (_name_place(name) if kind == "company" else "")
        for what, raw in persons:
            person = normalise_person(raw)
            if person:
                weak = not _is_organisation(person)
                found.append((what, f"{person}@{place}" if weak and place else person))
    return sorted(set(found), key=_attr_key)


@cache
def _field_kind(key: str) -> str:
    """A field's name → the attribute kind it holds, "place" for 登记机关 and the like, '' for others."""
    k = _nfkc(key).rstrip(":：").casefold()
    return "place" if k in _PLACE_FIELDS else _FIELDS.get(k, "")


def _name_place(name: str) -> str:
    parts = split_company_name(name)
    region = parts.region_name
    if not region:  # the division in brackets: 优化信用管理(武汉)有限公司
        m = re.search(r"[（(]([^（）()]{2,12})[）)]", _nfkc(name))
        region = m.group(1) if m and m.group(1) in divisions()[0] | divisions()[1] else ""
    return (_place_in(region) or region) if region else ""


def _contact(kind: str, value: str) -> str:
    s = _nfkc(value)
    if kind == "phone":
        return normalise_phone(s)
    if kind == "website":
        return normalise_domain(s)
    s = s.casefold().replace(" ", "")
    if kind == "email":
        return s if _EMAIL.fullmatch(s) else ""
    if kind == "qq":
        s = re.sub(r"^qq[:：]?", "", s)
        return s if _QQ.fullmatch(s) else ""
    if kind == "wechat":
        return s if _WECHAT.fullmatch(s) else ""
    return ""


def _attr_key(attr: tuple[str, str]) -> tuple[int, str, str]:
    return _ORDER.get(attr[0], len(_ORDER)), attr[0], attr[1]


# -- the graph ----------------------------------------------------------------------------------


def build_graph(rows: Iterable[tuple[int, str, str]], *, hub_limit: int = 50) -> Network:
    """The bipartite graph over listings and the attribute values two to ``hub_limit`` of them share.

    ``rows`` are (listing_id, kind, value) as ``listing_attributes`` gives them (and the store keeps them).
    Every listing becomes a node, even one that shares nothing, so that asking about it answers 'none'."""
    if hub_limit < 2:
        raise ValueError(f"build_graph: hub_limit must be 2 or more (got {hub_limit}): a value two listings "
                         "share is what links them")
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    roles: dict[tuple[tuple[str, str], int], set[str]] = defaultdict(set)
    listings: set[int] = set()
    for listing_id, kind, value in rows:
        listings.add(listing_id)
        if kind in PERSON_KINDS:
            node = (PERSON, value)
            roles[(node, listing_id)].add(kind)
        else:
            node = (kind, value)
        holders[node].add(listing_id)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(listings), bipartite=0)
    hubs: dict[tuple[str, str], int] = {}
    # most values belong to one listing (credit codes, most phones): only the shared are sorted and kept
    for attr in sorted((a for a, ids in holders.items() if len(ids) >= 2), key=_attr_key):
        ids = holders[attr]
        if len(ids) > hub_limit:
            hubs[attr] = len(ids)
        else:
            graph.add_node(attr, bipartite=1, weak=is_weak(*attr))
            if attr[0] == PERSON:
                graph.add_edges_from((attr, i, {"roles": tuple(sorted(roles[(attr, i)], key=_ORDER.__getitem__))})
                                     for i in sorted(ids))
            else:
                graph.add_edges_from((attr, i) for i in sorted(ids))
    ordered = dict(sorted(hubs.items(), key=lambda kv: (-kv[1], *_attr_key(kv[0]))))
    return Network(graph, ordered, hub_limit)


def linked(net: Network, listing_id: int) -> dict[int, tuple[tuple[str, str], ...]]:
    """The listings one hop from ``listing_id`` → every attribute the two share, in kind order (a person
    under the role both listings give them, or ``person`` when the roles differ)."""
    graph = net.graph
    if listing_id not in graph:
        return {}
    strong: dict[int, list[tuple[str, str]]] = defaultdict(list)
    weak: dict[int, list[tuple[str, str]]] = defaultdict(list)
    adj = graph.adj
    for attr, here in adj[listing_id].items():
        into = weak if graph.nodes[attr]["weak"] else strong
        for other, there in adj[attr].items():
            if other == listing_id:
                continue
            if attr[0] == PERSON:
                same = [r for r in here["roles"] if r in there["roles"]]
                into[other].append((same[0] if same else PERSON, attr[1]))
            else:
                into[other].append(attr)
    out: dict[int, tuple[tuple[str, str], ...]] = {}
    for other in sorted(strong.keys() | weak.keys()):
        if other in strong or len({value for _, value in weak[other]}) >= 2:
            out[other] = tuple(sorted(strong.get(other, []) + weak.get(other, []), key=_attr_key))
    return out


def _walk(net: Network, origins: list[int], steps: int, blocked: set[int]) -> dict[int, tuple[Edge, ...]]:
    """Breadth first from the origins: each listing reached → its path (origins in the order given first,
    neighbours by id, so the same graph always gives the same paths)."""
    paths: dict[int, tuple[Edge, ...]] = {o: () for o in origins}
    frontier = list(origins)
    for _ in range(max(0, steps)):
        following = []
        for here in frontier:
            for there, shared in linked(net, here).items():
                if there in paths or there in blocked:
                    continue
                paths[there] = paths[here] + tuple(Edge(here, kind, value, there) for kind, value in shared)
                following.append(there)
        frontier = following
    return paths


def connections(net: Network, listing_id: int, steps: int = 2) -> list[Connection]:
    """The listings within ``steps`` hops of ``listing_id``, nearest first, then by id."""
    paths = _walk(net, [listing_id], steps, set())
    found = [Connection(i, p) for i, p in paths.items() if i != listing_id]
    return sorted(found, key=lambda c: (c.steps, c.listing_id))


def related(net: Network, seeds: Iterable[int], steps: int = 2,
            exclude: Iterable[int] = ()) -> dict[int, tuple[Edge, ...]]:
    """Each listing within ``steps`` hops of any seed → its shortest path from the nearest seed (nearest
    first, then by id). Seeds are not reported; ``exclude`` (listings already reviewed, or dismissed) are
    neither reported nor walked through: a dismissed listing is no evidence for its neighbours."""
    origins = sorted(set(seeds))
    paths = _walk(net, origins, steps, set(exclude) - set(origins))
    found = sorted((i for i in paths if paths[i]), key=lambda i: (len(_hops(paths[i])), i))
    return {i: paths[i] for i in found}


def _hops(path: tuple[Edge, ...]) -> list[tuple[int, int, list[Edge]]]:
    hops: list[tuple[int, int, list[Edge]]] = []
    for e in path:
        if hops and hops[-1][:2] == (e.from_listing, e.to_listing):
            hops[-1][2].append(e)
        else:
            hops.append((e.from_listing, e.to_listing, [e]))
    return hops


# -- words and pictures -------------------------------------------------------------------------


def _name(names: Mapping[int, str], listing_id: int) -> str:
    return names.get(listing_id) or f"#{listing_id}"


def _kinds_zh(edges: list[Edge]) -> str:
    by_kind: dict[str, list[str]] = {}
    for e in edges:
        by_kind.setdefault(e.kind, []).append(e.value)
    return "、".join(f"{LABELS.get(k, (k, k))[0]}相同（{'、'.join(v)}）" for k, v in by_kind.items())


def _kinds_en(edges: list[Edge]) -> str:
    kinds = [LABELS.get(k, (k, k))[1] for k in dict.fromkeys(e.kind for e in edges)]
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]


def explain_path(path: Iterable[Edge], names: Mapping[int, str], *, confirmed: bool = True) -> str:
    """One line, Chinese then English, read from the listing reached back to the origin::

        「优化信用管理(武汉)有限公司」与已确认的「武汉微众信用管理有限公司」法定代表人相同（陈志强@武汉）、
        地址相同（…） / shares legal representative and address with confirmed 「武汉微众信用管理有限公司」

    ``confirmed``: the origin is a confirmed imitator (a seed of ``related``)."""
    hops = _hops(tuple(path))
    if not hops:
        return ""
    zh, en = [], []
    for n, (origin, reached, edges) in enumerate(reversed(hops)):
        last = n == len(hops) - 1
        mark = ("已确认的", "confirmed ") if last and confirmed else ("", "")
        zh.append(f"「{_name(names, reached)}」与{mark[0]}「{_name(names, origin)}」{_kinds_zh(edges)}")
        lead = "shares" if n == 0 else ", which shares"
        en.append(f"{lead} {_kinds_en(edges)} with {mark[1]}「{_name(names, origin)}」")
    return "；".join(zh) + " / " + "".join(en)


def _text_width(text: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def _node(kind: str, value: str) -> tuple[str, str]:
    """The graph node of a hop's (kind, value)."""
    return (PERSON, value) if kind in PERSON_KINDS else (kind, value)


def _short(text: str, n: int = 26) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def draw_svg(net: Network, centre_ids: Iterable[int], names: Mapping[int, str], *, highlight: Iterable[int] = (),
             steps: int = 2, max_nodes: int = 60) -> str:
    """The neighbourhood of ``centre_ids`` as a self-contained SVG (no script, no external reference).

    Listings are labelled circles (``highlight``, e.g. the confirmed imitators, in red; centres with a
    thick ring); the attributes that link them are small squares labelled with kind and value (a weak
    one dashed). Listings nearest the centres are kept first until ``max_nodes`` nodes are drawn; the
    layout is networkx's spring layout with a fixed seed, so the same network draws the same picture."""
    centres = list(dict.fromkeys(centre_ids))
    reached = _walk(net, centres, steps, set())
    order = sorted(reached, key=lambda i: (len(_hops(reached[i])), i not in centres, i))
    max_nodes = min(max_nodes, 400)  # spring_layout past 500 nodes needs scipy; past 400 nobody reads it
    chosen: list[int] = []
    attrs: dict[tuple[str, str], set[int]] = {}  # graph node → the drawn listings it links
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)  # graph node → the kinds its hops name
    for listing in order:
        links = {o: [(_node(k, v), k) for k, v in shared] for o, shared in linked(net, listing).items() if o in chosen}
        new = {a for shared in links.values() for a, _ in shared if a not in attrs}
        if chosen and len(chosen) + 1 + len(attrs) + len(new) > max_nodes:
            break
        chosen.append(listing)
        for other, shared in links.items():
            for a, kind in shared:
                attrs.setdefault(a, set()).update((listing, other))
                kinds[a].add(kind)
    hidden = len(order) - len(chosen)
    sub = nx.Graph()
    sub.add_nodes_from(chosen)
    sub.add_nodes_from(sorted(attrs, key=_attr_key))
    for a in sorted(attrs, key=_attr_key):
        sub.add_edges_from((a, i) for i in sorted(attrs[a]))
    pos = nx.spring_layout(sub, seed=7, k=1.2 / math.sqrt(max(1, len(sub))), iterations=200) if len(sub) > 1 \
        else {n: (0.0, 0.0) for n in sub}
    # each axis stretched to its own span (a chain laid out diagonally would otherwise be a thin line)
    span = 110 * math.sqrt(max(1, len(sub)))
    xs, ys = [float(p[0]) for p in pos.values()], [float(p[1]) for p in pos.values()]
    fx, fy = (span * 1.4 / max(max(xs) - min(xs), 1e-9)), (span / max(max(ys) - min(ys), 1e-9))
    xy = {n: (round((float(p[0]) - min(xs)) * fx, 1), round((float(p[1]) - min(ys)) * fy, 1)) for n, p in pos.items()}
    marked, centre_set = set(highlight), set(centres)
    size, boxes, body = 12.0, [], []
    for a in sorted(attrs, key=_attr_key):
        for i in sorted(attrs[a]):
            (x1, y1), (x2, y2) = xy[a], xy[i]
            dash = ' stroke-dasharray="4 3"' if net.graph.nodes[a]["weak"] else ""
            body.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#9aa5b1"{dash}/>')
    for a in sorted(attrs, key=_attr_key):
        x, y = xy[a]
        kind = next(iter(kinds[a])) if len(kinds[a]) == 1 else a[0]
        label = f"{LABELS.get(kind, (kind, kind))[0]}: {_short(a[1])}"
        dash = ' stroke-dasharray="2 2"' if net.graph.nodes[a]["weak"] else ""
        body.append(f'<g class="attribute"><title>{escape(kind)}: {escape(a[1])}</title>'
                    f'<rect x="{x - 5}" y="{y - 5}" width="10" height="10" fill="#f5c542" stroke="#7a5c00"{dash}/>'
                    f'<text x="{x + 8}" y="{y + 4}" font-size="10" fill="#5c4400">{escape(label)}</text></g>')
        boxes.append((x - 5, y - 6, x + 8 + _text_width(label, 10), y + 6))
    for i in chosen:
        x, y = xy[i]
        name = _name(names, i)
        fill = "#d64541" if i in marked else "#4a78b5"
        ring = ' stroke="#1b1b1b" stroke-width="3"' if i in centre_set else ' stroke="#ffffff" stroke-width="1"'
        width = _text_width(name, size)
        body.append(f'<g class="listing" data-id="{i}"><title>{escape(name)} (#{i})</title>'
                    f'<circle cx="{x}" cy="{y}" r="9" fill="{fill}"{ring}/>'
                    f'<text x="{x}" y="{y + 24}" font-size="{size:g}" text-anchor="middle">{escape(name)}</text></g>')
        boxes.append((x - max(12, width / 2), y - 12, x + max(12, width / 2), y + 28))
    if hidden:
        note = f"另有 {hidden} 个关联主体未画出 / {hidden} more not shown"
        lx, ly = min(b[0] for b in boxes), max(b[3] for b in boxes) + 18
        body.append(f'<text x="{lx}" y="{ly}" font-size="11" fill="#555">{escape(note)}</text>')
        boxes.append((lx, ly - 12, lx + _text_width(note, 11), ly + 4))
    # a white halo under every label keeps it readable where a line crosses it
    body = [t.replace("<text ", '<text paint-order="stroke" stroke="#ffffff" stroke-width="3" ') for t in body]
    x0, y0 = min(b[0] for b in boxes) - 10, min(b[1] for b in boxes) - 10
    w, h = max(b[2] for b in boxes) + 10 - x0, max(b[3] for b in boxes) + 10 - y0
    title = "、".join(_name(names, c) for c in centres)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}" '
            f'width="{w:.0f}" height="{h:.0f}" font-family={quoteattr("Noto Sans CJK SC, sans-serif")}>'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>\n")
