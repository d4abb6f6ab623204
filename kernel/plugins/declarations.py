"""Declarations plugins return from ``register_*`` hooks (besides the manifest and the
GraphQL :class:`~kernel.gateway.compose.SchemaPart`), composed by the host."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kernel.events.base import Event

__all__ = ["EventHandler", "EventSubscription"]

# (kernel, event) -> None, or an awaitable the host awaits.
EventHandler = Callable[[Any, Event], "Awaitable[None] | None"]


@dataclass(frozen=True, slots=True)
class EventSubscription:
    """Call ``handler`` for every committed event of ``event_type`` (an :class:`Event`
    subclass, or its ``type`` string for another plugin's events) in the stream of a member
    that has the subscribing plugin enabled."""

    event_type: type[Event] | str
    handler: EventHandler

    @property
    def type_name(self) -> str:
        if isinstance(self.event_type, str):
            return self.event_type
        return self.event_type.type
