"""Thousands of GraphQL watchers of one topic: a publish costs no database query per watcher."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kernel.gateway.compose import compose
from kernel.gateway.context import Context
from kernel.gateway.ids import encode_id
from kernel.gateway.parts import kernel_parts
from kernel.gateway.schema_factory import build_schema
from kernel.identity.authn import authenticate
from kernel.live import Broadcaster, member_activity_topic, publish_member_activity
from kernel.live.graphql import PART
from kernel.runtime import Kernel
from tests.factories import Factory

WATCHERS = 2000
ACTIVITY = "subscription($m: ID!) { memberActivity(memberId: $m) { type eventId } }"


class QueryCounter:
    def __init__(self, kernel: Kernel, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        engine_class = type(kernel.db.engine)  # piccolo's PostgresEngine has __slots__
        original = engine_class.run_querystring

        async def counting(engine: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(engine, *args, **kwargs)

        monkeypatch.setattr(engine_class, "run_querystring", counting)


async def test_2000_graphql_watchers_cost_no_query_per_update(
    kernel: Kernel, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernel's own (started with it) once Kernel builds one; else an in-process one.
    broadcaster: Broadcaster | None = getattr(kernel, "broadcaster", None)
    if broadcaster is None:
        broadcaster = kernel.broadcaster = Broadcaster()  # type: ignore[attr-defined]
    parts = kernel_parts()
    if not any(part.name == PART.name for part in parts):
        parts.append(PART)
    schema = build_schema(**compose(parts), production=True, introspection=False)
    member = await factory.member()
    user = await factory.user()
    await factory.membership(member, user, role="staff")
    principal = await authenticate(kernel, f"Bearer {(await factory.sign_in(user)).token}")
    variables = {"m": encode_id("Member", member.id)}

    async def watch() -> Any:
        # One context per watcher, as one per WebSocket operation: each checks its permission.
        context = Context(kernel=kernel, principal=principal)
        stream = await schema.subscribe(ACTIVITY, variables, context_value=context)
        try:
            return await anext(stream)  # type: ignore[arg-type]
        finally:
            await stream.aclose()  # type: ignore[union-attr]

    watchers = [asyncio.create_task(watch()) for _ in range(WATCHERS)]
    topic = member_activity_topic(member.id)
    for _ in range(3000):
        if broadcaster.subscriber_count(topic) == WATCHERS:
            break
        await asyncio.sleep(0.01)
    assert broadcaster.subscriber_count(topic) == WATCHERS

    queries = QueryCounter(kernel, monkeypatch)
    delivered = await publish_member_activity(
        broadcaster,
        member.id,
        type="group_buy.joined",
        event_id="17",
        occurred_at=kernel.clock(),
    )
    results = await asyncio.wait_for(asyncio.gather(*watchers), 60)
    assert delivered == WATCHERS
    assert all(
        result.errors is None
        and result.data == {"memberActivity": {"type": "group_buy.joined", "eventId": "17"}}
        for result in results
    )
    assert queries.count == 0
    assert broadcaster.subscriber_count(topic) == 0
