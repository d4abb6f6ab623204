"""Domain events: pydantic models published by the kernel and plugins.

Subclass :class:`Event` and set ``type`` (namespaced, stable: ``groupbuy.order_placed``). An
event belongs to one member's stream (``member_id``); delivery is ordered per member.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Event"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: ClassVar[str]

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    member_id: int
    occurred_at: dt.datetime = Field(default_factory=_now)
