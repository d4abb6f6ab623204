"""The event bus: which event classes exist and who consumes which event type.

The bus holds declarations only; delivery is the :class:`~kernel.events.dispatcher.Dispatcher`'s
work. A consumer is a stable name (``loyalty.points_on_order``): delivery state, ordering and
dead letters are kept per consumer name, so renaming a consumer starts it afresh.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kernel.events.base import Event

__all__ = ["EventBus", "Handler", "Subscription", "UnknownEventType"]

Handler = Callable[[Event], Awaitable[None]]


class UnknownEventType(LookupError):
    """No event class is registered for a stored event's type."""


@dataclass(frozen=True, slots=True)
class Subscription:
    event_type: str
    consumer: str
    handler: Handler
    plugin: str | None = None


class EventBus:
    """Registered event classes (by ``type``) and subscriptions (by consumer and type)."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Event]] = {}
        self._by_type: dict[str, list[Subscription]] = {}
        self._by_consumer: dict[str, dict[str, Subscription]] = {}
        self._plugins: dict[str, str | None] = {}

    def register_event(self, event_class: type[Event]) -> type[Event]:
        """Make ``event_class`` rebuildable from stored payloads; usable as a decorator."""
        event_type = getattr(event_class, "type", None)
        if not isinstance(event_type, str) or "." not in event_type:
            raise ValueError(
                f"{event_class.__name__}.type must be a namespaced string like 'orders.placed'"
            )
        known = self._classes.get(event_type)
        if known is not None and known is not event_class:
            raise ValueError(f"event type {event_type!r} is already {known.__qualname__}")
        self._classes[event_type] = event_class
        return event_class

    def subscribe(
        self, event_type: str, consumer: str, handler: Handler, *, plugin: str | None = None
    ) -> None:
        """Deliver events of ``event_type`` to ``handler`` as ``consumer``.

        ``handler`` is ``async (event) -> None``; it may run more than once for one event
        (at-least-once delivery) and must be idempotent by ``event.event_id`` (see
        :func:`kernel.events.once`). ``plugin`` names the plugin owning the consumer: its
        events are skipped for members where the dispatcher's gate says it is disabled.
        """
        if not consumer or len(consumer) > 200:
            raise ValueError("a consumer name is 1 to 200 characters")
        if self._plugins.get(consumer, plugin) != plugin:
            raise ValueError(f"consumer {consumer!r} already belongs to another plugin")
        per_type = self._by_consumer.setdefault(consumer, {})
        if event_type in per_type:
            raise ValueError(f"consumer {consumer!r} already subscribes to {event_type!r}")
        subscription = Subscription(event_type, consumer, handler, plugin)
        per_type[event_type] = subscription
        self._by_type.setdefault(event_type, []).append(subscription)
        self._plugins[consumer] = plugin

    def subscriptions(self, event_type: str) -> list[Subscription]:
        """Who consumes ``event_type`` (empty when nobody does)."""
        return list(self._by_type.get(event_type, ()))

    def subscription(self, consumer: str, event_type: str) -> Subscription | None:
        return self._by_consumer.get(consumer, {}).get(event_type)

    @property
    def consumers(self) -> list[str]:
        """Every consumer name subscribed in this process, sorted."""
        return sorted(self._by_consumer)

    def event_class(self, event_type: str) -> type[Event]:
        """The registered class of ``event_type``; :class:`UnknownEventType` otherwise."""
        try:
            return self._classes[event_type]
        except KeyError:
            raise UnknownEventType(
                f"unknown event type {event_type!r}: no event class is registered for it"
            ) from None

    def decode(self, event_type: str, payload: str) -> Event:
        """Rebuild a stored event (raises :class:`UnknownEventType` or a validation error)."""
        return self.event_class(event_type).model_validate_json(payload)
