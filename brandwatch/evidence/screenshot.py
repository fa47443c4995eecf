"""The screenshot in a bundle: the captured page rendered by headless Chromium, offline, no script.

Chromium sees only the captured bytes, sanitised (capture_view.py): scripts,
frames, objects and event handlers removed, every address made inert, so
nothing is fetched and no script runs; a Content-Security-Policy lets in
nothing but inline styles and data: images, as a second wall; every request
goes to a proxy that is not there, names do not resolve, and it uses a
throwaway profile. The row that shows the hit's name is outlined. (Chromium's
own switch for turning scripts off, ``--blink-settings=scriptEnabled=false``,
makes Debian's chromium write no PNG at all, so it is not used.)

The PNG is checked before it goes into the bundle: a real image of at least
200×100 pixels with more than one colour; otherwise, or without a Chromium,
the bundle says why there is no screenshot.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..capture_view import content_type, render_capture
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


# Chromium sees only the captured bytes: every request goes to a proxy that is not there, names do not resolve, and
# it uses a throwaway profile. Scripts are removed from the page and refused by its CSP (see the docstring).
OFFLINE_FLAGS = (
    "--headless=new", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--window-size=1280,2000",
    "--no-first-run", "--disable-extensions", "--disable-sync", "--disable-background-networking",
    "--disable-component-update", "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-quic",
)
# Only what the capture itself holds may appear: inline styles and data: images; no script, no file:// or remote
# resource (a captured page could otherwise show a local file in the exhibit).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
MIN_SIZE = (200, 100)


def page_html(record: WarcRecord, name: str = "") -> tuple[bytes, bool]:
    """(the page Chromium opens from disk, whether the hit's row is outlined in it)."""
    view = render_capture(record.body, content_type(record.headers), name,
                          head=f'<meta http-equiv="Content-Security-Policy" content="{CSP}">')
    return view.page, view.marked


def check_png(data: bytes) -> str:
    """Why ``data`` is not a usable screenshot ('' when it is): not a PNG, too small, or one colour only."""
    from PIL import Image, UnidentifiedImageError

    if not data.startswith(_PNG_MAGIC):
        return "not a PNG"
    try:
        with Image.open(io.BytesIO(data)) as im:
            size = im.size
            colours = im.convert("RGB").getcolors(maxcolors=2)
    except (UnidentifiedImageError, OSError, ValueError) as e:
        return f"not a readable PNG ({e})"
    if size[0] < MIN_SIZE[0] or size[1] < MIN_SIZE[1]:
        return f"{size[0]}×{size[1]} pixels, smaller than {MIN_SIZE[0]}×{MIN_SIZE[1]}"
    if colours is not None and len(colours) < 2:
        return "a blank image (one colour)"
    return ""


def chromium_version(chromium: str) -> str:
    try:
        done = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else ""


def take_screenshot(record: WarcRecord, chromium: str, name: str = "") -> tuple[bytes | None, str, bool]:
    """(PNG bytes or None, what happened, whether the row showing ``name`` is outlined) for one captured page."""
    timeout = SCREENSHOT_TIMEOUT
    with tempfile.TemporaryDirectory(prefix="brandwatch-shot-") as tmp:
        page = Path(tmp) / "capture.html"
        html, marked = page_html(record, name)
        page.write_bytes(html)
        png = Path(tmp) / SCREENSHOT
        cmd = [chromium, *OFFLINE_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", f"--screenshot={png}",
               page.as_uri()]
        try:
            # its own process group, so a timeout ends Chromium's helper processes too
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            return None, f"screenshot skipped: cannot start {chromium} ({e.strerror})", False
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return None, f"screenshot skipped: {chromium} did not finish within {timeout:g}s", False
        data = png.read_bytes() if png.exists() else b""
        if not data.startswith(_PNG_MAGIC):
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
            return None, f"screenshot skipped: {chromium} wrote no PNG ({tail[0]})", False
        if problem := check_png(data):
            return None, f"screenshot skipped: {chromium} wrote {problem}", False
        row = ", the hit's row outlined" if marked else " (the hit's name was not found in it to outline)"
        return data, f"{SCREENSHOT}: the captured page rendered offline by {chromium}{row}", marked
