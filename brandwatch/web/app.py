"""The Flask application: configuration, security headers, sign-in and the store per request."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import StrictUndefined

from ..accounts import User, active_user, authenticate
from ..config import ConfigSpec, load_config
from ..errors import BrandwatchError
from ..store import Store

# The workspace's own pages: no script at all, styles from its one stylesheet, frames only of its own
# captured pages, forms posted only to itself, and never framed by another site (clickjacking).
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
# A captured page (hostile HTML): no script, no network, no forms, framed only by the workspace.
CAPTURE_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
               "form-action 'none'; base-uri 'none'; frame-ancestors 'self'")
SIGN_IN_LIMIT = "10 per minute;60 per hour"
MAX_FORM = 1024 * 1024  # bytes a request body may hold (the watchlist editor is the largest form)


class Workspace:
    """What every request shares: the config, the matcher (built once, on first use)."""

    def __init__(self, config: ConfigSpec, config_path: Path, chromium: str | None) -> None:
        self.config = config
        self.config_path = config_path
        self.chromium = chromium
        self._matcher: Any = None
        self._lock = threading.Lock()

    def store(self) -> Store:
        return Store(self.config.database)

    def matcher(self) -> Any:
        with self._lock:
            if self._matcher is None:
                from ..config import load_watchlists, risk_terms
                from ..index import matcher_for

                with self.store() as store:
                    allow = store.allow_names()
                from ..app import with_allowlisted

                watchlists = with_allowlisted(load_watchlists(Path(self.config.watchlists)), allow)
                self._matcher, _ = matcher_for(watchlists, risk_terms(self.config),
                                               database=Path(self.config.database))
            return self._matcher

    def forget_matcher(self) -> None:
        """The watchlists or the allow list changed: build the matcher again when next asked."""
        with self._lock:
            self._matcher = None


def _secret_key(database: Path) -> bytes:
    """The key that signs session cookies: made once, kept beside the database, readable only by its owner."""
    path = Path(str(database) + ".web-secret")
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(48))
    os.replace(tmp, path)
    return path.read_bytes()


def create_app(config_path: Path | str = "config.yaml", *, secure_cookies: bool = True,
               chromium: str | None = None, session_hours: float = 8.0) -> Flask:
    """The workspace for the config at ``config_path`` (its database, captures, watchlists and reports).

    ``secure_cookies=False`` only for plain HTTP on a name other than localhost (a browser keeps a
    Secure cookie over plain HTTP for localhost and 127.0.0.1 only); behind TLS leave it on.
    """
    config_path = Path(config_path)
    config = load_config(config_path)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(Path(config.database)),
        SESSION_COOKIE_NAME="brandwatch_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=session_hours),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=secure_cookies,
        MAX_CONTENT_LENGTH=MAX_FORM,
        MAX_FORM_MEMORY_SIZE=MAX_FORM,
    )
    app.jinja_env.undefined = StrictUndefined  # a misspelt field is an error in the tests, not an empty cell
    app.extensions["brandwatch"] = Workspace(config, config_path, chromium)
    @app.before_request
    def _user() -> None:  # before the CSRF check, so that its refusal page knows who asked
        g.user = None
        name = session.get("user")
        if name:
            with workspace().store() as store:
                g.user = active_user(store, name)
            if g.user is None:
                session.clear()

    @app.before_request
    def _same_site() -> Any:  # before the CSRF check: a form another site made is refused as that
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        sent = request.headers.get("Origin") or request.headers.get("Referer")
        if sent and not same_host(sent, request.host):
            return render_template("error.html", title="请求被拒绝 Request refused",
                                   message=f"此请求来自另一个网站 another site ({sent[:100]}); "
                                           "请在工作台自己的页面中操作。 "
                                           "Open the workspace itself and do it there."), 403
        return None

    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", default_limits=[])

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError) -> Any:
        return render_template("error.html", title="请求被拒绝 Request refused",
                               message=f"表单已过期或缺少安全令牌，请刷新页面后重试。 {e.description}"), 400

    @app.errorhandler(BrandwatchError)
    def _refused(e: BrandwatchError) -> Any:
        return render_template("error.html", title="无法完成 Cannot do that", message=str(e)), 400

    @app.errorhandler(403)
    def _forbidden(e: Any) -> Any:
        return render_template("error.html", title="无权限 Not allowed",
                               message="你的角色不能执行此操作。 Your role cannot do this."), 403

    @app.errorhandler(404)
    def _missing(e: Any) -> Any:
        return render_template("error.html", title="未找到 Not found", message=str(e.description)), 404

    @app.errorhandler(429)
    def _throttled(e: Any) -> Any:
        return render_template("error.html", title="尝试过多 Too many attempts",
                               message="登录尝试过多，请稍后再试。 Too many sign-in attempts; wait a minute."), 429

    @app.route("/login", methods=["GET", "POST"])
    # only attempts that did not sign in count: the limit is for guessing, and a team behind one office
    # address signing in and out all day must not lock itself out
    @limiter.limit(SIGN_IN_LIMIT, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
    def login() -> Any:
        if request.method == "POST":
            name = request.form.get("name", "").strip()
            with workspace().store() as store:
                user = authenticate(store, name, request.form.get("password", ""))
            if user is None:
                flash("用户名或密码错误。 Wrong name or password.", "error")
                return render_template("login.html", name=name), 401
            session.clear()  # a new session on sign-in (no fixation)
            session["user"] = user.name
            session.permanent = True
            target = request.args.get("next", "")
            return redirect(local_path(target) or url_for("inbox"))
        return render_template("login.html", name="")

    @app.get("/favicon.ico")
    def favicon() -> Any:
        return "", 204

    @app.post("/logout")
    def logout() -> Any:
        session.clear()
        return redirect(url_for("login"))

    from . import views

    views.register(app)
    return app


def local_path(target: str) -> str:
    """``target`` when it is a path on this site, else '' (no open redirect).

    A browser reads a backslash as a slash and drops tabs and line breaks anywhere in a URL, so
    ``//evil``, ``/\\evil``, ``/%5Cevil`` and ``/%09/evil`` all lead to another site. So the target is
    percent-decoded (up to three times: a proxy in front may decode once more) and refused if it then holds
    a backslash or a control character, or starts with ``//``, or has a scheme or host by Python's reading;
    one Python cannot read at all (``//／evil``: a host invalid under NFKC, which raised ValueError, a 500
    after sign-in) is refused too.
    """
    from urllib.parse import unquote, urlsplit

    if not target.startswith("/"):
        return ""
    plain = target
    for _ in range(3):
        decoded = unquote(plain)
        if decoded == plain:
            break
        plain = decoded
    if "\\" in plain or plain.startswith("//") or any(ord(c) < 32 or ord(c) == 127 for c in plain):
        return ""
    try:
        parts = urlsplit(plain)
    except ValueError:
        return ""
    if parts.scheme or parts.netloc:
        return ""
    return target


def same_host(sent: str, host: str) -> bool:
    """Whether an ``Origin`` or ``Referer`` (``sent``) names the host the request was made to (its Host).

    Host names are compared, not ports or schemes: behind the TLS proxy the README describes, the browser's
    origin is https://host:port while the Host the proxy passes on may carry neither. Another site is what
    this refuses; another port of the same host is the same site to a browser's cookies anyway. ``null``
    (a sandboxed frame, a page from a file) is no host, and refused.
    """
    from urllib.parse import urlsplit

    try:
        theirs, ours = urlsplit(sent.strip()).hostname, urlsplit("//" + host).hostname
    except ValueError:
        return False
    return theirs is not None and theirs == ours


def workspace() -> Workspace:
    from flask import current_app

    return current_app.extensions["brandwatch"]


def needs(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view for users of ``role`` or above; others are sent to sign in (none) or refused (403)."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user: User | None = g.get("user")
            if user is None:
                return redirect(url_for("login", next=request.full_path.rstrip("?")))
            if not user.can(role):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return wrap


def serve(config_path: Path | str, host: str = "127.0.0.1", port: int = 8750, *, secure_cookies: bool = True,
          threads: int = 4) -> None:
    """Serve the workspace with waitress until interrupted."""
    from waitress import serve as waitress_serve

    app = create_app(config_path, secure_cookies=secure_cookies)
    waitress_serve(app, host=host, port=port, threads=threads, ident="brandwatch")
