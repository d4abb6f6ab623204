"""Write the migration of an app's table changes (a developer tool, like ``piccolo
migrations new APP --auto``, with the kernel's registry and every plugin's app installed).

    .venv/bin/python -m kernel.db.makemigration groupbuy "campaigns and orders"

The file lands in the app's ``migrations/`` folder, named after the app (piccolo imports
migrations by file name, so the app's prefix keeps them unique). Review it, then run the
drift test (tests/db/test_storage.py). Composite unique keys (``unique_together``) are
created by a raw step in a migration of their own: see kernel/db/constraints.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile

__all__ = ["main"]


async def _new(app_name: str, description: str) -> None:
    from piccolo.apps.migrations.commands.new import new

    from kernel.db import Database
    from kernel.db.piccolo_conf import APP_REGISTRY
    from kernel.plugins.loading import install_piccolo_apps, load_plugins

    install_piccolo_apps(load_plugins(), APP_REGISTRY)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/makemigration.sqlite", pool_size=1)
        await db.start()
        try:
            await new(app_name=app_name, auto=True, desc=description, auto_input="y")
        finally:
            await db.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kernel.db.makemigration")
    parser.add_argument("app", help="the piccolo app (kernel, or a plugin's slug)")
    parser.add_argument("description", nargs="?", default="", help="what changed")
    args = parser.parse_args(argv)
    os.environ.setdefault("PICCOLO_CONF", "kernel.db.piccolo_conf")
    asyncio.run(_new(args.app, args.description))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
