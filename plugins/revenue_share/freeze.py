"""The freeze: accruals become available ``freeze_days`` after they were booked.

``release_due`` is the ``revenue_share.release_frozen`` job. It finds its work in the
ledger (accruals due with no release entry yet), so a restart loses nothing; each payer's
batch is written under the payer's lock after looking again, and the release entry's ``entry_key``
is unique, so two processes running it at once release each accrual once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Final

from alliance_sdk import publish, scoped
from plugins.revenue_share.events import CommissionsReleased
from plugins.revenue_share.ledger import Leg, Party, chunks, lock_payer
from plugins.revenue_share.tables import RevenueShareEntry, RevenueSharePosting

__all__ = ["release_due"]

BATCH: Final = 2_000

_DUE = (
    "SELECT e.member, e.order_ref, e.party_kind, e.party_id FROM revenue_share_entry e "
    "WHERE e.kind = 'accrual' AND e.release_at <= {} {payer} AND NOT EXISTS ("
    "SELECT 1 FROM revenue_share_entry r WHERE r.member = e.member AND r.kind = 'release' "
    "AND r.order_ref = e.order_ref AND r.party_kind = e.party_kind AND r.party_id = e.party_id"
    ") ORDER BY e.id LIMIT {}"
)


async def _due(now: dt.datetime, limit: int, payer_id: int | None = None) -> list[dict[str, Any]]:
    if payer_id is None:
        return list(await RevenueShareEntry.raw(_DUE.replace("{payer}", ""), now, limit))
    sql = _DUE.replace("{payer}", "AND e.member = {}")
    return list(await RevenueShareEntry.raw(sql, now, payer_id, limit))


async def _frozen_left(payer_id: int, refs: list[str]) -> dict[tuple[str, Party], int]:
    left: dict[tuple[str, Party], int] = {}
    for part in chunks(refs, 1):
        marks = ", ".join("{}" for _ in part)
        rows = await RevenueSharePosting.raw(
            "SELECT order_ref, party_kind, party_id, SUM(amount_fen) AS total "
            "FROM revenue_share_posting WHERE member = {} AND account = 'frozen' "
            f"AND order_ref IN ({marks}) GROUP BY order_ref, party_kind, party_id",
            payer_id,
            *part,
        )
        for row in rows:
            party = Party(str(row["party_kind"]), int(row["party_id"]))
            left[(str(row["order_ref"]), party)] = -int(row["total"])
    return left


async def _release_payer(kernel: Any, payer_id: int, now: dt.datetime) -> int:
    async with kernel.db.write():
        await lock_payer(kernel, payer_id)
        due = await _due(now, BATCH, payer_id)  # again, under the lock
        if not due:
            return 0
        left = await _frozen_left(payer_id, sorted({str(r["order_ref"]) for r in due}))
        items = [
            (str(r["order_ref"]), Party(str(r["party_kind"]), int(r["party_id"]))) for r in due
        ]
        entries = [
            RevenueShareEntry(
                member=payer_id,
                kind="release",
                entry_key=f"release:{ref}:{party.kind}:{party.id}",
                order_ref=ref,
                party_kind=party.kind,
                party_id=party.id,
                amount_fen=max(0, left.get((ref, party), 0)),
                release_at=None,
                booked_at=now,
            )
            for ref, party in items
        ]
        ids: dict[str, int] = {}
        for part in chunks(entries, 10):
            rows = (
                await scoped(RevenueShareEntry, payer_id)
                .insert(*part)
                .returning(RevenueShareEntry.id, RevenueShareEntry.entry_key)
            )
            ids.update({str(row["entry_key"]): int(row["id"]) for row in rows})
        postings = []
        for entry in entries:
            amount = int(entry.amount_fen)
            for leg in (Leg("frozen", amount), Leg("available", -amount)) if amount else ():
                postings.append(
                    RevenueSharePosting(
                        member=payer_id,
                        entry_id=ids[str(entry.entry_key)],
                        kind="release",
                        party_kind=entry.party_kind,
                        party_id=entry.party_id,
                        account=leg.account,
                        amount_fen=leg.amount_fen,
                        order_ref=entry.order_ref,
                        booked_at=now,
                    )
                )
        for part in chunks(postings, 10):
            await scoped(RevenueSharePosting, payer_id).insert(*part)
        released = sum(int(e.amount_fen) for e in entries)
        await publish(
            kernel,
            CommissionsReleased(member_id=payer_id, entries=len(entries), amount_fen=released),
        )
        return len(entries)


async def release_due(kernel: Any, now: dt.datetime | None = None) -> int:
    """Release every accrual whose freeze has ended; the number of accruals released."""
    now = now or kernel.clock()
    done = 0
    while True:
        due = await _due(now, BATCH)
        if not due:
            return done
        by_payer: dict[int, int] = defaultdict(int)
        for row in due:
            by_payer[int(row["member"])] += 1
        released = 0
        for payer_id in sorted(by_payer):
            released += await _release_payer(kernel, payer_id, now)
        done += released
        if released == 0:
            return done
