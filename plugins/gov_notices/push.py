"""Emergency notices pushed to subscribed residents over the kernel's live broadcaster.

One publish per notice on the alliance's topic (``gov_notices:alliance:<id>:emergencies``):
the broadcaster appends the same small payload to every watcher's mailbox (and NOTIFYs the
other processes once on PostgreSQL); each watcher keeps it if the notice is addressed to a
community it lives in (a set intersection, no query). Residents read the full notice through
the API.

A notice is pushed once: the push is claimed with a conditional update of ``pushed_at``. A
notice published for later is pushed by the ``push_due_emergencies`` job once its
``publish_at`` has come (within the job's period).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Final

from alliance_sdk import encode_id, plugin_enabled, scoped
from plugins.gov_notices import kernel_data
from plugins.gov_notices.manifest import OFFICE_KIND, SLUG
from plugins.gov_notices.notices import EMERGENCY, Notice, live_where, office_config, to_notices
from plugins.gov_notices.tables import GovNoticesNotice

__all__ = ["JOB_EVERY", "QUEUE_SIZE", "push_due_emergencies", "push_emergency", "topic", "watch"]

logger = logging.getLogger("plugins.gov_notices")

N = GovNoticesNotice
JOB_EVERY: Final = 15.0  # seconds: how late a scheduled emergency may be pushed at most
QUEUE_SIZE: Final = 16  # a watcher this far behind loses the oldest pushes


def topic(alliance_id: int) -> str:
    return f"gov_notices:alliance:{int(alliance_id)}:emergencies"


def _broadcaster(kernel: Any) -> Any:
    # SDK-GAP: the SDK exports neither the broadcaster nor publish/subscribe helpers; the
    # kernel's own subscriptions use ``kernel.broadcaster`` (kernel/live). Proposed:
    # ``alliance_sdk.broadcast(kernel, topic, payload)`` and
    # ``alliance_sdk.subscribe_topic(kernel, topic, queue_size)`` with plugin topics
    # namespaced ``<slug>:...``.
    return kernel.broadcaster


def payload(notice: Notice) -> dict[str, Any]:
    """What a watcher receives: IDs and the headline, never the body (size limit)."""
    return {
        "notice": str(encode_id("GovNoticesNotice", notice.id)),
        "office": notice.office_name,
        "title": notice.title,
        "category": notice.category,
        "publishedAt": notice.publish_at.isoformat(),
        "communities": None if notice.whole_alliance else notice.community_ids,
    }


async def push_emergency(kernel: Any, notice: Notice) -> bool:
    """Push ``notice`` if it is a live emergency not pushed yet (claimed once, across
    processes); returns whether this call pushed it."""
    if notice.category != EMERGENCY:
        return False
    if not (await office_config(notice.office_id)).push_emergencies:
        return False
    now = kernel.clock()
    async with kernel.db.write():
        claimed = (
            await scoped(N, notice.office_id)
            .update({N.pushed_at: now})
            .where((N.id == notice.id) & N.pushed_at.is_null() & live_where(now))
            .returning(N.id)
        )
    if not claimed:
        return False
    try:
        await _broadcaster(kernel).publish(topic(notice.alliance_id), payload(notice))
    except Exception:
        # Give the claim back: the job tries again on its next run.
        logger.exception("gov_notices: pushing notice %s failed", notice.id)
        async with kernel.db.write():
            await scoped(N, notice.office_id).update({N.pushed_at: None}).where(N.id == notice.id)
        return False
    return True


async def push_due_emergencies(kernel: Any) -> int:
    """The job: push every live emergency not pushed yet (scheduled ones whose time came,
    and any whose push failed)."""
    now, pushed = kernel.clock(), 0
    for office in await kernel_data.members_of_kind(None, OFFICE_KIND):
        if not await plugin_enabled(kernel, office.id, SLUG):
            continue
        rows = await (
            scoped(N, office.id)
            .select()
            .where((N.category == EMERGENCY) & N.pushed_at.is_null() & live_where(now))
        )
        for notice in await to_notices(office.id, rows):
            notice.office_name = office.name
            pushed += await push_emergency(kernel, notice)
    return pushed


@contextlib.asynccontextmanager
async def watch(kernel: Any, homes: dict[int, int]) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
    """The pushes addressed to the communities of ``homes`` (community -> alliance), while
    the block lasts."""
    broadcaster = _broadcaster(kernel)
    mine = set(homes)
    async with contextlib.AsyncExitStack() as stack:
        streams = [
            await stack.enter_async_context(broadcaster.subscribe(topic(a), queue_size=QUEUE_SIZE))
            for a in sorted(set(homes.values()))
        ]
        yield _merged(streams, mine)


async def _merged(streams: list[Any], mine: set[int]) -> AsyncIterator[dict[str, Any]]:
    pending: dict[asyncio.Task[Any], Any] = {asyncio.ensure_future(anext(s)): s for s in streams}
    try:
        while pending:
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                stream = pending.pop(task)
                try:
                    item = task.result()
                except StopAsyncIteration:
                    continue
                pending[asyncio.ensure_future(anext(stream))] = stream
                targets = item.get("communities")
                if targets is None or mine.intersection(targets):
                    yield item
    finally:
        for task in pending:
            task.cancel()
