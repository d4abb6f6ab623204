"""The events the plugin publishes, all in the publishing office's stream (``member_id`` is
the office). None of them names a resident."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from alliance_sdk import Event

__all__ = ["EVENTS", "NoticeAcknowledged", "NoticeForwarded", "NoticePublished", "NoticeWithdrawn"]


class NoticePublished(Event):
    """The office published a notice (it may be scheduled: see ``publish_at``)."""

    type: ClassVar[str] = "gov_notices.notice_published"
    notice_id: int
    category: str
    whole_alliance: bool
    community_ids: list[int]
    publish_at: dt.datetime
    expire_at: dt.datetime | None


class NoticeWithdrawn(Event):
    """The office withdrew a notice: residents no longer see it."""

    type: ClassVar[str] = "gov_notices.notice_withdrawn"
    notice_id: int


class NoticeForwarded(Event):
    """A leader or store reported forwarding the notice to its groups in these communities."""

    type: ClassVar[str] = "gov_notices.notice_forwarded"
    notice_id: int
    forwarder_member_id: int
    community_ids: list[int]


class NoticeAcknowledged(Event):
    """A household in these communities read the notice (which one is not said)."""

    type: ClassVar[str] = "gov_notices.notice_acknowledged"
    notice_id: int
    community_ids: list[int]


EVENTS: tuple[type[Event], ...] = (
    NoticePublished,
    NoticeWithdrawn,
    NoticeForwarded,
    NoticeAcknowledged,
)
