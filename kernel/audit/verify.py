"""Checking the audit log's hash chain, entry by entry, in position order.

The first problem found is reported with the position it concerns and its kind:

* ``deleted``: an entry is missing: a gap in the positions, or an entry that does not link
  to the one before it (an entry was removed and the later ones renumbered), or the log
  ends before a recorded head;
* ``reordered``: the entry that links to the previous one exists, but at another position;
* ``edited``: an entry's stored hash does not match its fields (or a recorded head's hash
  differs: the log up to it was rewritten).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from kernel.audit.chain import GENESIS_HASH
from kernel.audit.log import Entry, Head, entries
from kernel.audit.tables import AuditEntry

__all__ = ["Problem", "VerifyResult", "verify"]

Problem = Literal["edited", "deleted", "reordered"]


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What ``verify`` found.

    ``checked`` counts the entries found intact (all of them when ``ok``); ``head`` is the
    last intact entry, ``position``/``problem``/``detail`` describe the first bad one.
    """

    ok: bool
    checked: int
    head: Head
    position: int | None = None
    problem: Problem | None = None
    detail: str = ""


async def _problem(entry: Entry, prev: Head) -> tuple[Problem, str] | None:
    """What is wrong with ``entry`` following ``prev`` (its position is already right)."""
    linked = entry.prev_hash == prev.hash
    if not linked:
        # Tell a move from a removal: does the entry that links to ``prev`` still exist?
        successor = (
            await AuditEntry.select(AuditEntry.position)
            .where(AuditEntry.prev_hash == prev.hash)
            .first()
        )
        if successor is not None:
            moved_to = successor["position"]
            return "reordered", f"the entry that follows position {prev.position} is at {moved_to}"
    if entry.computed_hash() != entry.hash:
        return "edited", "the stored hash does not match the entry's fields"
    if not linked:
        return "deleted", (
            f"the entry does not link to position {prev.position}: an entry between them is "
            f"missing (or position {prev.position} was rewritten)"
        )
    return None


async def verify(
    kernel: Any, *, expected_head: tuple[int, str] | None = None, batch_size: int = 1000
) -> VerifyResult:
    """Check the whole chain, reading ``batch_size`` entries at a time.

    :param expected_head: a ``(position, hash)`` recorded earlier (from :func:`head`), kept
        outside the database. Without it, removing the newest entries cannot be detected:
        what remains is still a valid chain.
    """
    prev = Head(0, GENESIS_HASH)
    checked = 0
    anchored_hash: str | None = None
    async for entry in entries(kernel, batch_size=batch_size):
        expected = prev.position + 1
        if entry.position != expected:
            last = entry.position - 1
            detail = f"position {expected if last == expected else f'{expected}-{last}'} missing"
            return VerifyResult(False, checked, prev, expected, "deleted", detail)
        found = await _problem(entry, prev)
        if found is not None:
            return VerifyResult(False, checked, prev, expected, found[0], found[1])
        prev = Head(entry.position, entry.hash)
        checked += 1
        if expected_head is not None and entry.position == expected_head[0]:
            anchored_hash = entry.hash
    if expected_head is not None:
        position, recorded = expected_head
        if position > prev.position:
            detail = f"the log ends at position {prev.position}; the recorded head is {position}"
            return VerifyResult(False, checked, prev, prev.position + 1, "deleted", detail)
        if position > 0 and anchored_hash != recorded:
            detail = "the hash differs from the recorded head: the log up to it was rewritten"
            return VerifyResult(False, checked, prev, position, "edited", detail)
    return VerifyResult(True, checked, prev)
