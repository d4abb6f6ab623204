"""groupbuy's hook implementations: what it declares to the kernel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alliance_sdk import Event, Job, PluginManifest, SchemaPart, hookimpl
from plugins.groupbuy import hookspecs
from plugins.groupbuy.events import EVENTS
from plugins.groupbuy.graphql.mutations import GroupbuyMutation
from plugins.groupbuy.graphql.queries import GroupbuyQuery
from plugins.groupbuy.graphql.subscriptions import GroupbuySubscription
from plugins.groupbuy.manifest import SLUG, manifest
from plugins.groupbuy.service.closing import close_due_campaigns

CLOSE_EVERY_SECONDS = 15.0


@hookimpl
def register_manifest() -> PluginManifest:
    return manifest()


@hookimpl
def register_hookspecs() -> Sequence[object]:
    return [hookspecs]


@hookimpl
def register_graphql() -> SchemaPart:
    return SchemaPart(
        SLUG, query=GroupbuyQuery, mutation=GroupbuyMutation, subscription=GroupbuySubscription
    )


@hookimpl
def register_events() -> Sequence[type[Event]]:
    return EVENTS


@hookimpl
def register_jobs() -> Sequence[Job]:
    return [
        Job(
            name="close_campaigns",
            every=CLOSE_EVERY_SECONDS,
            run=close_due_campaigns,
            description="open started campaigns; close those past their deadline",
        )
    ]


@hookimpl
async def seed_demo(kernel: Any, demo: Any) -> None:
    from plugins.groupbuy.demo import seed

    await seed(kernel, demo)
