"""The audit log's one table: an append-only, hash-chained sequence of entries."""

from __future__ import annotations

from piccolo.columns import BigInt, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["AuditEntry"]


class AuditEntry(Table, tablename="kernel_audit_entry"):
    """One recorded action. Rows are only ever inserted (see docs/audit.md).

    ``member_id`` and ``grant_id`` are plain integers, not foreign keys: an entry must outlive
    the member or grant it names, and a cascading delete would be a write to the log.
    """

    # Gapless, assigned by ``append`` under a lock; the primary key makes it unique.
    position = BigInt(primary_key=True)
    occurred_at = Timestamptz()
    actor = Varchar(length=64)
    action = Varchar(length=128, index=True)
    member_id = BigInt(null=True, default=None, index=True)
    subject = Text(default="")
    details = Text(default="{}")
    grant_id = BigInt(null=True, default=None, index=True)
    # Unique: two entries naming the same predecessor would be a fork. The index also makes
    # verify's "where did this entry's successor go" lookup cheap.
    prev_hash = Varchar(length=64, unique=True)
    hash = Varchar(length=64)
