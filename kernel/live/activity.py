"""The ``member:<id>:activity`` topic: what happened in a member, as it happens.

Publishers (the events engine, once an event is delivered) call :func:`publish_member_activity`;
the ``memberActivity`` subscription (:mod:`kernel.live.graphql`) streams it. The payload is
deliberately small (type, event ID, time): watchers read details through the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.live.broadcast import Broadcaster

__all__ = ["activity_payload", "member_activity_topic", "publish_member_activity"]


def member_activity_topic(member_id: int) -> str:
    """The topic of one member's activity (``member_id`` is the primary key)."""
    return f"member:{int(member_id)}:activity"


def activity_payload(type: str, event_id: str | int, occurred_at: dt.datetime) -> dict[str, Any]:
    """The payload the subscription understands; ``occurred_at`` must be timezone-aware."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    return {"type": type, "eventId": str(event_id), "occurredAt": occurred_at.isoformat()}


async def publish_member_activity(
    broadcaster: Broadcaster,
    member_id: int,
    *,
    type: str,
    event_id: str | int,
    occurred_at: dt.datetime,
) -> int:
    """Publish one activity item; returns how many local watchers got it."""
    return await broadcaster.publish(
        member_activity_topic(member_id), activity_payload(type, event_id, occurred_at)
    )
