"""The legal team's workflow: hits, show, review, allow, audit, proposals."""


from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..config import (
    load_watchlists,
)
from ..errors import BrandwatchError, ConfigError
from .common import (
    REASON_WIDTH,
    _filters,
    _query,
    _store,
    _tabbed_width,
    _watchlists,
    _width,
    main,
    printable,
    shorten,
    unknown,
    when,
)


@main.command()
@_filters
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object a line on stdout (every field, the reason whole).")
@click.pass_context
def hits(ctx: click.Context, status, severity, mark, source, since, rule, as_json: bool) -> None:
    """List hits in the store (oldest first): id, status, severity, score, name, mark, rule, reason (shortened;
    `brandwatch show HIT` has it whole), source, and open follow-up proposals."""
    import shutil

    _, store = _store(ctx)
    with store:
        rows = _query(ctx, store, status, severity, mark, source, since, rule=rule)
        proposed: dict[int, list[str]] = {}
        for p in store.proposals("open"):
            proposed.setdefault(p["hit_id"], []).append(p["outcome"])
    terminal = shutil.get_terminal_size((0, 0)).columns if sys.stdout.isatty() else 0
    for r in rows:
        if as_json:
            click.echo(json.dumps({**r.flat(), "proposed": proposed.get(r.id, [])}, ensure_ascii=False))
            continue
        extra = f"  [proposed: {', '.join(proposed[r.id])}]" if r.id in proposed else ""
        who = f" @{r.assignee}" if r.assignee else ""
        head = "\t".join(map(printable, (r.id, r.status + who, r.severity, r.score, r.listing.name,
                                          r.mark, r.rule, "")))
        tail = f"\t{printable(r.listing.source)}{extra}"
        room = terminal - _tabbed_width(head) - _width(tail) - 8 if terminal else REASON_WIDTH
        click.echo(f"{head}{shorten(printable(r.explanation), max(room, 20))}{tail}")
    if not as_json:
        click.echo(f"{len(rows)} hit(s)", err=True)


@main.command()
@click.argument("args", nargs=-1, required=True, metavar="HIT... [STATUS]")
@click.option("--note", default="", help="Why: kept in the audit log with the change, and in the hit's notes "
                                        "(the export's 备注 column).")
@click.option("--by", default=None, help="Who decides (default: $BRANDWATCH_USER, else the login name).")
@click.option("--assign", "assignee", default=None, help="Give the hit to this person.")
@click.option("--tag", "add_tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "remove_tags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--force", is_flag=True, help="Allow a move the workflow does not (to correct a mistake); logged.")
@click.pass_context
def review(ctx: click.Context, args: tuple[str, ...], note: str, by: str | None, assignee: str | None,
           add_tags: tuple[str, ...], remove_tags: tuple[str, ...], force: bool) -> None:
    """Record a decision: `brandwatch review 12 15 confirmed --note "仿冒字号"`.

    Statuses: new, confirmed, dismissed, allowlisted; complaint_filed, letter_sent,
    suit_filed, judgment; name_changed, deregistered, removed, reemerged.
    Every change goes to the hash-chained audit log. Moving an allowlisted hit to
    another status takes its name off the allow list.
    """
    from ..review import STATUSES, default_actor
    from ..review import review as do_review

    status = args[-1] if args and not args[-1].isdigit() else None
    ids_text = args[:-1] if status else args
    if status is not None and status not in STATUSES:
        raise unknown("review", status, "status", "statuses", STATUSES,
                      fix="give hit ids (numbers from `brandwatch hits`) and then one status")
    if not ids_text:
        raise BrandwatchError(f"review {status}: give at least one hit id before the status, "
                              f"e.g. `brandwatch review 12 {status}`")
    bad = [a for a in ids_text if not a.isdigit()]
    if bad:
        raise BrandwatchError(f"review {bad[0]}: not a hit id (a number from `brandwatch hits`)")
    _, store = _store(ctx)
    with store:
        changes = do_review(store, [int(a) for a in ids_text], status, by=by or default_actor(), note=note,
                            assignee=assignee, add_tags=add_tags, remove_tags=remove_tags, force=force)
    for c in changes:
        click.echo(printable(f"hit {c.hit_id}: {'; '.join(map(_change, c.entries)) or 'unchanged'}"))


def _change(entry: dict[str, Any]) -> str:
    """One audit entry in a line: ``status new→confirmed``, ``allow list + 某某公司``, ``note``."""
    if entry["action"] == "note":
        return "note"
    if entry["action"] == "allow":
        return f"allow list + {entry['new']}" if entry["new"] else f"allow list − {entry['old']}"
    return f"{entry['action']} {entry['old']}→{entry['new']}".strip()


@main.command()
@click.argument("hit_id", metavar="HIT")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (show version 1).")
@click.pass_context
def show(ctx: click.Context, hit_id: str, as_json: bool) -> None:
    """Everything about one hit: the listing, the mark, rule, score and why; the decision, notes and tags;
    the captures (SHA-256, WARC file and offset), sightings and name history, proposals and the audit trail."""
    from ..review import hit_details

    if not hit_id.isdigit():
        raise BrandwatchError(f"show {hit_id}: not a hit id (a number from `brandwatch hits`)")
    config, store = _store(ctx)
    with store:
        doc = hit_details(store, int(hit_id))
    for c in doc["captures"]:  # the store keeps the WARC file's name; a person needs where it is
        c["warc_path"] = str(config.captures_dir / c["warc_file"])
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    for line in _show_lines(doc):
        click.echo(printable(line))  # the lines are ours; a name's or note's controls are escaped


def _show_lines(doc: dict[str, Any]) -> list[str]:
    """``show``'s text: labels in Chinese with the English beside them, times in UTC and Asia/Shanghai."""
    from ..labels import severity_label, status_label
    from ..leads.rules import all_rules
    from ..report.figures import FIELD_LABELS

    rules = all_rules()

    h, listing = doc["hit"], doc["listing"]

    def status(code: str) -> str:
        return status_label(code) or "-"

    def row(label: str, value: Any) -> str:
        return f"  {label}{' ' * max(2, 26 - _width(label))}{value}"

    out = [f"hit {h['id']}: {listing['name']}", ""]
    out += [
        row("名称 name", listing["name"]),
        row("类型 kind", listing["kind"]),
        row("来源 source", f"{listing['source']} (key {listing['key']})"),
        row("网址 URL", listing["url"] or "-"),
    ]
    for name, value in (listing["fields"] or {}).items():
        if name not in ("name", "url", "status"):  # shown in their own rows
            out.append(row(FIELD_LABELS.get(name, name), value))
    out += [
        row("登记状态 listing status", listing["status"] or "-"),
        row("首次发现 first seen", when(listing["first_seen"])),
        row("最近发现 last seen", when(listing["last_seen"])),
        "",
        row("商标 mark", f"{h['mark']} ({h['mark_id']})"),
        row("权利人 owner", h["owner"] or "-"),
    ]
    for name in h["rule"].split("+"):
        rule = rules.get(name)
        out.append(row("规则 rule", f"{name}: {rule.basis}" if rule else name))
    out += [
        row("分数 score", h["score"]),
        row("风险等级 severity", severity_label(h["severity"])),
        row("相同部分 span", h["span"]),
        row("理由 explanation", h["explanation"]),
        row("命中首次 hit first seen", when(h["first_seen"])),
        "",
        row("状态 status", status(h["status"]) + (f" since {when(h['status_at'])}" if h["status_at"] else "")),
        row("负责人 assignee", h["assignee"] or "-"),
        row("标签 tags", ", ".join(h["tags"]) or "-"),
        row("白名单 allow list", "on the owner's allow list" if doc["allowlisted_name"] else "no"),
        row("已提醒 alerted", when(h["alerted_at"])),
    ]
    notes = (h["notes"] or "").splitlines() or ["-"]
    out += [row("备注 notes", notes[0]), *(row("", n) for n in notes[1:])]
    out += ["", f"取证 captures ({len(doc['captures'])})"]
    for c in doc["captures"]:
        out += [f"  capture {c['id']}  {when(c['fetched_at'])}  HTTP {c['status']}  {c['size']:,} bytes",
                f"      URL      {c['final_url']}" + (f" (asked {c['request_url']})"
                                                      if c["request_url"] != c["final_url"] else ""),
                f"      SHA-256  {c['sha256']}",
                f"      WARC     {c.get('warc_path') or c['warc_file']} offset {c['warc_offset']} "
                f"length {c['warc_length']}"]
    out += ["", f"出现记录 sightings ({len(doc['sightings'])}): first showing and each change"]
    out += [f"  {when(x['seen_at'])}  {x['name']}" + (f"  [{x['status']}]" if x["status"] else "")
            + (f"  capture {x['capture_id']}" if x["capture_id"] else "") for x in doc["sightings"]]
    if doc["changes"]:
        out += ["", f"名称与状态变更 name and status history ({len(doc['changes'])})"]
        out += [f"  {when(c['seen_at'])}  {c['field']}: {c['old']} → {c['new']}"
                + (f"  capture {c['capture_id']}" if c["capture_id"] else "") for c in doc["changes"]]
    out += ["", f"跟进建议 follow-up proposals ({len(doc['proposals'])})"]
    out += [f"  {p['outcome']} ({p['state']})  seen {when(p['seen_at'])}  {p['reason']}" for p in doc["proposals"]]
    out += ["", f"审计记录 audit trail ({len(doc['audit'])})"]
    out += [f"  {e['id']}  {when(e['at'])}  {e['actor']}  {_change(e)}" + (f"  — {e['note']}" if e["note"] else "")
            for e in doc["audit"]]
    return out


@main.group(name="allow")
def allow_group() -> None:
    """Names the team allowlisted from hits (review HIT allowlisted): list them, or take one off."""


@allow_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.pass_context
def allow_list(ctx: click.Context, as_json: bool) -> None:
    """The names on the owners' allow lists: those the team added from hits (removable here) and those in the
    watchlists' `allow:` (changed in their files)."""
    _, store = _store(ctx)
    with store:
        rows = store.allow_rows()
    try:
        lists = load_watchlists(_watchlists(ctx, None))
    except ConfigError:
        lists = ()
    for wl in lists:
        for name in wl.allow:
            rows.append({"owner": wl.owner, "name": name, "file": wl.source})
    for r in rows:
        if as_json:
            click.echo(json.dumps(r, ensure_ascii=False))
        elif "file" in r:
            click.echo(f"{printable(r['owner'])}\t{printable(r['name'])}\tin {r['file']}")
        else:
            click.echo(f"{printable(r['owner'])}\t{printable(r['name'])}\tfrom hit {r['hit_id']}, by "
                       f"{printable(r['added_by'])}, {when(r['added_at'])}")
    click.echo(f"{len(rows)} name(s)", err=True)


@allow_group.command(name="remove")
@click.argument("target", metavar="NAME|HIT")
@click.option("--owner", default=None, help="When the name is on several owners' lists: whose.")
@click.option("--note", default="", help="Why: kept in the audit log.")
@click.option("--by", default=None, help="Who decides (default: $BRANDWATCH_USER, else the login name).")
@click.pass_context
def allow_remove(ctx: click.Context, target: str, owner: str | None, note: str, by: str | None) -> None:
    """Take a name off the allow list (audited); the hit allowlisted under it goes back to new, and the
    matcher reports the name again from the next run. TARGET is the name, or the hit's id."""
    from ..review import default_actor, remove_allowed

    _, store = _store(ctx)
    with store:
        removed = remove_allowed(store, target, by=by or default_actor(), owner=owner, note=note)
    for r in removed:
        back = f"; hit {', '.join(map(str, r.reopened))} back to new" if r.reopened else ""
        click.echo(printable(f"removed {r.name} from the allow list of {r.owner}{back}"))


@main.group()
def audit() -> None:
    """The review history (append-only, hash-chained)."""


@audit.command(name="verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Check every audit entry and link; exit 1 if anything was changed or deleted."""
    from ..review import verify_audit

    _, store = _store(ctx)
    with store:
        problems = verify_audit(store)
        n = len(store.audit_entries())
    for p in problems:
        click.echo(p)
    if problems:
        click.echo(f"audit log: {len(problems)} problem(s) in {n} entries", err=True)
        ctx.exit(1)
    click.echo(f"audit log intact: {n} entries")


@audit.command(name="log")
@click.argument("hit_id", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.pass_context
def audit_log(ctx: click.Context, hit_id: int | None, as_json: bool) -> None:
    """Show the audit log (of one hit, or all)."""
    _, store = _store(ctx)
    with store:
        entries = store.audit_entries(hit_id)
    for e in entries:
        if as_json:
            click.echo(json.dumps(e, ensure_ascii=False))
        else:
            click.echo("\t".join(map(printable, (e["id"], e["at"], f"hit {e['hit_id']}", e["actor"], e["action"],
                                                 f"{e['old']}→{e['new']}", e["note"]))))


@main.command()
@click.option("--all", "show_all", is_flag=True, help="Also proposals already accepted or rejected.")
@click.pass_context
def proposals(ctx: click.Context, show_all: bool) -> None:
    """Outcomes brandwatch proposes for watched hits, and entities related to confirmed imitators.

    Accept an outcome with `brandwatch review HIT OUTCOME`; a related entity is a hit with the rule
    `related`: review it like any hit (`brandwatch review HIT confirmed` or `dismissed`).
    """
    _, store = _store(ctx)
    with store:
        rows = store.proposals(None if show_all else "open")
        related = store.hit_records(rule="related", status=None if show_all else "new", order="id")
    for p in rows:
        click.echo("\t".join(map(printable, (f"hit {p['hit_id']}", p["outcome"], p["state"], p["seen_at"],
                                             p["reason"]))))
    for h in related:
        click.echo("\t".join(map(printable, (f"hit {h.id}", "related", h.status, h.last_seen, h.explanation))))
    click.echo(f"{len(rows) + len(related)} proposal(s)", err=True)


@main.command()
@click.argument("hit_id", metavar="HIT", type=int)
@click.option("--steps", type=click.IntRange(1, 4), default=2, show_default=True,
              help="How many links from the hit's listing to follow.")
@click.option("--json", "as_json", is_flag=True, help="The network as one JSON object.")
@click.option("--svg", "svg_path", type=click.Path(dir_okay=False), default=None,
              help="Also draw the network to this SVG file.")
@click.pass_context
def network(ctx: click.Context, hit_id: int, steps: int, as_json: bool, svg_path: str | None) -> None:
    """The entities linked to HIT's listing within --steps links, with what each link shares.

    Links are shared credit codes, legal representatives and shareholders (qualified by city), addresses,
    phones, e-mail, WeChat and QQ ids and websites (README "Actor networks").
    """
    from ..networks import hit_network

    _, store = _store(ctx)
    with store:
        doc = hit_network(store, hit_id, steps)
    if svg_path:
        with open(svg_path, "w", encoding="utf-8") as f:
            f.write(doc["svg"])
    if as_json:
        click.echo(json.dumps({k: v for k, v in doc.items() if k != "svg"}, ensure_ascii=False))
        return
    click.echo(f"hit {doc['hit']}  {printable(doc['name'])}  (listing {doc['listing']}, mark {doc['mark']})")
    attrs = ", ".join(f"{a['kind']}={a['value']}" for a in doc["attributes"]) or "none kept"
    click.echo(f"  attributes: {printable(attrs)}")
    if not doc["connected"]:
        click.echo(f"  no entity is linked within {steps} step(s)")
    for c in doc["connected"]:
        marks = ", ".join(f"{m} ({r})" for m, r in c["hits"].items()) or "no hit"
        click.echo(f"  {c['steps']} step(s)  listing {c['listing']}  {printable(c['name'])}  [{c['kind']}, "
                   f"{c['source']}; {marks}]")
        click.echo(f"      {printable(c['reason'])}")
    for h in doc["hubs_left_out"]:
        click.echo(f"  left out (shared by {h['listings']} listings): {h['kind']}={printable(h['value'])}")
    click.echo(f"{len(doc['connected'])} linked entit{'y' if len(doc['connected']) == 1 else 'ies'}"
               + (f"; drawn to {svg_path}" if svg_path else ""), err=True)
