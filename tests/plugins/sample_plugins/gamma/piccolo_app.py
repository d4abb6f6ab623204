"""Gamma's piccolo app: named after the slug, tables ``gamma_*``, migrations beside it."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from tests.plugins.sample_plugins.gamma.tables import GammaLabel, GammaNote

APP_CONFIG = AppConfig(
    app_name="gamma",
    migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
    table_classes=[GammaNote, GammaLabel],
    migration_dependencies=["kernel.piccolo_app"],
)
