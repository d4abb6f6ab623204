"""Gamma's tables: each member's notes, and labels shared by everyone."""

from __future__ import annotations

from piccolo.columns import UUID, Numeric, Serial, Timestamptz, Varchar
from piccolo.table import Table

from alliance_sdk import MemberScopedTable, member_column

__all__ = ["GammaLabel", "GammaNote"]


class GammaNote(MemberScopedTable, tablename="gamma_note"):
    """One note of one member (member data: exported and purged on uninstall)."""

    id = Serial(primary_key=True)
    member = member_column()
    text = Varchar(length=200)
    amount = Numeric(digits=(10, 2))
    ref = UUID()
    created_at = Timestamptz()


class GammaLabel(Table, tablename="gamma_label"):
    """A label every member may use: not member data, left alone by uninstall."""

    id = Serial(primary_key=True)
    name = Varchar(length=40)
