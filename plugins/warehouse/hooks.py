"""The warehouse plugin's hooks: the only module the kernel loads.

Implements ``reserve_stock``/``release_stock`` for groupbuy (and any seller plugin), handles
groupbuy's order events by type string (it never imports groupbuy), and declares its
GraphQL, events, jobs, sensor route and demo data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from alliance_sdk import (
    Event,
    EventSubscription,
    Job,
    PluginManifest,
    SchemaPart,
    StockReservation,
    hookimpl,
)
from plugins.warehouse import events, reservations
from plugins.warehouse.manifest import SLUG, manifest
from plugins.warehouse.orders import on_order_cancelled, on_order_placed


@hookimpl
def register_manifest() -> PluginManifest:
    return manifest()


@hookimpl
def register_graphql() -> SchemaPart:
    from plugins.warehouse.graphql import types
    from plugins.warehouse.graphql.mutations import WarehouseMutation
    from plugins.warehouse.graphql.queries import WarehouseQuery

    extra = tuple(getattr(types, name) for name in types.__all__ if name.endswith("Type"))
    return SchemaPart(SLUG, query=WarehouseQuery, mutation=WarehouseMutation, types=extra)


@hookimpl
def register_events() -> Sequence[type[Event]]:
    return events.published()


@hookimpl
def register_event_handlers() -> Sequence[EventSubscription]:
    return [
        EventSubscription("groupbuy.order_placed", on_order_placed),
        EventSubscription("groupbuy.order_cancelled", on_order_cancelled),
    ]


@hookimpl
def register_jobs() -> Sequence[Job]:
    from plugins.warehouse.jobs import JOBS

    return JOBS


@hookimpl
def register_routes() -> Sequence[Any]:
    from plugins.warehouse.routes import post_reading

    return [post_reading]


@hookimpl
async def reserve_stock(
    kernel: Any, member_id: int, community_id: int, order_ref: str, lines: Mapping[str, int]
) -> StockReservation | None:
    return await reservations.reserve(kernel, member_id, community_id, order_ref, lines)


@hookimpl
async def release_stock(kernel: Any, member_id: int, order_ref: str, reason: str) -> int | None:
    return await reservations.release(kernel, member_id, order_ref)


@hookimpl
async def seed_demo(kernel: Any, demo: Any) -> None:
    from plugins.warehouse.demo import seed

    await seed(kernel, demo)
