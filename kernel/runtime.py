"""The kernel of one process: settings, database, token codec and authorizer, started once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kernel.db import Database
from kernel.db.migrate import pending_migrations
from kernel.identity.tokens import TokenCodec
from kernel.settings import Settings

if TYPE_CHECKING:
    from kernel.permissions.authorizer import Authorizer

__all__ = ["Kernel", "utcnow"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Kernel:
    settings: Settings
    db: Database
    tokens: TokenCodec
    authorizer: Authorizer
    clock: Callable[[], dt.datetime] = field(default=utcnow)

    @classmethod
    def from_settings(cls, settings: Settings) -> Kernel:
        from kernel.permissions.authorizer import Authorizer

        db = Database(settings.database_url, pool_size=settings.db_pool_size)
        tokens = TokenCodec(
            settings.signing_key, issuer=settings.token_issuer, audience=settings.token_audience
        )
        return cls(settings=settings, db=db, tokens=tokens, authorizer=Authorizer(db))

    async def start(self) -> None:
        await self.db.start()
        try:
            # Store the default role definitions (idempotent, safe from several processes).
            # On a database not migrated yet (``alliance migrate`` starts a kernel too) there
            # is nowhere to store them; decisions use the same defaults from code meanwhile.
            if not await pending_migrations():
                await self.authorizer.start()
        except BaseException:
            # Open connections keep threads alive: a failed start must not hang the process.
            await self.db.stop()
            raise

    async def stop(self) -> None:
        await self.db.stop()
