"""What an audit entry's hash covers, exactly (docs/audit.md quotes this module).

Pure functions, shared by ``append`` and ``verify``: the two must never disagree on a byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

__all__ = ["GENESIS_HASH", "canonical_json", "entry_hash", "format_instant"]

# The ``prev_hash`` of position 1: there is no previous entry.
GENESIS_HASH: Final = "0" * 64


def _plain(value: object) -> str:
    # Values that JSON cannot hold but audit details commonly carry: money (Decimal, never
    # float), instants and ids. Anything else is a caller's mistake and fails loudly.
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return format_instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"audit details cannot hold {type(value).__name__}: {value!r}")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces, non-ASCII kept as UTF-8, NaN and infinity refused.

    Equal data always gives the same text, so a hash over the text is a hash over the data.
    """
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_plain,
    )


def format_instant(instant: dt.datetime) -> str:
    """``2026-11-22T06:02:03.000123Z``: UTC, always six fractional digits.

    Both engines keep microseconds, so the stored instant reads back to the same text.
    """
    if instant.tzinfo is None:
        raise ValueError("audit instants must be timezone-aware")
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    occurred_at: dt.datetime,
    actor: str,
    action: str,
    member_id: int | None,
    subject: str,
    details: str,
    grant_id: int | None,
    prev_hash: str,
) -> str:
    """SHA-256 (lower-case hex) of the UTF-8 canonical JSON object of the entry's fields.

    ``details`` is hashed as the stored text (already canonical JSON), not re-parsed, so a
    change of even one byte in it shows. ``prev_hash`` chains the entry to its predecessor,
    and through it to every earlier entry: that fixes the entry's place in the log, so the
    position itself is not hashed. Leaving it out lets ``verify`` tell an entry removed and
    hidden by renumbering the later ones (those still match their hashes: "deleted") from an
    entry whose fields changed ("edited").
    """
    fields: Mapping[str, object] = {
        "action": action,
        "actor": actor,
        "details": details,
        "grant_id": grant_id,
        "member_id": member_id,
        "occurred_at": format_instant(occurred_at),
        "prev_hash": prev_hash,
        "subject": subject,
    }
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()
