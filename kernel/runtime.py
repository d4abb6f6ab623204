"""The kernel of one process: settings, database, token codec and authorizer, started once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kernel.db import Database
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

    async def stop(self) -> None:
        await self.db.stop()
