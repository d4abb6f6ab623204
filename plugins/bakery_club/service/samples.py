"""Free samples: a limited batch, one per club member, never more than the batch holds.

``first_come``: a claim is answered at once (a sample or ``BAKERY_CLUB_SAMPLES_GONE``);
``lottery``: claims are entries until the bakery draws, then ``quantity`` winners are drawn
uniformly at random (``secrets.SystemRandom``) among the entrants. Either way the batch row is
locked first, so concurrent claims queue and ``allocated`` cannot pass ``quantity``.
"""

from __future__ import annotations

import secrets
from typing import Any

from alliance_sdk import BadUserInput, Conflict, publish, publish_many, scoped
from plugins.bakery_club.events import BakeryClubSampleAllocated
from plugins.bakery_club.service.common import (
    SamplesGone,
    active_membership,
    check_text,
    first,
    lock,
    now,
    raise_if,
)
from plugins.bakery_club.tables import BakeryClubSampleBatch, BakeryClubSampleClaim

__all__ = ["METHODS", "claim", "create_batch", "draw"]

METHODS = ("first_come", "lottery")
B = BakeryClubSampleBatch
C = BakeryClubSampleClaim


async def create_batch(
    kernel: Any, member_id: int, product: str, quantity: int, method: str
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    check_text(errors, "product", product, 200)
    if not 1 <= quantity <= 100_000:
        errors["quantity"] = "between 1 and 100000"
    if method not in METHODS:
        errors["method"] = "first_come or lottery"
    raise_if(errors)
    row = B(
        member=member_id,
        product=product.strip(),
        quantity=quantity,
        allocated=0,
        method=method,
        status="open",
        created_at=now(kernel),
    )
    async with kernel.db.write():
        await scoped(B, member_id).insert(row)
    return row.to_dict()


async def _claim_of(member_id: int, batch_id: int, user_id: int) -> dict[str, Any] | None:
    return first(
        await scoped(C, member_id).select().where((C.batch == batch_id) & (C.user == user_id))
    )


async def claim(kernel: Any, member_id: int, user_id: int, batch_id: int) -> dict[str, Any]:
    """One claim per member and batch; claiming again answers the first claim."""
    async with kernel.db.write():
        await active_membership(member_id, user_id)
        batch = await lock(kernel, B, member_id, batch_id, "sample batch")
        existing = await _claim_of(member_id, batch_id, user_id)
        if existing is not None:
            return existing
        if batch["status"] != "open":
            raise Conflict("the batch is closed")
        status = "entered"
        if batch["method"] == "first_come":
            taken = await (
                scoped(B, member_id)
                .update({B.allocated: B.allocated + 1})
                .where((B.id == batch_id) & (B.allocated < B.quantity))
                .returning(B.allocated)
            )
            if not taken:
                raise SamplesGone()
            status = "allocated"
        await scoped(C, member_id).insert(
            C(member=member_id, batch=batch_id, user=user_id, status=status, created_at=now(kernel))
        )
        if status == "allocated":
            await publish(
                kernel,
                BakeryClubSampleAllocated(member_id=member_id, batch_id=batch_id, user_id=user_id),
            )
        found = await _claim_of(member_id, batch_id, user_id)
    assert found is not None
    return found


async def draw(kernel: Any, member_id: int, batch_id: int) -> dict[str, Any]:
    """Draw a lottery batch once: winners allocated, the other entrants not_selected."""
    async with kernel.db.write():
        batch = await lock(kernel, B, member_id, batch_id, "sample batch")
        if batch["method"] != "lottery":
            raise BadUserInput("invalid input", field_errors={"batchId": "not a lottery batch"})
        if batch["status"] != "open":
            raise Conflict("the lottery was drawn already")
        entries = await (
            scoped(C, member_id)
            .select(C.id, C.user)
            .where((C.batch == batch_id) & (C.status == "entered"))
            .order_by(C.id)
        )
        winners = secrets.SystemRandom().sample(entries, min(batch["quantity"], len(entries)))
        winner_ids = [int(w["id"]) for w in winners]
        if winner_ids:
            await scoped(C, member_id).update({C.status: "allocated"}).where(C.id.is_in(winner_ids))
        await (
            scoped(C, member_id)
            .update({C.status: "not_selected"})
            .where((C.batch == batch_id) & (C.status == "entered"))
        )
        rows = await (
            scoped(B, member_id)
            .update({B.status: "drawn", B.allocated: len(winner_ids)})
            .where((B.id == batch_id) & (B.status == "open"))
            .returning(*B.all_columns())
        )
        await publish_many(
            kernel,
            [
                BakeryClubSampleAllocated(
                    member_id=member_id, batch_id=batch_id, user_id=int(w["user"])
                )
                for w in sorted(winners, key=lambda w: int(w["id"]))
            ],
        )
    return dict(rows[0])
