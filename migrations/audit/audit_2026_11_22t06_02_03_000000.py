"""The audit log refuses UPDATE and DELETE at the database, on both engines.

A separate migration because piccolo runs a migration's raw steps before its new tables.
Triggers stop the application's own connection (a bug, a stray admin query) from rewriting
history; someone with DDL rights can still drop them, which is what the hash chain is for.
TRUNCATE is not a row operation and is not refused: see docs/audit.md.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T06:02:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log: append-only triggers"

TABLE = "kernel_audit_entry"

POSTGRES_FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{TABLE} is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    f"""
    CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON "{TABLE}"
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
    """,
]
POSTGRES_BACKWARDS = [
    f'DROP TRIGGER IF EXISTS {TABLE}_append_only ON "{TABLE}"',
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]
SQLITE_FORWARDS = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{operation} BEFORE {operation.upper()} ON "{TABLE}"
    BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {operation.upper()} refused'); END
    """
    for operation in ("update", "delete")
]
SQLITE_BACKWARDS = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op}" for op in ("update", "delete")]


async def _run(postgres: list[str], sqlite: list[str]) -> None:
    from kernel.db import current_engine

    engine = current_engine()
    for statement in postgres if engine.engine_type == "postgres" else sqlite:
        await engine.run_ddl(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def add_triggers() -> None:
        await _run(POSTGRES_FORWARDS, SQLITE_FORWARDS)

    async def drop_triggers() -> None:
        await _run(POSTGRES_BACKWARDS, SQLITE_BACKWARDS)

    manager.add_raw(add_triggers)
    manager.add_raw_backwards(drop_triggers)
    return manager
