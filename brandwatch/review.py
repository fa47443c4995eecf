"""Review: what the legal team decides about a hit, and the audit log of every decision.

Statuses, in the order a case moves::

    new ─► confirmed ─► complaint_filed · letter_sent · suit_filed · judgment   (enforcement, any order)
      │        │                │
      │        └───────────────►└─► name_changed · deregistered · removed      (outcomes)
      │                                   │
      ├─► dismissed (a false alarm)       └─► reemerged ─► enforcement again
      └─► allowlisted (the owner's own: its name joins the owner's allow list)
"""

from __future__ import annotations

TRIAGE = ("new", "confirmed", "dismissed", "allowlisted")
ENFORCEMENT = ("complaint_filed", "letter_sent", "suit_filed", "judgment")
OUTCOMES = ("name_changed", "deregistered", "removed", "reemerged")
STATUSES = (*TRIAGE, *ENFORCEMENT, *OUTCOMES)
