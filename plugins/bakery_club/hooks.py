"""bakery_club's hooks: the only module the kernel loads (``plugins.bakery_club.hooks``).

Cooperation with ``groupbuy`` and ``revenue_share`` goes through hooks and events only: the
kernel hook ``attribute_order`` credits ambassadors, groupbuy's optional hook
``groupbuy_member_discount`` gives the tier's discount, and groupbuy's events (by type
string) count referrals. Without them the club works the same, minus orders.
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
)
from plugins.bakery_club import manifest as declared
from plugins.bakery_club.events import ALL_EVENTS
from plugins.bakery_club.service import ambassadors, club, workshops
from plugins.bakery_club.service.demo import seed

SLUG = declared.SLUG


@hookimpl
def register_manifest() -> PluginManifest:
    return declared.manifest()


@hookimpl
def register_graphql() -> SchemaPart:
    from plugins.bakery_club.graphql.schema import schema_part

    return schema_part()


@hookimpl
def register_events() -> Sequence[type[Event]]:
    return ALL_EVENTS


async def _groupbuy_order(kernel: Any, event: Event) -> None:
    # One handler (one consumer) for the three types: deliveries of one consumer follow the
    # member's order, so a cancellation never overtakes the order it cancels.
    order = event.model_dump()
    if event.type == "groupbuy.order_cancelled":
        await ambassadors.order_cancelled(kernel, event.member_id, str(order["order_ref"]))
    else:
        picked_up = event.type == "groupbuy.order_picked_up"
        await ambassadors.order_seen(kernel, event.member_id, order, picked_up=picked_up)


@hookimpl
def register_event_handlers() -> Sequence[EventSubscription]:
    return [
        EventSubscription(order_type, _groupbuy_order)
        for order_type in (
            "groupbuy.order_placed",
            "groupbuy.order_picked_up",
            "groupbuy.order_cancelled",
        )
    ]


@hookimpl
def register_jobs() -> Sequence[Job]:
    return [
        Job(
            name="expire_waitlists",
            every=300.0,
            run=workshops.expire_waitlists,
            description="Waitlist places of events that have started become 'expired'.",
        )
    ]


@hookimpl
async def on_plugin_enabled(
    kernel: Any, member_id: int, slug: str, config: Mapping[str, Any]
) -> None:
    if slug == SLUG:
        await club.save_club(kernel, member_id, config)


@hookimpl
async def on_plugin_configured(
    kernel: Any, member_id: int, slug: str, config: Mapping[str, Any]
) -> None:
    if slug == SLUG:
        await club.save_club(kernel, member_id, config)


@hookimpl
async def seed_demo(kernel: Any, demo: Any) -> None:
    await seed(kernel, demo)


@hookimpl
async def attribute_order(
    member_id: int, buyer_user_id: int, leaders: Sequence[int], referral_code: str | None
) -> Attribution | None:
    # The club's tables are bound to the process's engine: the lookup needs no kernel
    # (and runs inside the caller's transaction, if any).
    return await ambassadors.attribution(member_id, buyer_user_id, list(leaders), referral_code)


@hookimpl(optionalhook=True)
async def groupbuy_member_discount(member_id: int, buyer_user_id: int) -> int | None:
    return await club.member_discount(member_id, buyer_user_id)
