"""Read config.yaml and watchlists/, validate once, hand out plain records.

Every error names the file, the key path and the fix, for example::

    watchlists/webank.yaml: marks[1].aliases must be a list of strings (got 'WeBank')

Which config.yaml (``find_config``): ``--config FILE``, else ``$BRANDWATCH_CONFIG``,
else ``config.yaml`` in the current folder or the nearest parent folder that has
one (as git finds its repository), else none (the defaults, from the current
folder). Paths inside a config file (watchlists, database, captures, the report
folder, a files source's drop folder) are relative to the folder the file is
in, so every command works from any folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import secrets
from .errors import ConfigError
from .models import Mark, Official, Watchlist

DEFAULT_CONFIG = Path("config.yaml")
DEFAULT_WATCHLISTS = Path("watchlists")
CONFIG_ENV = "BRANDWATCH_CONFIG"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _TooBig(ValueError):
    """A value too large for the matcher: its message is the whole story (the value is never quoted back), and
    ``index`` names the item of a list that is too long."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def _strings(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(f"must be a list of strings, not one string (write [{value}])")
    return value


# What a matcher can hold. The matcher's tables grow with the length of every name and alias (a 12 MB Latin
# alias took 15.9 GB to compile; a 5,000,000-character name never finished), so a watchlist is refused
# past these, before anything is built. A brand is a few characters; the longest registered Chinese company
# names are about 50; 10,000 marks is what the index is benchmarked on (benchmarks/bench_index.py).
MARK_NAME_MAX = 50
ALIAS_MAX = 100
ALIASES_MAX = 100
READING_MAX = 7 * MARK_NAME_MAX  # one syllable (at most 6 letters: zhuang, shuang) and a space per character
MARKS_MAX = 20_000


class MarkSpec(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="stable id: letters, digits, _ . -")
    name: str = Field(min_length=1)
    aliases: list[str] = []
    reading: str | None = Field(None, description="how the name is pronounced, in toneless pinyin: huan bei")

    _check_aliases = field_validator("aliases", mode="before")(_strings)

    @field_validator("name", "aliases")
    @classmethod
    def _not_blank(cls, value: Any) -> Any:
        items = [value] if isinstance(value, str) else value
        if any(not str(v).strip() for v in items):
            raise ValueError("must not be blank")
        return value

    @field_validator("name")
    @classmethod
    def _name_fits(cls, value: str) -> str:
        if len(value.strip()) > MARK_NAME_MAX:
            raise _TooBig(f"is {len(value.strip()):,} characters long; a mark's name is at most {MARK_NAME_MAX} "
                          "(the brand as it is registered, e.g. 微众); put a longer form in aliases")
        return value

    @field_validator("aliases")
    @classmethod
    def _aliases_fit(cls, value: list[str]) -> list[str]:
        if len(value) > ALIASES_MAX:
            raise _TooBig(f"has {len(value):,} aliases; a mark has at most {ALIASES_MAX}; keep the forms the brand "
                          "is known by")
        for i, alias in enumerate(value):
            if len(alias.strip()) > ALIAS_MAX:
                raise _TooBig(f"is {len(alias.strip()):,} characters long; an alias is at most {ALIAS_MAX} (a full "
                              "company name fits); shorten it or split it into several aliases", index=i)
        return value

    @field_validator("reading")
    @classmethod
    def _reading_short(cls, value: str | None) -> str | None:
        if value is not None and len(value.strip()) > READING_MAX:
            raise _TooBig(f"is {len(value.strip()):,} characters long; a reading is at most {READING_MAX} (one "
                          f"syllable for each of the name's at most {MARK_NAME_MAX} characters); give one syllable "
                          "per character of the name")
        return value

    @model_validator(mode="after")
    def _reading_fits(self) -> MarkSpec:
        # whether each syllable is a reading of its character is checked when the matcher compiles
        if self.reading is not None and not re.fullmatch(r"[A-Za-züÜvV: ]+", self.reading):
            raise ValueError(f"reading {self.reading!r} must be toneless pinyin, one syllable per character "
                             "of the name, separated by spaces (e.g. huan bei)")
        return self


class OfficialSpec(_Strict):
    """The owner's own contacts: a phone, domain, app or account beside its mark that is not here is suspect."""

    phones: list[str | int] = []
    domains: list[str] = []
    apps: list[str] = []
    accounts: list[str] = []

    _check_lists = field_validator("phones", "domains", "apps", "accounts", mode="before")(_strings)


class WatchlistSpec(_Strict):
    owner: str = Field(min_length=1)
    marks: list[MarkSpec] = Field(min_length=1)

    @field_validator("marks", mode="before")
    @classmethod
    def _not_too_many(cls, value: Any) -> Any:  # before: 20,000 marks are not validated one by one to be refused
        if isinstance(value, list) and len(value) > MARKS_MAX:
            raise _TooBig(f"has {len(value):,} marks; a watchlist holds at most {MARKS_MAX:,}; split them into "
                          "several watchlist files")
        return value
    allow: list[str] = []
    official: OfficialSpec = OfficialSpec()

    _check_allow = field_validator("allow", mode="before")(_strings)


class MatcherSpec(_Strict):
    risk_terms: list[str] | None = None
    extra_risk_terms: list[str] = []

    _check_terms = field_validator("risk_terms", "extra_risk_terms", mode="before")(_strings)


_EVERY = re.compile(r"^(\d+)\s*([smhd])$")


class ScheduleSpec(_Strict):
    """When a source runs: a crontab line (``0 3 * * *``) or an interval (``6h``, ``30m``, ``1d``)."""

    cron: str | None = None
    every: str | None = None
    jitter: int = Field(300, ge=0, le=86400, description="seconds of random delay, spreading the load")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(value)
            except ValueError as e:
                raise ValueError(f"is not a crontab line ({e}); e.g. '0 3 * * *'") from None
        return value

    @field_validator("every")
    @classmethod
    def _every(cls, value: str | None) -> str | None:
        if value is not None and not _EVERY.match(value.strip()):
            raise ValueError("must be a number and a unit s, m, h or d, e.g. '6h'")
        return value

    @model_validator(mode="after")
    def _one(self) -> ScheduleSpec:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give exactly one of cron or every")
        return self

    @property
    def seconds(self) -> int | None:
        if self.every is None:
            return None
        m = _EVERY.match(self.every.strip())
        assert m
        return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def _seconds(value: Any) -> Any:
    """A duration as seconds: a number, or a number and a unit s, m, h or d ('15m')."""
    if isinstance(value, str):
        m = _EVERY.match(value.strip())
        if not m:
            raise ValueError("must be seconds or a number and a unit s, m, h or d, e.g. '15m'")
        return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    return value


class FetchSpec(_Strict):
    contact: str = Field("", description="a URL or e-mail put in the User-Agent, so sites can reach you")
    timeout: float = Field(20.0, gt=0, le=300, description="seconds one socket read may wait")
    deadline: float = Field(120.0, gt=0, le=3600,
                            description="seconds one answer may take in all, however slowly it trickles in")
    max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_tries: int = Field(4, ge=1, le=10)
    hosts: dict[str, float] = Field({}, description="host, or host:port → seconds between requests (unknown hosts: "
                                    "3)")
    proxies: dict[str, str] = {}

    @field_validator("hosts")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        out = {}
        for host, seconds in value.items():
            if seconds < 0:
                raise ValueError(f"{host}: seconds between requests must not be negative")
            parts = urlsplit("//" + host.strip())
            try:
                parts.port  # noqa: B018 -- raises for a port that is not one
                bare = parts.hostname
            except ValueError:
                bare = None
            if "://" in host or not bare or parts.path or parts.query or parts.username:
                bare = urlsplit(host).hostname or host.split("/")[0]
                raise ValueError(f"{host!r} is not a host; write the host ({bare}) or host:port, without scheme or "
                                 "path")
            out[host.strip().lower().rstrip(".")] = seconds  # compared as the fetcher compares hosts
        return out


class SourceSpec(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    type: str
    enabled: bool = True
    schedule: ScheduleSpec | None = None
    variants: int = Field(5, ge=0, le=100, description="top look-alike variants per mark searched too")
    queries: list[str] | None = None
    budget: float = Field(900.0, gt=0, le=86400, description="seconds a run of this source may take, retries and "
                          "waits included ('15m'); a site asking for a longer wait defers it to its next run")
    options: dict[str, Any] = {}

    _check_budget = field_validator("budget", mode="before")(_seconds)

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        from .sources import SOURCE_TYPES

        if value not in SOURCE_TYPES:
            raise ValueError(f"is not a source type; use one of {', '.join(sorted(SOURCE_TYPES))}")
        return value


CHANNEL_TYPES = ("wecom", "dingtalk", "feishu", "smtp", "webhook")
_ENV = r"^$|^[A-Za-z_][A-Za-z0-9_]*$"


class ChannelSpec(_Strict):
    """One alert channel. Secrets (webhook URLs with their keys, signing secrets,
    SMTP passwords) are never written here: only the names of environment variables."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    type: Literal["wecom", "dingtalk", "feishu", "smtp", "webhook"]
    url_env: str = Field("", pattern=_ENV, description="environment variable holding the webhook URL")
    secret_env: str = Field("", pattern=_ENV, description="environment variable holding the signing secret")
    min_severity: Literal["high", "medium"] = "medium"
    rate_per_minute: int = Field(20, ge=1, le=20, description="at most this many messages a minute")
    timeout: float = Field(10.0, gt=0, le=120, description="seconds one socket read may wait")
    deadline: float = Field(60.0, gt=0, le=600, description="seconds one delivery may take in all (an SMTP "
                            "conversation, a webhook's answer), however slowly the server answers")
    # smtp
    host: str = ""
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username_env: str = Field("", pattern=_ENV)
    password_env: str = Field("", pattern=_ENV)
    sender: str = ""
    to: list[str] = []

    _check_to = field_validator("to", mode="before")(_strings)

    @model_validator(mode="after")
    def _complete(self) -> ChannelSpec:
        if self.type == "smtp":
            missing = [k for k in ("host", "sender") if not getattr(self, k)] + ([] if self.to else ["to"])
            if missing:
                raise ValueError(f"an smtp channel needs {', '.join(missing)}")
        elif not self.url_env:
            raise ValueError(f"a {self.type} channel needs url_env: the environment variable holding its URL")
        return self


class AlertsSpec(_Strict):
    channels: list[ChannelSpec] = []

    @model_validator(mode="after")
    def _unique(self) -> AlertsSpec:
        names = [c.name for c in self.channels]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"the channel name {dupes[0]!r} is used twice; channel names must be unique")
        return self


class ReportSpec(_Strict):
    """The weekly report: where it is written, when the daemon writes it, which channels get it."""

    output: str = Field("", description="folder for reports (default: reports/ beside the database)")
    schedule: ScheduleSpec | None = None
    channels: list[str] | None = Field(None, description="channel names to send it to (default: all)")

    _check_channels = field_validator("channels", mode="before")(_strings)


class FollowupSpec(_Strict):
    absent_runs: int = Field(
        2, ge=1, le=100,
        description="complete runs of a source that must miss a confirmed listing before 'removed' is proposed",
    )


class ConfigSpec(_Strict):
    watchlists: str = "watchlists"
    database: str = "brandwatch.db"
    captures: str = Field("", description="folder of WARC captures (default: captures/ beside the database)")
    matcher: MatcherSpec = MatcherSpec()
    fetch: FetchSpec = FetchSpec()
    sources: list[SourceSpec] = []
    alerts: AlertsSpec = AlertsSpec()
    report: ReportSpec = ReportSpec()
    followup: FollowupSpec = FollowupSpec()

    @model_validator(mode="after")
    def _unique_sources(self) -> ConfigSpec:
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"sources: the name {dupes[0]!r} is used twice; source names must be unique")
        known = {c.name for c in self.alerts.channels}
        for name in self.report.channels or []:
            if name not in known:
                raise ValueError(f"report.channels: {name!r} is not a channel in alerts.channels")
        return self

    @property
    def reports_dir(self) -> Path:
        return Path(self.report.output) if self.report.output else Path(self.database).parent / "reports"

    @property
    def captures_dir(self) -> Path:
        return Path(self.captures) if self.captures else Path(self.database).parent / "captures"


def _where(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _explain(path: Path, err: ValidationError) -> ConfigError:
    lines = []
    for e in err.errors():
        where = _where(e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        too_big = (e.get("ctx") or {}).get("error")
        if isinstance(too_big, _TooBig):  # says how big; the value itself (megabytes, maybe) is not repeated
            item = f"[{too_big.index}]" if too_big.index is not None else ""
            lines.append(f"{path}: {where}{item} {msg}")
            continue
        if e["type"] == "extra_forbidden":
            msg = "is not a known key (check its spelling; see README)"
        elif e["type"] == "missing":
            msg = "is required"
        elif e["type"] == "string_pattern_mismatch":
            msg = "must use only letters, digits, _ . - (it is a stable id)"
        got = e.get("input")
        shown = repr(got) if not isinstance(got, str) or len(got) <= 80 else f"{got[:60]!r}… ({len(got):,} characters)"
        suffix = f" (got {shown})" if e["type"] not in {"missing", "extra_forbidden"} and got is not None else ""
        if isinstance(got, dict | list):
            suffix = ""
        lines.append(f"{path}: {where} {msg}{suffix}")
    return ConfigError("\n".join(lines))


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases as it meets them.

    An alias repeats a whole subtree: nine lines of them ("billion laughs")
    expand to 10^9 strings. Refusing the event before the node is composed
    means nothing is ever expanded, and the error is built from the event, not
    from a value. Config and watchlists are short enough to write out in full.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AliasRefused(event)
        return super().compose_node(parent, index)


class _AliasRefused(Exception):
    def __init__(self, event: Any) -> None:
        super().__init__()
        self.line = event.start_mark.line + 1
        name = "".join(c for c in str(event.anchor)[:40] if c.isprintable())
        self.what = f"the alias *{name}" if isinstance(event, yaml.AliasEvent) else f"the anchor &{name}"


def _read_yaml(path: Path) -> Any:
    """A YAML file as Python values: a regular file of at most CONFIG_MAX_BYTES, UTF-8, without anchors or aliases."""
    from .bounded import CONFIG_MAX_BYTES, read_regular_file

    data = read_regular_file(path, CONFIG_MAX_BYTES, what="YAML file", error=ConfigError,
                             fix="a config or watchlist is far smaller; check that this is the right file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text at byte {e.start}; save it as UTF-8") from None
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader: plain values only, never Python objects
    except _AliasRefused as e:
        raise ConfigError(f"{path}:{e.line}: {e.what}: YAML anchors and aliases (&name, *name, <<: *name) are not "
                          "allowed here; write the values out in full") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a config or watchlist; check the brackets") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError(f"{path}{line}: not valid YAML ({problem}); check indentation and quoting") from None


def load_watchlist(path: Path) -> Watchlist:
    """One watchlist file → a Watchlist; ConfigError names the file and key."""
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping with keys owner, marks, allow, official")
    try:
        spec = WatchlistSpec.model_validate(data)
    except ValidationError as e:
        raise _explain(path, e) from None
    marks = tuple(
        Mark(m.id, m.name.strip(), tuple(a.strip() for a in m.aliases), tuple((m.reading or "").lower().split()))
        for m in spec.marks
    )
    return Watchlist(owner=spec.owner.strip(), marks=marks, allow=tuple(spec.allow), source=str(path),
                     official=_official(path, spec.official))


def _official(path: Path, spec: OfficialSpec) -> Official:
    """The watchlist's ``official`` contacts, normalised as texts' contacts are, so the two compare as equals."""
    from .leads.contacts import normalise_domain, normalise_phone

    phones = []
    for i, raw in enumerate(spec.phones):
        phone = normalise_phone(str(raw))
        if not phone:
            raise ConfigError(f"{path}: official.phones[{i}] {raw!r} is not a phone number; write it with its area "
                              "code or prefix as the owner publishes it (95384, 400-999-8800, 0755-12345678)")
        phones.append(phone)
    domains = []
    for i, raw in enumerate(spec.domains):
        domain = normalise_domain(raw)
        if not domain:
            raise ConfigError(f"{path}: official.domains[{i}] {raw!r} is not a domain; write it as webank.com")
        domains.append(domain)
    return Official(tuple(dict.fromkeys(phones)), tuple(dict.fromkeys(domains)),
                    tuple(a.strip() for a in spec.apps if a.strip()),
                    tuple(a.strip().lower() for a in spec.accounts if a.strip()))


def load_watchlists(directory: Path | str) -> tuple[Watchlist, ...]:
    """Every *.yaml / *.yml in a folder, sorted by file name; ids must be unique."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError(f"{directory}: watchlist folder not found; pass --watchlists DIR")
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        raise ConfigError(f"{directory}: no *.yaml watchlists in this folder; add one (see README)")
    lists = tuple(load_watchlist(f) for f in files)
    seen: dict[str, str] = {}
    for wl in lists:
        for i, mark in enumerate(wl.marks):
            if mark.id in seen:
                raise ConfigError(
                    f"{wl.source}: marks[{i}].id {mark.id!r} is already used in {seen[mark.id]}; "
                    "mark ids must be unique across watchlists"
                )
            seen[mark.id] = wl.source
    return lists


def default_risk_terms() -> tuple[str, ...]:
    """The shipped list of black-and-gray-market risk terms (data/risk_terms.txt)."""
    text = resources.files("brandwatch.data").joinpath("risk_terms.txt").read_text(encoding="utf-8")
    return tuple(t.strip() for t in text.splitlines() if t.strip() and not t.startswith("#"))


def load_config(path: Path | str = DEFAULT_CONFIG) -> ConfigSpec:
    """config.yaml → validated ConfigSpec. A missing default file means defaults."""
    path = Path(path)
    if not path.exists() and path == DEFAULT_CONFIG:
        return ConfigSpec()
    data = _read_yaml(path)
    if data is None:
        return ConfigSpec()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of keys (see the commented config.yaml)")
    try:
        config = ConfigSpec.model_validate(data)
    except ValidationError as e:
        raise _explain(path, e) from None
    config = resolve_paths(config, path.absolute().parent)
    register_secrets(config, [source for _, source in build_sources(config, path)])  # options checked by type
    return config


# Options of a source type that name a folder or file: relative to the config file like the top-level paths.
SOURCE_PATH_OPTIONS: dict[str, tuple[str, ...]] = {"files": ("folder",)}


def _under(base: Path, value: str) -> str:
    return str(base / Path(value).expanduser()) if value else value


def resolve_paths(config: ConfigSpec, base: Path) -> ConfigSpec:
    """``config`` with every relative path in it taken from ``base`` (the config file's folder), not the current
    folder: the daemon, cron and a person in another folder then all read and write the same files."""
    sources = [s.model_copy(update={"options": {**s.options, **{k: _under(base, s.options[k])
                                                                for k in SOURCE_PATH_OPTIONS.get(s.type, ())
                                                                if isinstance(s.options.get(k), str)}}})
               for s in config.sources]
    return config.model_copy(update={
        "watchlists": _under(base, config.watchlists), "database": _under(base, config.database),
        "captures": _under(base, config.captures), "sources": sources,
        "report": config.report.model_copy(update={"output": _under(base, config.report.output)}),
    })


@dataclass(frozen=True)
class ConfigLocation:
    """The config file a command uses, and how it was found (for messages)."""

    path: Path | None  # None: no config file; the defaults, relative to the current folder
    how: str  # "--config", "$BRANDWATCH_CONFIG", "found" (this folder or a parent), "none"
    searched: Path  # the folder the search started in

    def describe(self) -> str:
        """How the config was chosen, for an error message: ``given by --config``, ``found from /srv/bw/data``."""
        if self.path is None:
            return f"no config.yaml in {self.searched} or its parents, and ${CONFIG_ENV} is not set"
        if self.how == "found":
            return "found in this folder" if self.path == DEFAULT_CONFIG else f"found from {self.searched}"
        return f"given by {self.how}" if self.how == "--config" else f"named by {self.how}"


def find_config(given: str | Path | None = None, env: Mapping[str, str] = os.environ,
                cwd: Path | None = None) -> ConfigLocation:
    """The config file to use: ``given`` (``--config``), else ``$BRANDWATCH_CONFIG``, else the first config.yaml
    in ``cwd`` or a parent of it; ConfigError when a named file does not exist."""
    cwd = (cwd or Path.cwd()).absolute()
    if given is not None:
        path = Path(given).expanduser()
        if path.is_dir():
            raise ConfigError(f"--config {given}: is a folder; give the file, e.g. --config {path / DEFAULT_CONFIG}")
        if path.exists() and not path.is_file():
            raise ConfigError(f"--config {given}: not a regular file; give the path of your config.yaml")
        if not path.is_file():
            raise ConfigError(f"--config {given}: no such file; give the path of your config.yaml, or leave "
                              f"--config out to use ${CONFIG_ENV} or the config.yaml of this folder or a parent")
        return ConfigLocation(path, "--config", cwd)
    named = env.get(CONFIG_ENV, "").strip()
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"${CONFIG_ENV}={named}: no such file; set it to the path of your config.yaml, or "
                              "unset it to use the config.yaml of this folder or a parent")
        return ConfigLocation(path, f"${CONFIG_ENV}", cwd)
    for folder in (cwd, *cwd.parents):
        if (folder / DEFAULT_CONFIG).is_file():
            path = folder / DEFAULT_CONFIG
            return ConfigLocation(path if folder != cwd else DEFAULT_CONFIG, "found", cwd)
    return ConfigLocation(None, "none", cwd)


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def register_secrets(config: ConfigSpec, sources: Iterable[Any] = (), env: Mapping[str, str] | None = None) -> None:
    """Mask, everywhere from now on (``secrets.py``), the secrets this config reads from the environment.

    The sources' API keys (``source.secrets()``), each alert channel's webhook
    URL, signing secret and SMTP password, and the login of a proxy (from
    config or the ``*_PROXY`` variables). A variable that is not set is
    skipped here; the channel or source says so when it is used.
    """
    env = os.environ if env is None else env
    secrets.register(*(value for source in sources for value in source.secrets()))
    for channel in config.alerts.channels:
        if channel.url_env:
            secrets.register_url(env.get(channel.url_env, "").strip())
        secrets.register(*(env.get(name, "").strip() for name in (channel.secret_env, channel.password_env) if name))
    for url in [*config.fetch.proxies.values(), *(env.get(name, "") for name in PROXY_VARIABLES)]:
        try:
            login = urlsplit(url.strip()).password
        except ValueError:  # not a URL requests could use either; it says so when it tries
            login = None
        if login:
            secrets.register_url(url.strip())


def build_sources(config: ConfigSpec, path: Path | str = DEFAULT_CONFIG) -> list[tuple[SourceSpec, Any]]:
    """(spec, source adapter) for every configured source; errors name sources[i].options.KEY."""
    from .sources import SOURCE_TYPES

    out = []
    for i, spec in enumerate(config.sources):
        kind = SOURCE_TYPES[spec.type]
        try:
            options = kind.Options.model_validate(spec.options)
        except ValidationError as e:
            err = _explain(Path(path), e)
            lines = [line.replace(f"{path}: ", f"{path}: sources[{i}].options.", 1) for line in str(err).splitlines()]
            raise ConfigError("\n".join(lines)) from None
        out.append((spec, kind(spec.name, options)))
    return out


def risk_terms(config: ConfigSpec) -> tuple[str, ...]:
    """The risk terms in force: config's list if given, else the default, plus extras."""
    base = tuple(config.matcher.risk_terms) if config.matcher.risk_terms is not None else default_risk_terms()
    return tuple(dict.fromkeys((*base, *config.matcher.extra_risk_terms)))
