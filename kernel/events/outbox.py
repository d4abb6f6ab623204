"""The transactional outbox (filled in by the events work).

CONTRACT: ``publish`` is called INSIDE the caller's ``kernel.db.write()`` transaction; the
event is delivered to subscribers only after that transaction commits, never after a rollback.
"""

from __future__ import annotations

from typing import Any

from kernel.events.base import Event

__all__ = ["publish"]


async def publish(kernel: Any, event: Event) -> None:
    """Store ``event`` in the outbox within the current transaction."""
