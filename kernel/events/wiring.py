"""Plugins' event handlers as durable consumers of the outbox.

Each handler a plugin declares (``register_event_handlers``) becomes its own consumer,
``<slug>:<handler>``: its retries, dead letters and ordering are its own, a failing plugin
never holds back another, and the dispatcher's gate skips it for members that have not
enabled the plugin.
"""

from __future__ import annotations

import inspect
from typing import Any

from kernel.events.base import Event
from kernel.events.bus import EventBus

__all__ = ["plugin_gate", "subscribe_plugins"]


def subscribe_plugins(kernel: Any, bus: EventBus) -> None:
    """Register the event classes plugins publish (``register_events``), then their
    handlers (``register_event_handlers``) as consumers."""
    for _slug, classes in kernel.plugins.declarations("register_events"):
        for event_class in classes:
            bus.register_event(event_class)
    for slug, entries in kernel.plugins.declarations("register_event_handlers"):
        for entry in entries:
            if not isinstance(entry.event_type, str):
                bus.register_event(entry.event_type)
            name = getattr(entry.handler, "__qualname__", repr(entry.handler))
            bus.subscribe(
                entry.type_name, f"{slug}:{name}", _bound(kernel, entry.handler), plugin=slug
            )


def _bound(kernel: Any, handler: Any) -> Any:
    async def run(event: Event) -> None:
        result = handler(kernel, event)
        if inspect.isawaitable(result):
            await result

    return run


def plugin_gate(kernel: Any) -> Any:
    """The dispatcher's gate: is ``plugin`` enabled for ``member_id`` right now?"""
    from kernel.plugins.gate import plugin_enabled

    async def gate(plugin: str, member_id: int) -> bool:
        return await plugin_enabled(kernel, member_id, plugin)

    return gate
