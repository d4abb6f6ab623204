"""Live updates: topic fan-out (:mod:`kernel.live.broadcast`), PostgreSQL LISTEN/NOTIFY across
processes (:mod:`kernel.live.postgres`) and the GraphQL subscriptions built on them
(:mod:`kernel.live.graphql`)."""

from __future__ import annotations

from kernel.live.activity import member_activity_topic, publish_member_activity
from kernel.live.broadcast import (
    DEFAULT_QUEUE_SIZE,
    MAX_MESSAGE_BYTES,
    Broadcaster,
    PayloadTooLarge,
    Stream,
)

__all__ = [
    "DEFAULT_QUEUE_SIZE",
    "MAX_MESSAGE_BYTES",
    "Broadcaster",
    "PayloadTooLarge",
    "Stream",
    "member_activity_topic",
    "publish_member_activity",
]
