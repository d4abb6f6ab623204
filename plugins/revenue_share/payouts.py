"""Payouts: the payer records what it paid a party, once per idempotency key.

A replay of a key returns the first result; the same key with other input is ``CONFLICT``.
The check and the write hold the payer's lock, and the key is unique in the database, so
any number of concurrent duplicates make one entry.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from alliance_sdk import BadUserInput, Conflict, NotFound, publish, scoped
from plugins.revenue_share.events import PayoutRecorded
from plugins.revenue_share.ledger import Leg, Party, balances, lock_payer, post
from plugins.revenue_share.money import to_yuan
from plugins.revenue_share.periods import parse_period
from plugins.revenue_share.tables import RevenueSharePayout

__all__ = ["list_payouts", "payout_batch_csv", "record_payout"]

_COLUMNS = (
    RevenueSharePayout.id,
    RevenueSharePayout.idempotency_key,
    RevenueSharePayout.party_kind,
    RevenueSharePayout.party_id,
    RevenueSharePayout.amount_fen,
    RevenueSharePayout.period,
    RevenueSharePayout.reference,
    RevenueSharePayout.created_at,
)


def _fingerprint(party: Party, amount_fen: int, period: str | None, reference: str) -> str:
    body = {"party": [party.kind, party.id], "amount_fen": amount_fen}
    body |= {"period": period, "reference": reference}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _check(key: str, amount_fen: int, period: str | None, reference: str) -> None:
    errors: dict[str, str] = {}
    if not 1 <= len(key) <= 100:
        errors["idempotency_key"] = "1 to 100 characters"
    if amount_fen <= 0:
        errors["amount_fen"] = "a positive amount in fen"
    if len(reference) > 100:
        errors["reference"] = "at most 100 characters"
    if errors:
        raise BadUserInput("invalid payout", field_errors=errors)
    if period is not None:
        parse_period(period)


async def _by_key(payer_id: int, key: str) -> dict[str, Any] | None:
    row = await (
        scoped(RevenueSharePayout, payer_id)
        .select(*_COLUMNS, RevenueSharePayout.fingerprint)
        .where(RevenueSharePayout.idempotency_key == key)
        .first()
    )
    return dict(row) if row else None


async def record_payout(
    kernel: Any,
    payer_id: int,
    *,
    party: Party,
    amount_fen: int,
    idempotency_key: str,
    period: str | None = None,
    reference: str = "",
    actor_user_id: int | None = None,
) -> dict[str, Any]:
    """Record a payout of ``amount_fen`` from the party's available balance."""
    _check(idempotency_key, amount_fen, period, reference)
    fingerprint = _fingerprint(party, amount_fen, period, reference)
    async with kernel.db.write():
        await lock_payer(kernel, payer_id)
        first = await _by_key(payer_id, idempotency_key)
        if first is None:
            owed = (await balances(payer_id, party)).get(party)
            if owed is None:
                raise NotFound("no such leader or ambassador in this member's books")
            if amount_fen > owed["available"]:
                raise BadUserInput(
                    "payout exceeds the available balance",
                    field_errors={"amount_fen": f"at most {max(0, owed['available'])} fen"},
                )
            now = kernel.clock()
            entry_id = await post(
                payer_id,
                kind="payout",
                ref=f"payout:{idempotency_key}",
                party=party,
                legs=[Leg("available", amount_fen), Leg("paid", -amount_fen)],
                at=now,
            )
            await scoped(RevenueSharePayout, payer_id).insert(
                RevenueSharePayout(
                    member=payer_id,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    party_kind=party.kind,
                    party_id=party.id,
                    amount_fen=amount_fen,
                    period=period,
                    reference=reference,
                    entry_id=entry_id,
                    created_at=now,
                    created_by=actor_user_id,
                )
            )
            first = await _by_key(payer_id, idempotency_key)
            assert first is not None
            await publish(
                kernel,
                PayoutRecorded(
                    member_id=payer_id,
                    payout_id=int(first["id"]),
                    party_kind=party.kind,
                    party_id=party.id,
                    amount_fen=amount_fen,
                    period=period,
                ),
            )
        elif first["fingerprint"] != fingerprint:
            raise Conflict("this idempotency key was used for another payout")
    first.pop("fingerprint")
    return first


async def list_payouts(payer_id: int, period: str | None = None) -> list[dict[str, Any]]:
    """The payer's payouts (of ``period``, when given), oldest first."""
    query = scoped(RevenueSharePayout, payer_id).select(*_COLUMNS).order_by(RevenueSharePayout.id)
    if period is not None:
        query = query.where(RevenueSharePayout.period == period)
    return [dict(row) for row in await query]


async def payout_batch_csv(payer_id: int, period: str) -> str:
    """The payouts recorded for ``period`` as CSV (amounts in fen and in yuan)."""
    parse_period(period)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "payout_id",
            "period",
            "party_kind",
            "party_id",
            "amount_fen",
            "amount_yuan",
            "reference",
            "idempotency_key",
            "created_at",
        ]
    )
    for row in await list_payouts(payer_id, period):
        writer.writerow(
            [
                row["id"],
                period,
                row["party_kind"],
                row["party_id"],
                row["amount_fen"],
                to_yuan(int(row["amount_fen"])),
                row["reference"],
                row["idempotency_key"],
                row["created_at"].isoformat(),
            ]
        )
    return out.getvalue()
