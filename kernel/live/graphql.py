"""GraphQL subscriptions of kernel.live (over WebSocket, graphql-transport-ws).

- ``memberActivity(memberId)``: the member's activity as it is published on
  ``member:<pk>:activity``. Requires ``kernel.members.read`` in that member (owner, admins,
  staff, leaders); anyone else gets NOT_FOUND, anonymous callers UNAUTHENTICATED. The
  permission is checked once, when the subscription starts.

Each watcher holds one mailbox on the process's broadcaster (``kernel.broadcaster``); an
update costs one queue append per watcher and no database query. A watcher that falls more
than :data:`ACTIVITY_QUEUE_SIZE` items behind loses the oldest ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncGenerator
from typing import Any, Final

import strawberry
from strawberry.types import Info

from kernel.gateway.compose import SchemaPart
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id
from kernel.live.activity import member_activity_topic
from kernel.live.broadcast import Broadcaster
from kernel.permissions.field import member_arg, requires

__all__ = ["ACTIVITY_QUEUE_SIZE", "PART", "LiveSubscription", "MemberActivity"]

logger = logging.getLogger("kernel.live")

ACTIVITY_QUEUE_SIZE: Final = 64


@strawberry.type(description="Something that happened in a member.")
class MemberActivity:
    type: str = strawberry.field(description="The event type, e.g. `order.placed`.")
    event_id: strawberry.ID
    occurred_at: dt.datetime

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> MemberActivity:
        return cls(
            type=str(payload["type"]),
            event_id=strawberry.ID(str(payload["eventId"])),
            occurred_at=dt.datetime.fromisoformat(str(payload["occurredAt"])),
        )


def broadcaster_of(info: Info[Any, Any]) -> Broadcaster:
    """The process's broadcaster (``kernel.broadcaster``)."""
    broadcaster: Broadcaster = context_of(info).kernel.broadcaster
    return broadcaster


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="The member's activity as it happens (needs kernel.members.read there).",
        extensions=[requires("kernel.members.read", member=member_arg())],
    )
    async def member_activity(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> AsyncGenerator[MemberActivity, None]:
        topic = member_activity_topic(decode_id("Member", member_id))
        broadcaster = broadcaster_of(info)
        async with broadcaster.subscribe(topic, queue_size=ACTIVITY_QUEUE_SIZE) as stream:
            async for payload in stream:
                try:
                    item = MemberActivity.from_payload(payload)
                except (KeyError, TypeError, ValueError):
                    logger.warning("skipping a malformed payload on %s", topic)
                    continue
                yield item


PART = SchemaPart("kernel.live", subscription=LiveSubscription)
