"""A well-behaved plugin: configuration, an action, a gated query, notifications, events."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import strawberry
from pydantic import BaseModel, Field
from strawberry.types import Info

from alliance_sdk import (
    Action,
    Attribution,
    Event,
    EventSubscription,
    PluginManifest,
    SchemaPart,
    decode_id,
    hookimpl,
    member_arg,
    requires,
)

CALLS: list[tuple[str, Any]] = []


class AlphaConfig(BaseModel):
    greeting: str = "hello"
    limit: int = Field(default=3, ge=1, le=10)


class AlphaNoted(Event):
    type: ClassVar[str] = "alpha.noted"
    text: str


@strawberry.type
class AlphaNote:
    member: int
    text: str


@strawberry.type
class AlphaQuery:
    @strawberry.field(extensions=[requires("kernel.members.read", member=member_arg())])
    async def alpha_note(self, info: Info[Any, Any], member_id: strawberry.ID) -> AlphaNote:
        return AlphaNote(member=decode_id("Member", member_id), text="hello from alpha")


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="alpha",
        name="Alpha",
        version="1.2.0",
        publisher="Tests",
        requires_kernel=">=0.1",
        actions={"alpha.notes.write": Action(description="Write notes.", roles={"owner"})},
        consent_scopes={"orders-history:read"},
        config=AlphaConfig,
    )


@hookimpl
def register_graphql() -> SchemaPart:
    return SchemaPart("alpha", query=AlphaQuery, types=(AlphaNote,))


async def _noted(kernel: Any, event: Event) -> None:
    CALLS.append(("event", event.member_id))


@hookimpl
def register_event_handlers() -> list[EventSubscription]:
    return [EventSubscription(AlphaNoted, _noted)]


@hookimpl
async def on_plugin_enabled(member_id: int, slug: str, config: dict[str, Any]) -> None:
    CALLS.append(("enabled", (member_id, slug, dict(config))))


@hookimpl
def on_plugin_disabled(member_id: int, slug: str) -> None:
    CALLS.append(("disabled", (member_id, slug)))


@hookimpl
async def attribute_order(leaders: list[int]) -> Attribution | None:
    # async on purpose: decisions may await (a referral code lookup, say).
    await asyncio.sleep(0)
    return Attribution(reason="last_leader", leader_member_id=leaders[-1]) if leaders else None
