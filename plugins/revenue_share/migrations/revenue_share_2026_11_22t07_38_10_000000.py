"""Unique keys, lookup indexes and append-only triggers of the revenue_share tables.

A separate migration because piccolo runs a migration's raw steps before its new tables.
The ledger (entries, postings), payouts and settled statements refuse UPDATE and DELETE at
the database on both engines, as kernel_audit_entry does: corrections are new entries.
TRUNCATE is not a row operation and is not refused (tests empty databases with it).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T07:38:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "revenue_share: unique keys, indexes, append-only ledger"

UNIQUE = {
    "revenue_share_settings": ("member",),
    "revenue_share_rule": ("member", "effective_from"),
    "revenue_share_referral_code": ("member", "code"),
    "revenue_share_order": ("member", "order_ref"),
    "revenue_share_entry": ("member", "entry_key"),
    "revenue_share_payout": ("member", "idempotency_key"),
    "revenue_share_settlement": ("member", "period"),
    "revenue_share_statement": ("member", "period", "party_kind", "party_id"),
}
INDEXES = {
    "revenue_share_posting_party": ("revenue_share_posting", ("party_id", "party_kind", "member")),
    "revenue_share_posting_books": ("revenue_share_posting", ("member", "booked_at")),
    "revenue_share_posting_order": ("revenue_share_posting", ("member", "order_ref")),
    "revenue_share_order_leader": ("revenue_share_order", ("leader_member_id", "recorded_at")),
    "revenue_share_order_books": ("revenue_share_order", ("member", "recorded_at")),
    "revenue_share_entry_due": ("revenue_share_entry", ("kind", "release_at")),
    "revenue_share_statement_party": ("revenue_share_statement", ("party_id", "party_kind")),
}
APPEND_ONLY = (
    "revenue_share_entry",
    "revenue_share_posting",
    "revenue_share_payout",
    "revenue_share_settlement",
    "revenue_share_statement",
)


def _index_statements() -> list[str]:
    statements = []
    for table, columns in UNIQUE.items():
        name = f"{table}_{'_'.join(columns)}_key"  # kernel.db.constraints' naming
        cols = ", ".join(f'"{c}"' for c in columns)
        statements.append(f'CREATE UNIQUE INDEX IF NOT EXISTS {name} ON "{table}" ({cols})')
    for name, (table, columns) in INDEXES.items():
        cols = ", ".join(f'"{c}"' for c in columns)
        statements.append(f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" ({cols})')
    return statements


def _postgres_triggers() -> list[str]:
    statements = [
        """
        CREATE OR REPLACE FUNCTION revenue_share_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    ]
    for table in APPEND_ONLY:
        statements.append(
            f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION revenue_share_append_only()"
        )
    return statements


def _sqlite_triggers() -> list[str]:
    return [
        f'CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op.upper()} ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op.upper()} refused'); END"
        for table in APPEND_ONLY
        for op in ("update", "delete")
    ]


def _backwards(postgres: bool) -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        if postgres:
            statements.append(f'DROP TRIGGER IF EXISTS {table}_append_only ON "{table}"')
        else:
            statements += [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
    if postgres:
        statements.append("DROP FUNCTION IF EXISTS revenue_share_append_only()")
    return statements


async def _run(statements_for: object) -> None:
    from plugins.revenue_share.tables import RevenueShareEntry

    postgres = RevenueShareEntry._meta.db.engine_type == "postgres"
    for statement in statements_for(postgres):  # type: ignore[operator]
        await RevenueShareEntry.raw(statement)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="revenue_share", description=DESCRIPTION)

    async def add() -> None:
        await _run(
            lambda postgres: (
                _index_statements() + (_postgres_triggers() if postgres else _sqlite_triggers())
            )
        )

    async def drop() -> None:
        await _run(_backwards)

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
