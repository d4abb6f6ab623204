"""Uninstalling a plugin for one member: export the member's plugin data to JSON, then purge it.

Disabling a plugin keeps its data; uninstalling removes it, after writing it to a file. In one
write transaction: the member's rows of every member-scoped table of the plugin's piccolo app
are read, written to a temporary file (flushed and fsynced), renamed into place, and only then
deleted, with the member's stack entry (``MemberPlugin``) and an audit entry. If the file cannot
be written, nothing is deleted. Tables of the plugin that are not member-scoped hold no one
member's data and are left alone. Other members' rows are never touched (every query is
:func:`~kernel.db.scoped.scoped`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import decimal
import importlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from piccolo.conf.apps import AppConfig
from piccolo.table import Table, sort_table_classes

from kernel.audit.log import append as audit
from kernel.db.scoped import MemberScopedTable, scoped
from kernel.errors import BadUserInput, Conflict, NotFound
from kernel.identity.principal import Principal
from kernel.permissions.actions import member_domain
from kernel.plugins.gate import enabled_plugins
from kernel.plugins.manifest import PluginManifest
from kernel.plugins.tables import MemberPlugin
from kernel.state import changed

__all__ = ["Summary", "default_export_path", "export_default", "uninstall"]


@dataclass(frozen=True, slots=True)
class Summary:
    """What :func:`uninstall` exported and purged."""

    slug: str
    member_id: int
    path: Path
    # Rows exported and deleted, per member-scoped table.
    counts: dict[str, int]
    # The plugin's tables that are not member-scoped (left alone).
    skipped: tuple[str, ...]
    # Whether the member had a stack entry for the plugin (now deleted).
    stack_entry: bool


def export_default(value: object) -> object:
    """JSON for the values piccolo returns that JSON cannot hold as they are."""
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot export {type(value).__name__}: {value!r}")


def default_export_path(var_dir: Path, slug: str, member_id: int, now: dt.datetime) -> Path:
    """``<var_dir>/exports/<slug>-member-<id>-<UTC timestamp>.json``."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return var_dir / "exports" / f"{slug}-member-{member_id}-{stamp}.json"


def _tables(manifest: PluginManifest) -> tuple[list[type[MemberScopedTable]], list[str]]:
    """The plugin's member-scoped tables (in dependency order) and the names of the others."""
    if manifest.piccolo_app is None:
        return [], []
    app: AppConfig = importlib.import_module(manifest.piccolo_app).APP_CONFIG
    tables: list[type[Table]] = sort_table_classes(list(app.table_classes))
    scoped_tables = [t for t in tables if issubclass(t, MemberScopedTable)]
    others = sorted(t._meta.tablename for t in tables if not issubclass(t, MemberScopedTable))
    return scoped_tables, others


def _write_durably(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` to a temporary file beside ``path``, fsync it, rename it into
    place, fsync the directory. The temporary file is removed if anything fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("x", encoding="utf-8") as handle:
            json.dump(document, handle, default=export_default, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # not every platform lets a directory be opened
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _exists(path: Path) -> bool:
    return path.exists()


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


async def _check_member(member_id: int) -> None:
    from kernel.tenancy.tables import Member

    if not await Member.exists().where(Member.id == member_id):
        raise NotFound(f"no member {member_id}")


async def uninstall(
    kernel: Any,
    *,
    member_id: int,
    slug: str,
    out: Path,
    actor: Principal | None = None,
) -> Summary:
    """Export the member's data of plugin ``slug`` to the JSON file ``out``, then purge it
    and the member's stack entry, in one write transaction (see the module's docstring).

    Raises BAD_USER_INPUT for a plugin that is not installed or an ``out`` that exists,
    NOT_FOUND for an unknown member, CONFLICT while another plugin enabled for the member
    depends on ``slug``; an ``OSError`` writing the file (nothing deleted then)."""
    manifest: PluginManifest | None = kernel.plugins.manifest(slug)
    if manifest is None:
        raise BadUserInput(f"no plugin {slug!r} is installed", field_errors={"slug": "unknown"})
    if _exists(out):
        raise BadUserInput(f"{out} exists already", field_errors={"out": "exists"})
    member_tables, skipped = _tables(manifest)
    db = kernel.db
    try:
        async with db.write():
            return await _export_and_purge(
                kernel, manifest, member_id, out, member_tables, tuple(skipped), actor
            )
    except BaseException:
        # Nothing was purged (the transaction rolled back): an export of data still in
        # place would only mislead. ``out`` did not exist before, so it is ours.
        _remove(out)
        raise


async def _export_and_purge(
    kernel: Any,
    manifest: PluginManifest,
    member_id: int,
    out: Path,
    member_tables: list[type[MemberScopedTable]],
    skipped: tuple[str, ...],
    actor: Principal | None,
) -> Summary:
    db = kernel.db
    slug = manifest.slug
    await _check_member(member_id)
    dependants = sorted(
        other
        for other in await enabled_plugins(kernel, member_id)
        if other != slug
        and slug in (m.dependencies if (m := kernel.plugins.manifest(other)) else {})
    )
    if dependants:
        raise Conflict(f"{', '.join(dependants)} depend(s) on {slug}: uninstall them first")
    exported: dict[str, list[dict[str, Any]]] = {}
    for table in member_tables:
        pk = table._meta.primary_key
        query = scoped(table, member_id).select().order_by(pk).output(load_json=True)
        exported[table._meta.tablename] = list(await db.for_update(query))
    document = {
        "plugin": slug,
        "version": manifest.version,
        "member": member_id,
        "exported_at": kernel.clock().astimezone(dt.UTC).isoformat(),
        "tables": exported,
    }
    await asyncio.to_thread(_write_durably, out, document)
    # Children before parents: a table referencing another loses its rows first.
    for table in reversed(member_tables):
        await scoped(table, member_id).delete()
    stack = scoped(MemberPlugin, member_id)
    stack_entry = bool(await stack.exists().where(MemberPlugin.slug == slug))
    await stack.delete().where(MemberPlugin.slug == slug)
    counts = {name: len(rows) for name, rows in exported.items()}
    await audit(
        kernel,
        actor=actor,
        action="kernel.plugins.uninstall",
        member_id=member_id,
        subject=f"plugin:{slug}",
        details={
            "version": manifest.version,
            "rows": counts,
            "stack_entry": stack_entry,
            "not_member_scoped": list(skipped),
            "file": str(out),
        },
    )
    if stack_entry:
        # Every process's plugin gate drops what it cached for the member.
        await changed(member_domain(member_id))
    return Summary(slug, member_id, out, counts, skipped, stack_entry)
