"""Permission tables: casbin policy rules and a version counter per domain.

The version row is bumped in the same transaction as any policy or membership change, so
every process can tell, with one primary-key read, whether its cached decisions still hold.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Serial, Varchar
from piccolo.table import Table

__all__ = ["CasbinRule", "PolicyVersion"]


class CasbinRule(Table, tablename="kernel_casbin_rule"):
    id = Serial(primary_key=True)
    ptype = Varchar(length=8)
    v0 = Varchar(length=255, default="")
    v1 = Varchar(length=255, default="", index=True)
    v2 = Varchar(length=255, default="", index=True)
    v3 = Varchar(length=255, default="")
    v4 = Varchar(length=255, default="")
    v5 = Varchar(length=255, default="")


class PolicyVersion(Table, tablename="kernel_policy_version"):
    """``domain`` is ``member:<id>``, ``alliance:<id>`` or ``*`` (the role definitions)."""

    domain = Varchar(length=64, primary_key=True)
    version = BigInt(default=0)
