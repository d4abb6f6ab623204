"""The audit part's piccolo app: its tables and where their migrations live."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from kernel.audit.tables import AuditEntry

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "audit"

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[AuditEntry],
    migration_dependencies=["kernel.piccolo_app"],
)
