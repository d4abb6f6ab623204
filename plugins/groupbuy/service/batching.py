"""Collecting joins into batches: per process and campaign, the joins that arrive while the
campaign's batch is being placed wait for the next one (group commit; see ``join``). Nothing
waits on a timer: an idle campaign's join is a batch of one, placed at once. If a batch fails
unexpectedly, its joins are retried one by one, so one bad join cannot fail its neighbours.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from alliance_sdk import broadcast
from plugins.groupbuy.service.campaigns import progress_topic
from plugins.groupbuy.service.join import place_batch
from plugins.groupbuy.service.prepare import JoinRequest
from plugins.groupbuy.service.writing import Placed

__all__ = ["MAX_BATCH", "JoinBatcher", "batcher"]

logger = logging.getLogger("plugins.groupbuy")
MAX_BATCH = 200


class JoinBatcher:
    """Per process: the joins waiting for their campaign's next batch."""

    def __init__(self, kernel: Any) -> None:
        self.kernel = kernel
        self._waiting: dict[tuple[int, int], list[tuple[JoinRequest, asyncio.Future[Placed]]]] = {}
        self._draining: set[tuple[int, int]] = set()

    async def join(self, request: JoinRequest) -> Placed:
        """Place ``request`` with the next batch of its campaign; its order, or raise its
        refusal (an :class:`AllianceError`)."""
        key = (request.seller, request.campaign_id)
        future: asyncio.Future[Placed] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(key, []).append((request, future))
        if key not in self._draining:
            self._draining.add(key)
            task = asyncio.create_task(self._drain(key))
            task.add_done_callback(_log_crash)
        return await future

    async def _drain(self, key: tuple[int, int]) -> None:
        try:
            while self._waiting.get(key):
                queue = self._waiting[key]
                batch, self._waiting[key] = queue[:MAX_BATCH], queue[MAX_BATCH:]
                await self._place(key, batch)
        finally:
            self._draining.discard(key)
            if not self._waiting.get(key):
                self._waiting.pop(key, None)

    async def _place(
        self, key: tuple[int, int], batch: list[tuple[JoinRequest, asyncio.Future[Placed]]]
    ) -> None:
        try:
            outcomes, progress = await place_batch(
                self.kernel, key[0], key[1], [r for r, _ in batch]
            )
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            logger.warning(
                "groupbuy: a batch of %d joins failed (%s); placing them one by one",
                len(batch),
                exc,
            )
            for item in batch:
                await self._place(key, [item])
            return
        for (_request, future), outcome in zip(batch, outcomes, strict=True):
            _settle(future, outcome)
        for change in progress:
            await broadcast(
                self.kernel,
                progress_topic(change.campaign_id, change.community_id),
                change.payload(),
            )


def _settle(future: asyncio.Future[Placed], outcome: object) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        assert isinstance(outcome, Placed)
        future.set_result(outcome)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("groupbuy: join batcher crashed", exc_info=task.exception())


_BATCHERS: weakref.WeakKeyDictionary[Any, JoinBatcher] = weakref.WeakKeyDictionary()


def batcher(kernel: Any) -> JoinBatcher:
    """The process's batcher for ``kernel``."""
    # Keyed by the kernel's database (the kernel itself is an unhashable dataclass).
    found = _BATCHERS.get(kernel.db)
    if found is None or found.kernel is not kernel:
        found = _BATCHERS[kernel.db] = JoinBatcher(kernel)
    return found
