"""Gamma's first migration, written by hand: ``gamma_note`` (member data) and
``gamma_label`` (shared)."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    UUID,
    ForeignKey,
    Numeric,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Member(Table, tablename="kernel_member", schema=None):
    id = Serial(primary_key=True)


ID = "2026-11-23T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "gamma notes and labels"

_NOTE: list[tuple[str, type[Any], dict[str, Any]]] = [
    ("id", Serial, {"primary_key": True, "null": False}),
    (
        "member",
        ForeignKey,
        {
            "references": Member,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "null": False,
            "index": True,
        },
    ),
    ("text", Varchar, {"length": 200, "default": "", "null": False}),
    ("amount", Numeric, {"digits": (10, 2), "null": False}),
    ("ref", UUID, {"null": False}),
    ("created_at", Timestamptz, {"null": False}),
]
_LABEL: list[tuple[str, type[Any], dict[str, Any]]] = [
    ("id", Serial, {"primary_key": True, "null": False}),
    ("name", Varchar, {"length": 40, "default": "", "null": False}),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="gamma", description=DESCRIPTION)
    for class_name, tablename, columns in (
        ("GammaNote", "gamma_note", _NOTE),
        ("GammaLabel", "gamma_label", _LABEL),
    ):
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
