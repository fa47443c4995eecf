"""The legal team's web workspace: the store, the review workflow and the evidence, in a browser.

A server-rendered Flask app over the same library functions as the CLI (no
second copy of a rule or a query): ``store.hit_records`` for the inbox,
``review.review`` for every decision (the same hash-chained audit log, under
the signed-in user's name), ``evidence.build_bundle``, ``export.export_hits``,
the report and the matcher. Plain HTML forms, no script; Jinja2 escapes every
crawled string.

Security, in the order a request meets it:

1. waitress binds to 127.0.0.1 unless told otherwise (``brandwatch web --host``);
   put a TLS reverse proxy in front for anything else (README).
2. Every response carries a strict Content-Security-Policy (no inline script,
   nothing from elsewhere), ``X-Frame-Options``/``frame-ancestors`` and
   ``nosniff``. A captured page is served apart, sandboxed, with no script and
   no network (``default-src 'none'``), inside a sandboxed frame.
3. Sessions live in signed cookies (HttpOnly, SameSite=Lax, Secure), expire
   after ``session_hours``, and carry the user's name only: the role is read
   from the store on every request, so a disabled account is out at once.
4. A POST whose Origin (or, without one, Referer) names another host is refused
   (403), and every POST carries a CSRF token (Flask-WTF); no GET changes
   anything.
5. Sign-in is rate-limited per address (Flask-Limiter; failed attempts only)
   and costs the same time for an unknown name as for a wrong password
   (accounts.py).
6. Roles: a viewer reads; a reviewer also reviews, builds bundles and exports;
   an admin also manages users and watchlists (accounts.py).
"""

from __future__ import annotations

from .app import create_app, serve

__all__ = ["create_app", "serve"]
