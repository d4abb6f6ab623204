"""Permission tables: casbin policy rules.

Whether a process's cached decisions still hold is the kernel state version's job
(:mod:`kernel.state`), bumped in the same transaction as any policy or membership change.
"""

from __future__ import annotations

from piccolo.columns import Serial, Varchar
from piccolo.table import Table

__all__ = ["CasbinRule"]


class CasbinRule(Table, tablename="kernel_casbin_rule"):
    id = Serial(primary_key=True)
    ptype = Varchar(length=8)
    v0 = Varchar(length=255, default="")
    v1 = Varchar(length=255, default="", index=True)
    v2 = Varchar(length=255, default="", index=True)
    v3 = Varchar(length=255, default="")
    v4 = Varchar(length=255, default="")
    v5 = Varchar(length=255, default="")
