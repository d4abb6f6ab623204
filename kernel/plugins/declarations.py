"""Declarations plugins return from ``register_*`` hooks (besides the manifest and the
GraphQL :class:`~kernel.gateway.compose.SchemaPart`), and the answers of decision hooks,
composed or read by the host."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kernel.events.base import Event

__all__ = [
    "Attribution",
    "EventHandler",
    "EventSubscription",
    "Job",
    "StockReservation",
    "StockTake",
]

# (kernel, event) -> None, or an awaitable the host awaits.
EventHandler = Callable[[Any, Event], "Awaitable[None] | None"]


@dataclass(frozen=True, slots=True)
class EventSubscription:
    """Call ``handler`` for every committed event of ``event_type`` (an :class:`Event`
    subclass, or its ``type`` string for another plugin's events) in the stream of a member
    that has the subscribing plugin enabled.

    A handler of another plugin's events (subscribed by ``type`` string) receives that
    plugin's event object: read it with ``event.model_dump()`` rather than importing its
    class."""

    event_type: type[Event] | str
    handler: EventHandler

    @property
    def type_name(self) -> str:
        if isinstance(self.event_type, str):
            return self.event_type
        return self.event_type.type


@dataclass(frozen=True, slots=True)
class Job:
    """A periodic job (returned by ``register_jobs``): ``run(kernel)`` every ``every``
    seconds in serving processes, and on demand with ``alliance jobs run <plugin>.<name>``.

    Jobs find their work in the database (``deadline <= now and state = 'open'``), so a
    restart loses nothing, and must be safe to run twice at once (several processes run
    them): make each step a conditional update. ``run`` returns how many items it handled
    (or None)."""

    name: str
    every: float
    run: Callable[[Any], Awaitable[int | None]]
    description: str = ""


@dataclass(frozen=True, slots=True)
class StockTake:
    """Units of one SKU taken from one place (a warehouse, a lot) for a reservation."""

    sku: str
    quantity: int
    location: str  # e.g. "warehouse:12"
    lot: str | None = None
    expires_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class StockReservation:
    """The answer to ``reserve_stock``: every line reserved (``takes`` says from where), or
    none (``short`` names the SKUs that lacked stock, with the units available)."""

    reserved: bool
    takes: tuple[StockTake, ...] = ()
    short: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Attribution:
    """The answer to ``attribute_order``: who is credited with bringing an order, and why.

    ``leader_member_id`` is the group leader (a member) credited; ``ambassador_user_id`` a
    person (a club ambassador, say) credited below or instead of a leader; ``reason`` a short
    stable word (``community_leader``, ``referral_code``, ...) recorded with the order."""

    reason: str
    leader_member_id: int | None = None
    ambassador_user_id: int | None = None
    source: str | None = None  # the plugin that answered, or "kernel"
