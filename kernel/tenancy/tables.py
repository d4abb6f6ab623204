"""Tenancy tables: alliance -> members -> memberships; communities and residents."""

from __future__ import annotations

from piccolo.columns import (
    DoublePrecision,
    ForeignKey,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from kernel.db.scoped import MemberScopedTable
from kernel.identity.tables import User

__all__ = [
    "Alliance",
    "AllianceAdmin",
    "Community",
    "Member",
    "MemberCommunity",
    "Membership",
    "Resident",
]


class Alliance(Table, tablename="kernel_alliance"):
    id = Serial(primary_key=True)
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    region = Varchar(length=200, default="")
    created_at = Timestamptz()


class AllianceAdmin(Table, tablename="kernel_alliance_admin"):
    """Who administers an alliance: admits members, manages communities."""

    id = Serial(primary_key=True)
    alliance = ForeignKey(Alliance, on_delete=OnDelete.cascade, index=True, null=False)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True, null=False)
    created_at = Timestamptz()

    unique_together = (("alliance", "user"),)


class Member(Table, tablename="kernel_member"):
    id = Serial(primary_key=True)
    alliance = ForeignKey(Alliance, on_delete=OnDelete.restrict, index=True, null=False)
    # store, leader, warehouse_operator, bakery, government_office, supplier; plugins add more.
    kind = Varchar(length=64)
    slug = Varchar(length=64)
    name = Varchar(length=200)
    created_at = Timestamptz()

    unique_together = (("alliance", "slug"),)


class Membership(MemberScopedTable, tablename="kernel_membership"):
    """A user's role in a member (owner, admin, staff, leader, resident, or a plugin's role)."""

    id = Serial(primary_key=True)
    member = ForeignKey(Member, on_delete=OnDelete.cascade, index=True, null=False)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True, null=False)
    role = Varchar(length=64)
    created_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()

    unique_together = (("member", "user"),)


class Community(Table, tablename="kernel_community"):
    """A residential community (小区)."""

    id = Serial(primary_key=True)
    alliance = ForeignKey(Alliance, on_delete=OnDelete.restrict, index=True, null=False)
    name = Varchar(length=200)
    address = Text(default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    created_at = Timestamptz()


class MemberCommunity(MemberScopedTable, tablename="kernel_member_community"):
    """A member serves a community (a leader a few, a warehouse many)."""

    id = Serial(primary_key=True)
    member = ForeignKey(Member, on_delete=OnDelete.cascade, index=True, null=False)
    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True, null=False)
    created_at = Timestamptz()

    unique_together = (("member", "community"),)


class Resident(Table, tablename="kernel_resident"):
    """A household registered to a community, optionally following a leader."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True, null=False)
    community = ForeignKey(Community, on_delete=OnDelete.cascade, index=True, null=False)
    leader = ForeignKey(Member, on_delete=OnDelete.set_null, null=True, default=None)
    household = Varchar(length=120, default="")
    created_at = Timestamptz()

    unique_together = (("user", "community"),)
