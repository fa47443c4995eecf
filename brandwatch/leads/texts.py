"""Read ``brandwatch texts`` input: JSON Lines, one text a line, streamed with every line bounded.

Each line is an object with ``text`` (required), ``id`` (a string or number; the line number when absent),
``kind`` (post, caption, comment, bio, page or map; post when absent) and ``images`` (optional: the
pictures that came with the text, paths relative to the file's folder; their QR codes are read). A bad
line is an error naming the file, the line and the fix; nothing is read past it, and what was written
before it stays written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..bounded import check_regular_file, read_regular_file, size_text
from ..errors import InputError

TEXT_KINDS = ("post", "caption", "comment", "bio", "page", "map")
#: A text file of many texts: a week of a vendor's feed fits; the lines are read one at a time.
TEXTS_MAX_BYTES = 4 * 2**30
#: One text: a long article or page body is a few hundred KiB.
LINE_MAX_BYTES = 4 * 2**20


#: One picture that came with a text (its QR codes are read); a photo is a few MiB.
IMAGE_MAX_BYTES = 20 * 2**20
IMAGES_PER_TEXT = 20


@dataclass(frozen=True)
class TextItem:
    id: str
    kind: str
    text: str
    line: int
    images: tuple[Path, ...] = ()  # pictures that came with it, relative paths taken from the file's folder

    def read_images(self) -> list[bytes]:
        """The pictures' bytes, each a regular file of at most IMAGE_MAX_BYTES (InputError names it)."""
        return [read_regular_file(p, IMAGE_MAX_BYTES, what="image", fix="give the picture itself, at most 20 MiB")
                for p in self.images]


def read_texts(path: Path) -> Iterator[TextItem]:
    """The texts of a JSONL file, in order; InputError names the line that is not one."""
    check_regular_file(path, TEXTS_MAX_BYTES, what="texts file",
                       fix="split it into files of at most 4 GiB")
    with open(path, "rb") as f:
        number = 0
        while True:
            raw = f.readline(LINE_MAX_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > LINE_MAX_BYTES and not raw.endswith(b"\n"):
                raise InputError(f"{path}: line {number}: longer than {size_text(LINE_MAX_BYTES)}; one text a "
                                 "line, cut long pages into parts")
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                doc = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                raise InputError(f"{path}: line {number}: not UTF-8 (byte {e.start + 1}); save the file as "
                                 "UTF-8") from None
            except json.JSONDecodeError as e:
                raise InputError(f"{path}: line {number}: not valid JSON ({e.msg} at column {e.colno}); "
                                 'each line is one object like {"id": "1", "kind": "post", "text": "…"}') from None
            yield _item(path, number, doc)


def _item(path: Path, number: int, doc: object) -> TextItem:
    where = f"{path}: line {number}"
    if not isinstance(doc, dict):
        raise InputError(f'{where}: must be a JSON object like {{"id": "1", "kind": "post", "text": "…"}}')
    text = doc.get("text")
    if not isinstance(text, str):
        raise InputError(f"{where}: needs \"text\", a string" + (f" (got {type(text).__name__})"
                                                                 if text is not None else ""))
    raw_id = doc.get("id", number)
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        raise InputError(f"{where}: \"id\" must be a string or a number")
    kind = doc.get("kind", "post")
    if kind not in TEXT_KINDS:
        raise InputError(f"{where}: kind {kind!r} is not one of {', '.join(TEXT_KINDS)}")
    images = doc.get("images", [])
    if not isinstance(images, list) or not all(isinstance(i, str) and i for i in images):
        raise InputError(f'{where}: "images" must be a list of file paths (["p1.png"]), relative to {path.parent}')
    if len(images) > IMAGES_PER_TEXT:
        raise InputError(f"{where}: {len(images)} images; at most {IMAGES_PER_TEXT} a text")
    return TextItem(str(raw_id), kind, text, number, tuple(path.parent / i for i in images))
