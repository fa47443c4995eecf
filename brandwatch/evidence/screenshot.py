"""The screenshot in a bundle: the captured page rendered by headless Chromium, offline, scripts off.

Chromium sees only the captured bytes: every request goes to a proxy that is
not there, names do not resolve, scripts do not run, and it uses a throwaway
profile; a Content-Security-Policy lets in nothing but the page's inline
styles and data: images; a meta refresh is disabled, not followed. So it shows
what the source answered then. Without a Chromium it is skipped with a message.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from ..captures import WarcRecord

SCREENSHOT = "screenshot.png"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
SCREENSHOT_TIMEOUT = 60  # seconds; a page that will not render must not hang a bundle
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium to render with: ``explicit`` (a path or a name on PATH), else the first of CHROMIUM_NAMES."""
    if explicit:
        return shutil.which(explicit)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


# Chromium sees only the captured bytes: every request goes to a proxy that is not there, names do not resolve,
# scripts do not run (they could fetch, or change the page from what was captured), and it uses a throwaway profile.
OFFLINE_FLAGS = (
    "--headless=new", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--window-size=1280,2000",
    "--no-first-run", "--disable-extensions", "--disable-sync", "--disable-background-networking",
    "--disable-component-update", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--blink-settings=scriptEnabled=false",
)


# Only what the capture itself holds may appear: no file:// or remote resources (a captured page could show a
# local file in the exhibit), inline styles and data: images only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
# a meta refresh would navigate away from the capture (to a local file, even): it is disabled, not followed
_REFRESH = re.compile(rb"http-equiv(\s*=\s*[\"']?\s*refresh)", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"


def page_html(record: WarcRecord) -> bytes:
    """The captured body as a page Chromium can open from disk, relative links resolved against its URL.

    The tags brandwatch adds (charset from the HTTP header, the CSP, the base
    URL) go first, after any doctype, so they are in force before anything
    the page holds; the page's own bytes are untouched but for a disabled refresh.
    """
    ctype = next((v for k, v in record.headers if k.lower() == "content-type"), "")
    m = re.search(r"charset=[\"']?([A-Za-z0-9_.:-]+)", ctype)
    charset = m.group(1) if m else ""
    # non-ASCII in the URL as UTF-8 percent escapes, so the tag is ASCII whatever the page's charset
    url = re.sub(r"[^\x00-\x7f]+", lambda m: quote(m.group()), record.target_uri)
    tags = f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><base href="{html.escape(url, quote=True)}">'
    body = record.body
    if "html" in ctype.lower() or (not ctype and body.lstrip(_BOM + b" \t\r\n")[:1] == b"<"):
        bom = _BOM if body.startswith(_BOM) else b""
        rest = _REFRESH.sub(rb"data-removed-http-equiv\1", body[len(bom):])
        doctype = re.match(rb"\s*<!doctype[^>]*>", rest, re.IGNORECASE)
        at = doctype.end() if doctype else 0  # never before the doctype: that would render in quirks mode
        inject = ((f'<meta charset="{charset}">' if charset else "") + tags).encode("ascii")
        return bom + rest[:at] + inject + rest[at:]
    try:
        text = body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    page = f'<!doctype html><meta charset="utf-8">{tags}<pre style="white-space:pre-wrap">{html.escape(text)}</pre>'
    return page.encode("utf-8")


def chromium_version(chromium: str) -> str:
    try:
        done = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else ""


def take_screenshot(record: WarcRecord, chromium: str) -> tuple[bytes | None, str]:
    """(PNG bytes or None, what happened) for one captured page rendered offline."""
    timeout = SCREENSHOT_TIMEOUT
    with tempfile.TemporaryDirectory(prefix="brandwatch-shot-") as tmp:
        page = Path(tmp) / "capture.html"
        page.write_bytes(page_html(record))
        png = Path(tmp) / SCREENSHOT
        cmd = [chromium, *OFFLINE_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", f"--screenshot={png}",
               page.as_uri()]
        try:
            # its own process group, so a timeout ends Chromium's helper processes too
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            return None, f"screenshot skipped: cannot start {chromium} ({e.strerror})"
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return None, f"screenshot skipped: {chromium} did not finish within {timeout:g}s"
        data = png.read_bytes() if png.exists() else b""
        if not data.startswith(_PNG_MAGIC):
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
            return None, f"screenshot skipped: {chromium} wrote no PNG ({tail[0]})"
        return data, f"{SCREENSHOT}: the captured page rendered offline by {chromium}"
