"""Domain events: publish in the transaction, deliver after commit through a durable outbox.

The public API; the implementation lives in the private-by-convention modules beside it.
See docs/events.md.
"""

from kernel.events.base import Event
from kernel.events.bus import EventBus, Handler, Subscription, UnknownEventType
from kernel.events.dispatcher import Dispatcher, Gate
from kernel.events.idempotency import once
from kernel.events.letters import DeadLetter, dead_letters, retry_dead
from kernel.events.outbox import publish
from kernel.events.retry import Backoff

__all__ = [
    "Backoff",
    "DeadLetter",
    "Dispatcher",
    "Event",
    "EventBus",
    "Gate",
    "Handler",
    "Subscription",
    "UnknownEventType",
    "dead_letters",
    "once",
    "publish",
    "retry_dead",
]
