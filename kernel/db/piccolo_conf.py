"""The module piccolo's own machinery (migrations, ``engine_finder``) reads.

``DB`` is rebound by :func:`kernel.db.bind_engine`; the app registry lists every package
that owns tables: the kernel, then the plugins that declare tables.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

DB: Engine | None = None  # type: ignore[type-arg]
APP_REGISTRY = AppRegistry(
    apps=[
        "kernel.piccolo_app",
        "kernel.audit.piccolo_app",
        "kernel.consent.piccolo_app",
        "kernel.events.piccolo_app",
        "kernel.plugins.piccolo_app",
    ]
)
