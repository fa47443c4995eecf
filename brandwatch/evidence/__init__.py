"""Evidence bundles: everything about one hit a lawyer hands to a notary, hashed so a changed byte shows.

A bundle is a folder or a .zip::

    captures/<capture id>.warc.gz   every kept response that showed the listing, copied byte for byte
                                    from the WARC archive: one gzip member, one WARC response record
    record.json                     the listing as parsed, its name/status history and its sightings
    match.json                      the hit: mark, owner, rule, score, explanation, the team's decision
    audit.jsonl                     this hit's review history, each entry with its chain hash
    screenshot.png                  the captured page rendered offline by headless Chromium (when installed)
    README.txt                      what this is and is not, in Chinese and English
    manifest.json                   each file's size, SHA-256 and SM3; each capture's time (UTC and
                                    Beijing), URLs, HTTP status and body SHA-256; the audit chain's head
    manifest.sha256                 the SHA-256 of manifest.json (``sha256sum -c manifest.sha256`` checks it)

The modules: ``hashing`` (SHA-256, SM3, the two clocks), ``screenshot``
(Chromium, offline), ``bundle`` (building: refuses evidence that no longer
matches the store) and ``verify`` (a bundle against its manifest, read within
bounds; the whole store against its archive). WARC records are read by
``captures.parse_record``, the one reader.

What verification can and cannot show. :func:`verify_bundle` re-hashes every
file against the manifest and the manifest against ``manifest.sha256``, so an
accidental or careless change is caught and named. Someone who rewrites a
file, the manifest and ``manifest.sha256`` together is not caught by the
bundle alone: that is what the notary (公证) or 存证 platform's own record of
the manifest's hash is for, and README.txt says so. The audit entries of one
hit are a subsequence of the store's single chain, so in a bundle each
entry's own hash is recomputed (brandwatch.audit.entry_hash), entries with
consecutive ids must link (``prev_hash``), entry 1 must follow the genesis
hash, and the last entry must be at or before the chain head recorded in the
manifest (equal to it when it is the head). The links to other hits' entries
in between can only be checked against the store (:func:`verify_store`).
"""

from __future__ import annotations

from ..errors import EvidenceError
from .bundle import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    MANIFEST,
    MANIFEST_SHA256,
    BundleResult,
    build_bundle,
    capture_ids,
)
from .hashing import SM3_IMPLEMENTATIONS, sm3_hex, sm3_implementation
from .screenshot import CHROMIUM_NAMES, SCREENSHOT, find_chromium
from .verify import (
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    one_line,
    verify_bundle,
    verify_store,
)

_capture_ids = capture_ids  # the name web/views.py imports from before the split

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "CHROMIUM_NAMES",
    "MANIFEST",
    "MANIFEST_SHA256",
    "MAX_ENTRIES",
    "MAX_FILE_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "SCREENSHOT",
    "SM3_IMPLEMENTATIONS",
    "BundleResult",
    "EvidenceError",
    "build_bundle",
    "capture_ids",
    "find_chromium",
    "one_line",
    "sm3_hex",
    "sm3_implementation",
    "verify_bundle",
    "verify_store",
]
