"""Closing campaigns at their deadline: a job, not a timer. It asks the database what is due
(``deadline <= now`` and not closed), so a restart loses nothing, and each step is a
conditional update, so two processes running it, or a run that crashed half-way and runs
again, release a failed group's stock exactly once."""

from __future__ import annotations

import logging
from typing import Any

from alliance_sdk import run_sql
from plugins.groupbuy.service.common import campaign_row, catalog_changed
from plugins.groupbuy.service.orders import cancel_orders

__all__ = ["close_campaign", "close_due_campaigns", "open_started_campaigns"]

logger = logging.getLogger("plugins.groupbuy")


async def open_started_campaigns(kernel: Any) -> int:
    async with kernel.db.write():
        rows = await run_sql(
            kernel.db,
            "UPDATE groupbuy_campaign SET state = 'open' WHERE state = 'scheduled' "
            "AND starts_at <= {} RETURNING id, member",
            kernel.clock(),
        )
        if rows:
            await catalog_changed(kernel, *sorted({int(row["member"]) for row in rows}))
    return len(rows)


async def close_campaign(kernel: Any, member_id: int, campaign_id: int) -> int:
    """Close one campaign (if due and not closed yet): formed groups' orders are confirmed,
    failed groups' orders cancelled. Returns the orders cancelled."""
    now = kernel.clock()
    async with kernel.db.write():
        campaign = await campaign_row(kernel, member_id, campaign_id, lock=True)
        if campaign["state"] == "closed":
            return 0
        # Communities with orders but no group row cannot exist (the group is written with
        # the first order); groups below their minimum fail.
        await run_sql(
            kernel.db,
            "UPDATE groupbuy_community_group SET state = 'failed', decided_at = {} "
            "WHERE campaign = {} AND state = 'forming' RETURNING community",
            now,
            campaign_id,
        )
        await run_sql(
            kernel.db,
            "UPDATE groupbuy_community_group SET decided_at = {} WHERE campaign = {} "
            "AND state = 'formed' AND decided_at IS NULL",
            now,
            campaign_id,
        )
        await run_sql(
            kernel.db,
            "UPDATE groupbuy_order SET state = 'confirmed' "
            "WHERE campaign = {} AND state = 'placed' "
            "AND community IN (SELECT community FROM groupbuy_community_group "
            "WHERE campaign = {} AND state = 'formed')",
            campaign_id,
            campaign_id,
        )
        # Orders of failed groups (this run's or an earlier, interrupted one's).
        doomed = await run_sql(
            kernel.db,
            "SELECT id FROM groupbuy_order WHERE campaign = {} AND state = 'placed' "
            "AND community IN (SELECT community FROM groupbuy_community_group "
            "WHERE campaign = {} AND state = 'failed') ORDER BY id",
            campaign_id,
            campaign_id,
        )
        cancelled = await cancel_orders(
            kernel, member_id, [int(r["id"]) for r in doomed], "group_failed"
        )
        await run_sql(
            kernel.db,
            "UPDATE groupbuy_campaign SET state = 'closed', closed_at = {} WHERE id = {}",
            now,
            campaign_id,
        )
        await catalog_changed(kernel, member_id)  # last: see catalog_changed
    return len(cancelled)


async def close_due_campaigns(kernel: Any) -> int:
    """The job: close every campaign past its deadline; returns the orders cancelled."""
    await open_started_campaigns(kernel)
    due = await run_sql(
        kernel.db,
        "SELECT id, member FROM groupbuy_campaign WHERE state <> 'closed' AND deadline <= {} "
        "ORDER BY deadline, id",
        kernel.clock(),
    )
    total = 0
    for row in due:
        try:
            total += await close_campaign(kernel, int(row["member"]), int(row["id"]))
        except Exception:
            # Rolled back whole: the next run tries again. Other campaigns still close.
            logger.exception("groupbuy: closing campaign %s failed; will retry", row["id"])
    return total
