"""The workspace's pages. Each view reads a request, calls one library function, renders a template.

Reads are GET; every change is a POST carrying a CSRF token and is done by the
same function the CLI calls (``review.review``, ``allowlist.remove_allowed``,
``evidence.build_bundle``, ``accounts.add_user`` …), so the audit log and the
rules are one.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Response,
    abort,
    after_this_request,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from .. import labels
from ..accounts import ROLES, add_user, set_user
from ..capture_view import capture_page
from ..captures import CaptureArchive
from ..config import load_watchlist, load_watchlists
from ..errors import BrandwatchError, ConfigError
from ..evidence import _capture_ids as capture_ids
from ..leads.rules import all_rules
from ..models import KINDS, local_text, typed_time
from ..networks import hit_network
from ..review import STATUSES, TRANSITIONS, remove_allowed, review
from .app import CAPTURE_CSP, local_path, needs, workspace
from .present import name_segments

PAGE_SIZE = 50
MAX_SHOWN = 64 * 1024 * 1024  # bytes of a capture the frame will read at all (larger ones: the bundle)
SEVERITIES = ("high", "medium", "low")
SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = all_rules()  # the matcher's and the leads' (fake_contact, related)
STATUS_LABELS = labels.STATUS
SEVERITY_LABELS = labels.SEVERITY
OPEN = ("new", "confirmed", "complaint_filed", "letter_sent", "suit_filed", "judgment", "reemerged")


def _local_day_to_utc(value: str, field: str) -> str | None:
    if not value:
        return None
    try:
        return typed_time(value, field)
    except ValueError as e:
        raise BrandwatchError(str(e)) from None


def _filters(store: Any, facets: dict[str, list[str]] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(filters for the store, the form's values) from the query string; unknown values are refused."""
    facets = facets or store.hit_facets()
    known = {"status": STATUSES, "severity": SEVERITIES, "kind": KINDS, "rule": tuple(RULES),
             "mark": facets["mark"], "source": facets["source"], "assignee": facets["assignee"]}
    filters: dict[str, Any] = {}
    form: dict[str, Any] = {}
    for key, valid in known.items():
        values = [v for v in request.args.getlist(key) if v]
        bad = [v for v in values if v not in valid]
        if bad:
            raise BrandwatchError(f"{key} {bad[0]!r} is not known; the {key} values are: "
                                  f"{', '.join(valid) or '(none yet)'}")
        form[key] = values
        if values:
            filters[key] = values
    for key in ("since", "until"):
        form[key] = request.args.get(key, "")
        utc = _local_day_to_utc(form[key], key)
        if utc:
            filters[key] = utc
    if "status" not in filters and request.args.get("all") != "1":
        filters["status"] = list(OPEN)  # the inbox: what is still to do
    form["all"] = request.args.get("all") == "1"
    return filters, form


def register(app: Flask) -> None:
    app.jinja_env.filters["local"] = local_text  # models: Beijing time with its offset, for people
    app.jinja_env.globals.update(STATUS_LABELS=STATUS_LABELS, SEVERITY_LABELS=SEVERITY_LABELS, RULES=RULES,
                                 ROLES=ROLES)

    @app.get("/")
    @needs("viewer")
    def inbox() -> Any:
        with workspace().store() as store:
            facets = store.hit_facets()
            filters, form = _filters(store, facets)
            total = store.count_hits(**filters)
            pages = max(1, math.ceil(total / PAGE_SIZE))
            page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
            rows = store.hit_records(**filters, order="inbox", limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        query = {k: v for k, v in request.args.lists() if k != "page"}
        return render_template("inbox.html", rows=rows, total=total, page=page, pages=pages, form=form,
                               facets=facets, statuses=STATUSES, severities=SEVERITIES, kinds=KINDS, query=query,
                               bulk_statuses=STATUSES)

    @app.get("/hits/<int:hit_id>")
    @needs("viewer")
    def hit(hit_id: int) -> Any:
        with workspace().store() as store:
            found = store.hit_records(ids=[hit_id])
            if not found:
                abort(404, f"没有线索 {hit_id}。 No hit {hit_id}.")
            row = found[0]
            listing_id = row.listing_id
            sightings = store.sightings(listing_id)
            changes = store.listing_changes(listing_id)
            proposals = store.proposals(state=None, hit_id=hit_id)
            audit = store.audit_entries(hit_id)
            allowed = store.allow_rows(hit_id=hit_id)
            kept = [store.capture(cid) for cid in capture_ids(store, store.listing(listing_id))]
            captures = [c for c in kept if c][::-1]  # the newest first
            text = store.listing_text(listing_id)
            fakes = store.fake_contacts(listing_id=listing_id)
            network = hit_network(store, hit_id)
        segments = name_segments(row.listing.name, row.span, row.mark)
        rules = [RULES[r] for r in row.rule.split("+") if r in RULES]
        return render_template("hit.html", hit=row, segments=segments, rules=rules, sightings=sightings,
                               changes=changes, proposals=proposals, audit=audit, captures=captures, allowed=allowed,
                               text=text, fakes=fakes, network=network,
                               moves=TRANSITIONS.get(row.status, ()), statuses=STATUSES)

    @app.post("/hits/<int:hit_id>/review")
    @needs("reviewer")
    def review_hit(hit_id: int) -> Any:
        _review([hit_id])
        return redirect(url_for("hit", hit_id=hit_id))

    @app.post("/hits/review")
    @needs("reviewer")
    def review_many() -> Any:
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
        if not ids:
            flash("没有选择线索。 No hits were selected.", "error")
        else:
            _review(ids)
        back = request.form.get("back", "")
        return redirect(local_path(back) or url_for("inbox"))

    def _review(ids: list[int]) -> None:
        status = request.form.get("status") or None
        tags = [t.strip() for t in request.form.get("tags", "").split(",") if t.strip()]
        untags = [t.strip() for t in request.form.get("untags", "").split(",") if t.strip()]
        assignee = request.form.get("assignee")
        assignee = assignee.strip() if assignee else None
        with workspace().store() as store:
            changes = review(store, ids, status, by=g.user.name, note=request.form.get("note", "").strip(),
                             assignee=assignee or None, add_tags=tags, remove_tags=untags)
        if status in ("allowlisted",) or any(e["action"] == "allow" for c in changes for e in c.entries):
            workspace().forget_matcher()
        written = sum(len(c.entries) for c in changes)
        flash(f"已记录 {written} 条审核记录。 Recorded {written} audit entr{'y' if written == 1 else 'ies'}.", "ok")

    @app.post("/allow/remove")
    @needs("reviewer")
    def allow_remove() -> Any:
        target = request.form.get("target", "").strip()
        with workspace().store() as store:
            removed = remove_allowed(store, target, by=g.user.name, note=request.form.get("note", "").strip())
        workspace().forget_matcher()
        names = "、".join(sorted({r.name for r in removed}))
        flash(f"已从白名单移除 {names}；之后的运行会再次报告它。 Removed {names} from the allow list; "
              "runs report it again.", "ok")
        back = request.form.get("back", "")
        return redirect(local_path(back) or url_for("watchlists"))

    @app.get("/hits/<int:hit_id>/captures/<int:capture_id>")
    @needs("viewer")
    def capture(hit_id: int, capture_id: int) -> Any:
        with workspace().store() as store:
            found = store.hit_records(ids=[hit_id])
            row = store.capture(capture_id)
            if not found or row is None or capture_id not in capture_ids(store, store.listing(found[0].listing_id)):
                abort(404, f"线索 {hit_id} 没有取证 {capture_id}。 Hit {hit_id} has no capture {capture_id}.")
        if row["size"] > MAX_SHOWN:  # a feed file: not read into a request's memory; it is in the bundle
            page = (f"<!doctype html><meta charset='utf-8'><p>此取证共 {row['size']:,} 字节，太大，不在浏览器中显示；"
                    f"请下载证据包。 This capture is {row['size']:,} bytes, too large to show here; download the "
                    "evidence bundle.</p>").encode()
        else:
            kept = CaptureArchive(workspace().config.captures_dir).read(row["warc_file"], row["warc_offset"],
                                                                        row["warc_length"], row["sha256"])
            page = capture_page(kept, found[0].listing.name)
        response = Response(page, mimetype="text/html")
        response.headers["Content-Security-Policy"] = CAPTURE_CSP
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    @app.post("/hits/<int:hit_id>/bundle")
    @needs("reviewer")
    def bundle(hit_id: int) -> Any:
        from ..evidence import build_bundle

        ws = workspace()
        tmp = Path(tempfile.mkdtemp(prefix="brandwatch-bundle-"))

        @after_this_request
        def _cleanup(response: Any) -> Any:
            shutil.rmtree(tmp, ignore_errors=True)
            return response

        out = tmp / f"brandwatch-evidence-hit-{hit_id}.zip"
        with ws.store() as store:
            build_bundle(store, CaptureArchive(ws.config.captures_dir), hit_id, out, db_path=Path(ws.config.database),
                         chromium=ws.chromium)
        data = out.read_bytes()
        return send_file(_bytes_io(data), mimetype="application/zip", as_attachment=True, download_name=out.name)

    @app.get("/export")
    @needs("reviewer")
    def export() -> Any:
        from ..export import FORMATS, export_hits

        fmt = request.args.get("format", "xlsx")
        if fmt not in FORMATS:
            raise BrandwatchError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        with workspace().store() as store:
            filters, _ = _filters(store)
            rows = store.hit_records(**filters, order="inbox")
        with tempfile.TemporaryDirectory(prefix="brandwatch-export-") as tmp:
            out = Path(tmp) / f"brandwatch-hits.{fmt}"
            export_hits(rows, fmt, out)
            data = out.read_bytes()
        mime = {"csv": "text/csv", "jsonl": "application/jsonl",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[fmt]
        stamp = datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M")
        return send_file(_bytes_io(data), mimetype=mime, as_attachment=True,
                         download_name=f"brandwatch-hits-{stamp}.{fmt}")

    @app.get("/reports")
    @needs("viewer")
    def reports() -> Any:
        from ..report.weeks import default_week, previous_weeks

        week = request.args.get("week") or default_week()
        return render_template("reports.html", week=week, weeks=previous_weeks(default_week(), 12)[::-1])

    @app.get("/reports/<week>")
    @needs("viewer")
    def report(week: str) -> Any:
        from ..report import gather_figures, render_html
        from ..report.weeks import DEFAULT_TZ, parse_week

        ws = workspace()
        parse_week(week, DEFAULT_TZ)  # a bad week is a one-line error
        with ws.store() as store:
            figures = gather_figures(store, week, tz=DEFAULT_TZ)
        html = render_html(figures)
        response = Response(html, mimetype="text/html")
        # the report is one self-contained page with inline CSS and SVG, no script
        response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                                       "img-src data:; frame-ancestors 'none'")
        return response

    @app.get("/status")
    @needs("viewer")
    def status() -> Any:
        from ..app import build_context, source_status

        ws = workspace()
        rows = source_status(build_context(ws.config, ws.config_path))
        with ws.store() as store:
            counts = store.counts()
        return render_template("status.html", rows=rows, counts=counts)

    @app.get("/watchlists")
    @needs("viewer")
    def watchlists() -> Any:
        ws = workspace()
        lists = load_watchlists(Path(ws.config.watchlists))
        name = request.args.get("name", "").strip()[:200]
        kind = request.args.get("kind", "company")
        if kind not in KINDS:
            raise BrandwatchError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        checked = ws.matcher().match(name, kind) if name else None
        with ws.store() as store:
            allowed = store.allow_rows()
        return render_template("watchlists.html", lists=lists, name=name, kind=kind, kinds=KINDS, checked=checked,
                               files=_watchlist_files(), allowed=allowed)

    @app.get("/marks/<mark_id>/variants")
    @needs("viewer")
    def variants(mark_id: str) -> Any:
        from ..match.variants import generate_variants

        lists = load_watchlists(Path(workspace().config.watchlists))
        mark = next((m for wl in lists for m in wl.marks if m.id == mark_id), None)
        if mark is None:
            ids = [m.id for wl in lists for m in wl.marks]
            abort(404, f"没有商标 {mark_id}。 No mark {mark_id!r}; the marks are: {', '.join(ids)}")
        found = generate_variants(mark.terms, 60, mark.reading)
        return render_template("variants.html", mark=mark, variants=found)

    @app.route("/admin/watchlists/<filename>", methods=["GET", "POST"])
    @needs("admin")
    def edit_watchlist(filename: str) -> Any:
        ws = workspace()
        files = _watchlist_files()
        if filename not in files:
            abort(404, f"没有名单文件 {filename}。 No watchlist file {filename!r}.")
        path = Path(ws.config.watchlists) / filename
        text = path.read_text(encoding="utf-8")
        if request.method == "POST":
            text = request.form.get("text", "").replace("\r\n", "\n")
            try:
                _save_watchlist(path, text)
            except ConfigError as e:
                flash(f"未保存 Not saved: {e}", "error")
                return render_template("watchlist_edit.html", filename=filename, text=text), 400
            ws.forget_matcher()
            flash(f"已保存 {filename}（旧版本保存在 {filename}.bak）。 "
                  f"Saved; the old version is in {filename}.bak.", "ok")
            return redirect(url_for("edit_watchlist", filename=filename))
        return render_template("watchlist_edit.html", filename=filename, text=text)

    @app.route("/admin/users", methods=["GET", "POST"])
    @needs("admin")
    def users() -> Any:
        with workspace().store() as store:
            if request.method == "POST":
                action = request.form.get("action")
                name = request.form.get("name", "").strip()
                if action == "add":
                    add_user(store, name, request.form.get("role", ""), request.form.get("password", ""),
                             by=g.user.name)
                    flash(f"已添加用户 {name}。 Added {name}.", "ok")
                elif action in ("role", "disable", "enable"):
                    if name == g.user.name and action != "enable":
                        raise BrandwatchError("you cannot change or disable your own account here; "
                                              "another admin, or `brandwatch users set`, can")
                    set_user(store, name, role=request.form.get("role") if action == "role" else None,
                             disabled={"disable": True, "enable": False}.get(action))
                    flash(f"已更新用户 {name}。 Updated {name}.", "ok")
                else:
                    abort(400)
                return redirect(url_for("users"))
            rows = store.users()
        return render_template("users.html", users=rows)


def _watchlist_files() -> list[str]:
    folder = Path(workspace().config.watchlists)
    return sorted(p.name for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")])


def _save_watchlist(path: Path, text: str) -> None:
    """Write a watchlist only when it loads, and the whole folder with it; the old file stays as .bak."""
    with tempfile.TemporaryDirectory(prefix="brandwatch-wl-") as tmp:
        trial = Path(tmp) / path.name
        trial.write_text(text, encoding="utf-8")
        load_watchlist(trial)
        for other in path.parent.iterdir():
            if other.suffix in (".yaml", ".yml") and other.name != path.name:
                shutil.copy(other, Path(tmp) / other.name)
        load_watchlists(Path(tmp))  # ids stay unique across files
    shutil.copy2(path, path.with_name(path.name + ".bak"))
    tmp_path = path.with_name(f".{path.name}.tmp")
    tmp_path.write_text(text, encoding="utf-8")
    tmp_path.replace(path)


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
