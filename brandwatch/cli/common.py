"""What every command of the command line shares (brandwatch/cli/). Each command opens what it
needs, calls one library function, and turns library errors into one line ``Error: …`` with exit code 2.

Exit codes: 0 done (``check``: nothing matched), 3 ``check`` found hits, 4 ``run --once``: a
source's run was partial (stopped by SIGTERM or its time budget too), failed, blocked or deferred,
2 bad input or configuration (an unknown mark, source, status, severity, kind or channel
is one, and the message lists the ones there are; so is an imported page that did not
parse), 1 an unexpected failure or, for ``audit verify`` and ``evidence verify``,
something was changed.

Which config.yaml: ``--config``, else ``$BRANDWATCH_CONFIG``, else the nearest
config.yaml in this folder or a parent (config.find_config); paths in it are
relative to its folder.
"""


from __future__ import annotations

import os
import traceback
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..config import (
    CONFIG_ENV,
    DEFAULT_CONFIG,
    ConfigLocation,
    ConfigSpec,
    find_config,
    load_config,
    load_watchlists,
    risk_terms,
)
from ..errors import BrandwatchError, ConfigError
from ..index import IndexInfo, matcher_for
from ..match import Matcher
from ..models import KINDS, HitRecord, typed_time
from ..version import __version__

EXIT_HITS = 3
EXIT_SOURCE_FAILED = 4


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # one line for every library error, exit 2
        try:
            return super().invoke(ctx)
        except BrandwatchError as e:
            if os.environ.get("BRANDWATCH_DEBUG"):  # the traceback, with the chained original (errors.py)
                traceback.print_exception(e)
            click.echo(f"Error: {e}", err=True)
            ctx.exit(2)


def _location(ctx: click.Context) -> ConfigLocation:
    """Which config file this command uses (found once per command)."""
    obj = ctx.find_root().obj
    if "location" not in obj:
        obj["location"] = find_config(obj["config_arg"])
    return obj["location"]


def _config(ctx: click.Context) -> ConfigSpec:
    """The config, its paths taken from its own folder; the defaults (from this folder) when there is none."""
    obj = ctx.find_root().obj
    if "spec" not in obj:
        where = _location(ctx)
        obj["spec"] = load_config(where.path) if where.path is not None else ConfigSpec()
    return obj["spec"]


def _config_path(ctx: click.Context) -> Path:
    return _location(ctx).path or DEFAULT_CONFIG


def _not_found(ctx: click.Context, path: Path | str, what: str, key: str, fix: str, also: str = "",
               problem: str = "") -> ConfigError:
    """A file or folder the config names is missing: say which config named it (or that none was found)."""
    where = _location(ctx)
    if where.path is None:
        ways = ["run from your project's folder", "pass --config FILE", f"set ${CONFIG_ENV}"]
        problem = f"{what} not found here: {where.describe()}"
    else:
        ways = [fix, f"set `{key}` in {where.path} ({where.describe()}; paths there are relative to its folder)"]
        problem = problem or f"{what} not found"
    ways += [also] if also else []
    return ConfigError(f"{path}: {problem}; {', '.join(ways[:-1])}, or {ways[-1]}")


def _watchlists(ctx: click.Context, given: str | None) -> Path:
    """The watchlist folder: --watchlists, else the config's; a missing one names the config that chose it."""
    if given:
        return Path(given)  # load_watchlists names it
    folder = Path(_config(ctx).watchlists)
    if not folder.is_dir():
        raise _not_found(ctx, folder, "watchlist folder", "watchlists", "create it (see README)",
                         "pass --watchlists DIR")
    return folder


def _allowlisted(ctx: click.Context) -> dict[str, list[str]]:
    """Names the team allowlisted from hits (kept in the store), which every matcher honours, as the daemon's."""
    database = Path(_config(ctx).database)
    if not database.exists():
        return {}
    from ..store import Store

    with Store(database) as store:
        return store.allow_names()


def _matcher(ctx: click.Context, watchlists: str | None, rebuild: bool = False) -> tuple[Matcher, IndexInfo | None]:
    """The matcher for the watchlists, from the database's saved index when it matches them (brandwatch/index.py)."""
    from ..app import with_allowlisted

    config = _config(ctx)
    lists = with_allowlisted(load_watchlists(_watchlists(ctx, watchlists)), _allowlisted(ctx))
    matcher, info = matcher_for(lists, risk_terms(config), config.database, rebuild=rebuild,
                                background=not rebuild)
    for line in matcher.warnings:  # a form that is an ordinary word: loaded, and said so
        click.echo(f"Warning: {line}", err=True)
    return matcher, info


# -- names the user types: each unknown one is an error that lists the ones there are ---------------

_LISTED = 30  # a watchlist of thousands of marks is not listed whole in an error


def unknown(option: str, value: str, what: str, plural: str, valid: Sequence[str], where: str = "",
            fix: str = "") -> BrandwatchError:
    """``--mark nosuch: no such mark; the marks are: weizhong (微众), …``."""
    fix = f"; {fix}" if fix else ""
    if not valid:
        return BrandwatchError(f"{option} {value}: no such {what}{where}; there are no {plural} yet{fix}")
    shown = ", ".join(valid[:_LISTED]) + (f", … ({len(valid) - _LISTED:,} more)" if len(valid) > _LISTED else "")
    return BrandwatchError(f"{option} {value}: no such {what}{where}; the {plural} are: {shown}{fix}")


class _Among(click.ParamType):
    """One of a fixed set (statuses, severities, kinds); anything else is a one-line error listing the set."""

    def __init__(self, what: str, plural: str, values: Sequence[str]) -> None:
        self.name, self.plural, self.values = what, plural, tuple(values)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.values) + "]"

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(v) for v in self.values if v.startswith(incomplete)]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if value in self.values:
            return value
        option = param.opts[0] if param is not None and param.opts else self.name
        raise unknown(option, str(value), self.name, self.plural, self.values)


SEVERITIES = ("high", "medium", "low")
_KIND = _Among("kind", "kinds", KINDS)


def _known_marks(ctx: click.Context, store: Any | None) -> tuple[dict[str, str], dict[str, str]]:
    """(mark id → its name and aliases, every form a person may type → mark id): the watchlists' marks (ids, names,
    aliases) and those of hits in the store (a mark dropped from the watchlists still has hits)."""
    names: dict[str, str] = {}
    forms: dict[str, str] = {}
    try:
        lists = load_watchlists(_watchlists(ctx, None))
    except ConfigError:  # the store's marks still filter; commands that match say what is wrong
        lists = ()
    for wl in lists:
        for m in wl.marks:
            names.setdefault(m.id, ", ".join(m.terms))
            for form in (m.id, *m.terms):
                forms.setdefault(form.casefold(), m.id)
    for mark_id, mark in store.hit_marks() if store is not None else ():
        names.setdefault(mark_id, mark)
        forms.setdefault(mark_id.casefold(), mark_id)
        forms.setdefault(mark.casefold(), mark_id)
    return names, forms


def _marks(ctx: click.Context, store: Any, given: Sequence[str]) -> list[str] | None:
    """--mark values as mark ids (a mark's id, name or alias is accepted); None when none was given."""
    if not given:
        return None
    names, forms = _known_marks(ctx, store)
    out = []
    for value in given:
        if value.casefold() not in forms:
            raise unknown("--mark", value, "mark", "marks", [f"{i} ({n})" for i, n in sorted(names.items())])
        out.append(forms[value.casefold()])
    return out


def _sources(ctx: click.Context, store: Any, given: Sequence[str]) -> list[str] | None:
    """--source values, each a source of config.yaml or of listings in the store; None when none was given."""
    if not given:
        return None
    known = list(dict.fromkeys([*(s.name for s in _config(ctx).sources), *store.listing_sources()]))
    for value in given:
        if value not in known:
            raise unknown("--source", value, "source", "sources", known)
    return list(given)


# Bidirectional overrides and isolates reorder what a terminal shows (a name could make its line read as
# another); with the C0/C1 controls (a newline could forge a line, an escape recolour the screen) they are
# shown as escapes in text output. --json keeps every name as it is: there it is evidence.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: Any) -> str:
    """``text`` safe for one line of a terminal or a tab-separated column: controls shown as ``\\n``, ``\\x1b``…"""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) == "Cc" or c in _BIDI
                   else c for c in text)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns (a Chinese character takes two), ending in … when cut."""
    text = " ".join(text.split())
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def when(stored: str | None) -> str:
    """A stored UTC time for people: ``2026-11-20T02:00:05Z (2026-11-20 10:00:05 Asia/Shanghai)``."""
    if not stored:
        return "-"
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
    except ValueError:
        return stored
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    return f"{moment:%Y-%m-%dT%H:%M:%SZ} ({local:%Y-%m-%d %H:%M:%S} Asia/Shanghai)"


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="brandwatch")
@click.option("--config", "config_path", default=None, metavar="FILE",
              help="The configuration file (default: $BRANDWATCH_CONFIG, else config.yaml in this folder or the "
                   "nearest parent folder that has one). Paths in it are relative to its folder.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """brandwatch: find names that imitate your marks, and why."""
    ctx.ensure_object(dict)
    ctx.obj["config_arg"] = config_path


_watchlists_option = click.option(
    "--watchlists", type=click.Path(file_okay=False), default=None,
    help="Folder of watchlist YAML files (default: config.yaml's `watchlists`, else ./watchlists).",
)




def _setup_logging(log_format: str) -> None:
    import logging

    from ..logs import JsonFormatter, install

    handler = install(logging.StreamHandler())  # secrets masked in every line
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger("brandwatch")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


_log_option = click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
                           help="Logs on stderr: for people, or one JSON object a line (Chinese kept as is).")




# -- the legal team's workflow ------------------------------------------------------

def _store(ctx: click.Context, must_exist: bool = True):
    from ..store import Store

    config = _config(ctx)
    if must_exist and not Path(config.database).exists():
        raise _not_found(ctx, config.database, "database", "database",
                         "run `brandwatch run --once` (or `make demo`) to make it", problem="no database yet")
    return config, Store(config.database)


def _since(value: str | None, option: str = "--since") -> str | None:
    """A date or time the user typed (2026-11-01, 2026-11-01T08:00) as a UTC ISO string for the store."""
    if not value:
        return None
    try:
        return typed_time(value, option)
    except ValueError as e:
        raise BrandwatchError(str(e)) from None


def _filters(f):
    from ..review import STATUSES

    f = click.option("--status", multiple=True, type=_Among("status", "statuses", STATUSES),
                     help="Only hits with this status (repeatable).")(f)
    f = click.option("--severity", multiple=True, type=_Among("severity", "severities", SEVERITIES),
                     help="Only hits of this severity (repeatable).")(f)
    f = click.option("--mark", multiple=True, help="Only hits on this mark: its id, name or alias (repeatable).")(f)
    f = click.option("--source", multiple=True, help="Only hits from this source (repeatable).")(f)
    f = click.option("--since", default=None, help="Only hits first seen on or after this date (Asia/Shanghai).")(f)
    f = click.option("--rule", multiple=True, type=_Among("rule", "rules", all_rules()),
                     help="Only hits one of whose rules is this (homophone, fake_contact, related …; repeatable).")(f)
    return f


def all_rules() -> tuple[str, ...]:
    """The matcher's rules and the leads' (fake_contact, related): what a hit's rule column may name."""
    from ..leads.rules import all_rules as rules

    return tuple(rules())


def _query(ctx: click.Context, store, status, severity, mark, source, since,
           until: str | None = None, rule: Sequence[str] = ()) -> list[HitRecord]:
    """The hits the filters select; a mark or source the watchlists, config and store do not know is an error."""
    return store.hit_records(status=status or None, severity=severity or None, mark=_marks(ctx, store, mark),
                             source=_sources(ctx, store, source), since=_since(since), until=_since(until, "--until"),
                             rule=rule or None)


def _tabbed_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: tabs to the next multiple of 8, Chinese characters two each."""
    col = 0
    for c in text:
        col = (col // 8 + 1) * 8 if c == "\t" else col + _width(c)
    return col


REASON_WIDTH = 60  # the reason column when the output is not a terminal (a pipe, a file): `show` has it whole
