"""Leader revenue share: the hooks (the only module the kernel loads).

groupbuy's events arrive by ``type`` string (groupbuy is never imported), in the selling
member's stream: a payer that enables the plugin gets its picked-up and refunded orders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from alliance_sdk import (
    Attribution,
    Event,
    EventSubscription,
    Job,
    PluginManifest,
    SchemaPart,
    hookimpl,
    once,
)
from plugins.revenue_share import manifest as _manifest
from plugins.revenue_share.accrual import record_pickup, record_refund
from plugins.revenue_share.attribution import attribute
from plugins.revenue_share.events import EVENTS
from plugins.revenue_share.freeze import release_due
from plugins.revenue_share.settings import save_settings

SLUG = _manifest.SLUG
PICKED_UP = "groupbuy.order_picked_up"
REFUNDED = "groupbuy.order_refunded"


@hookimpl
def register_manifest() -> PluginManifest:
    return _manifest.manifest()


@hookimpl
def register_graphql() -> SchemaPart:
    from plugins.revenue_share.graphql.mutations import RevenueShareMutation
    from plugins.revenue_share.graphql.queries import RevenueShareQuery
    from plugins.revenue_share.graphql.types import TYPES

    return SchemaPart(SLUG, query=RevenueShareQuery, mutation=RevenueShareMutation, types=TYPES)


async def accrue_picked_up_order(kernel: Any, event: Event) -> None:
    async with once(kernel, "revenue_share.accrue", event.event_id) as first:
        if first:
            await record_pickup(kernel, event.member_id, event.model_dump())


async def reverse_refunded_order(kernel: Any, event: Event) -> None:
    async with once(kernel, "revenue_share.reverse", event.event_id) as first:
        if first:
            await record_refund(kernel, event.member_id, event.model_dump())


@hookimpl
def register_event_handlers() -> list[EventSubscription]:
    return [
        EventSubscription(PICKED_UP, accrue_picked_up_order),
        EventSubscription(REFUNDED, reverse_refunded_order),
    ]


@hookimpl
def register_events() -> Sequence[type[Event]]:
    return EVENTS


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job(
            name="release_frozen",
            every=300.0,
            run=release_due,
            description="Make accrued commissions available once their freeze period ended.",
        )
    ]


@hookimpl
async def on_plugin_enabled(
    kernel: Any, member_id: int, slug: str, config: Mapping[str, Any]
) -> None:
    if slug == SLUG:
        await save_settings(kernel, member_id, config)


@hookimpl
async def on_plugin_configured(
    kernel: Any, member_id: int, slug: str, config: Mapping[str, Any]
) -> None:
    if slug == SLUG:
        await save_settings(kernel, member_id, config)


@hookimpl
async def attribute_order(
    member_id: int, leaders: Sequence[int], referral_code: str | None
) -> Attribution | None:
    return await attribute(member_id, leaders, referral_code)


@hookimpl
async def seed_demo(kernel: Any, demo: Any) -> None:
    from plugins.revenue_share.demo import seed

    await seed(kernel, demo)
