"""The kernel of one process: settings, database, token codec, authorizer and plugin host,
started once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kernel.db import Database
from kernel.db.migrate import pending_migrations
from kernel.events.bus import EventBus
from kernel.events.dispatcher import Dispatcher
from kernel.identity.tokens import TokenCodec
from kernel.live.broadcast import Broadcaster
from kernel.settings import Settings

if TYPE_CHECKING:
    from kernel.jobs.runner import JobRunner
    from kernel.permissions.authorizer import Authorizer
    from kernel.plugins.manager import PluginHost

__all__ = ["Kernel", "utcnow"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Kernel:
    settings: Settings
    db: Database
    tokens: TokenCodec
    authorizer: Authorizer
    plugins: PluginHost
    events: EventBus = field(default_factory=EventBus)
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    dispatcher: Dispatcher | None = None
    jobs: JobRunner | None = None
    clock: Callable[[], dt.datetime] = field(default=utcnow)

    @classmethod
    def from_settings(cls, settings: Settings, *, plugins: PluginHost | None = None) -> Kernel:
        """A kernel for ``settings``; ``plugins`` defaults to every discovered plugin (built-in
        and entry points, minus ``settings.plugins_blocked``). Plugins' piccolo apps join the
        app registry here, before any migration runs."""
        from kernel.db.piccolo_conf import APP_REGISTRY
        from kernel.permissions.authorizer import Authorizer
        from kernel.plugins.loading import install_piccolo_apps, load_plugins

        if plugins is None:
            plugins = load_plugins(blocked=settings.plugins_blocked)
        install_piccolo_apps(plugins, APP_REGISTRY)

        db = Database(settings.database_url, pool_size=settings.db_pool_size)
        tokens = TokenCodec(
            settings.signing_key, issuer=settings.token_issuer, audience=settings.token_audience
        )
        kernel = cls(
            settings=settings,
            db=db,
            tokens=tokens,
            authorizer=Authorizer(db, registry=plugins.actions),
            plugins=plugins,
            broadcaster=Broadcaster.for_database(settings.database_url),
        )
        from kernel.events.wiring import subscribe_plugins

        subscribe_plugins(kernel, kernel.events)
        return kernel

    async def start(self, *, background: bool = False) -> None:
        """Open the database; with ``background`` (serving processes, not CLI commands) also
        the live broadcaster and the event dispatcher, when the database is migrated."""
        await self.db.start()
        try:
            # Store the default role definitions (idempotent, safe from several processes).
            # On a database not migrated yet (``alliance migrate`` starts a kernel too) there
            # is nowhere to store them; decisions use the same defaults from code meanwhile.
            migrated = not await pending_migrations()
            if migrated:
                await self.authorizer.start()
            if background:
                await self.broadcaster.start()
            if background and migrated and self.settings.background_tasks:
                from kernel.events.wiring import plugin_gate

                self.dispatcher = Dispatcher(self, self.events, gate=plugin_gate(self))
                await self.dispatcher.start()
                from kernel.jobs.runner import JobRunner

                self.jobs = JobRunner(self)
                await self.jobs.start()
            from kernel.plugins.calls import call_everywhere

            await call_everywhere(self, "on_kernel_started")
        except BaseException:
            # Open connections keep threads alive: a failed start must not hang the process.
            await self.stop()
            raise

    async def stop(self) -> None:
        if self.jobs is not None:
            await self.jobs.stop()
            self.jobs = None
        if self.dispatcher is not None:
            await self.dispatcher.stop()
            self.dispatcher = None
        await self.broadcaster.stop()
        await self.db.stop()
