"""The consent table: one row per grant, member-scoped data of the grantor.

``member`` is the grantor: its managers list, grant and revoke through
:func:`~kernel.db.scoped.scoped`. The grantee reads the grants it received through the
lookup index (``grantee, scope, purpose, member`` over live rows), which the migration creates
because piccolo declares single-column indexes only.
"""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, OnDelete, Serial, Timestamptz, Varchar

from kernel.db.scoped import MemberScopedTable
from kernel.tenancy.tables import Member

__all__ = ["LOOKUP_INDEX", "ConsentGrant"]


class ConsentGrant(MemberScopedTable, tablename="kernel_consent_grant"):
    """Member ``member`` lets member ``grantee`` read its ``scope`` data for ``purpose``."""

    id = Serial(primary_key=True)
    member = ForeignKey(Member, on_delete=OnDelete.cascade, index=True, null=False)
    grantee = ForeignKey(Member, on_delete=OnDelete.cascade, index=True, null=False)
    scope = Varchar(length=64)
    purpose = Varchar(length=64)
    legal_basis = Varchar(length=32)
    # Fields or data categories within the scope; empty means the whole scope.
    data_categories = JSON(default=[])
    # The principal's subject (``user:3``, ``apikey:7``) or ``system``.
    created_by = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = Varchar(length=64, default="")


# Covers may_read and live_grantors: equality on the first three, the grantor last.
LOOKUP_INDEX = (
    "CREATE INDEX IF NOT EXISTS kernel_consent_grant_live "
    'ON "kernel_consent_grant" ("grantee", "scope", "purpose", "member") '
    "WHERE revoked_at IS NULL"
)
