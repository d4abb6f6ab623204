"""Create the plugin's tables: notices, targets, forwards, acknowledgements (their unique
keys follow in the next migration: piccolo runs a migration's raw steps before its tables).

piccolo imports migrations by file name: keep the ``gov_notices_`` prefix.
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Member(Table, tablename="kernel_member", schema=None):
    id = Serial(primary_key=True)


class GovNoticesNotice(Table, tablename="gov_notices_notice", schema=None):
    id = Serial(primary_key=True)


ID = "2026-11-24T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "gov_notices: notices, targets, forwards, acknowledgements"

Columns = list[tuple[str, type[Any], dict[str, Any]]]


def _fk(references: type[Table]) -> dict[str, Any]:
    return {
        "references": references,
        "on_delete": OnDelete.cascade,
        "on_update": OnUpdate.cascade,
        "null": False,
        "index": True,
    }


_ID: Columns = [("id", Serial, {"primary_key": True, "null": False})]
_MEMBER: Columns = [("member", ForeignKey, _fk(Member))]
_NOTICE_FK: Columns = [("notice", ForeignKey, _fk(GovNoticesNotice))]

_NOTICE: Columns = [
    *_ID,
    *_MEMBER,
    ("alliance", Integer, {"index": True}),
    ("title", Varchar, {"length": 200}),
    ("body", Text, {}),
    ("category", Varchar, {"length": 16}),
    ("whole_alliance", Boolean, {"default": False}),
    ("attachments", Text, {"default": "[]"}),
    ("publish_at", Timestamptz, {"index": True}),
    ("expire_at", Timestamptz, {"null": True, "default": None}),
    ("withdrawn_at", Timestamptz, {"null": True, "default": None}),
    ("pushed_at", Timestamptz, {"null": True, "default": None}),
    ("created_by", Integer, {"null": True, "default": None}),
    ("created_at", Timestamptz, {}),
]
_TARGET: Columns = [*_ID, *_MEMBER, *_NOTICE_FK, ("community", Integer, {"index": True})]
_FORWARD: Columns = [
    *_ID,
    *_MEMBER,
    *_NOTICE_FK,
    ("forwarder", Integer, {"index": True}),
    ("community", Integer, {}),
    ("forwarded_by", Integer, {"null": True, "default": None}),
    ("forwarded_at", Timestamptz, {}),
]
_ACK: Columns = [
    *_ID,
    *_MEMBER,
    *_NOTICE_FK,
    ("community", Integer, {}),
    ("resident", Integer, {"index": True}),
    ("acknowledged_at", Timestamptz, {}),
]

TABLES: list[tuple[str, str, Columns]] = [
    ("GovNoticesNotice", "gov_notices_notice", _NOTICE),
    ("GovNoticesTarget", "gov_notices_target", _TARGET),
    ("GovNoticesForward", "gov_notices_forward", _FORWARD),
    ("GovNoticesAck", "gov_notices_ack", _ACK),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="gov_notices", description=DESCRIPTION)
    for class_name, tablename, columns in TABLES:
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
