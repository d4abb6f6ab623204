"""Applying and checking migrations (piccolo's, for the kernel and every plugin app)."""

from __future__ import annotations

import contextlib
import io
import sys

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration

from kernel.db import piccolo_conf

__all__ = ["MigrationError", "apply_migrations", "pending_migrations"]


class MigrationError(RuntimeError):
    pass


async def apply_migrations(*, quiet: bool = True) -> None:
    """Run every app's unapplied migrations, in dependency order."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all", migration_id="all")
    if not result.success:
        raise MigrationError(result.message or out.getvalue().strip() or "migrations failed")


async def pending_migrations() -> list[str]:
    """IDs of migrations that exist on disk but were not applied to the bound database."""
    manager = BaseMigrationManager()
    await manager.create_migration_table()
    pending: list[str] = []
    for app_name, app_config in piccolo_conf.APP_REGISTRY.app_configs.items():
        ran = set(await Migration.get_migrations_which_ran(app_name=app_name))
        path = list(sys.path)
        try:
            on_disk = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        finally:
            # piccolo prepends the folder to sys.path on every call; don't let it pile up.
            sys.path[:] = path
        pending.extend(sorted(set(on_disk) - ran))
    return pending
