"""Settling a period: one statement per party (leader or ambassador) and one for the payer.

Figures are computed as of the period's end from immutable ledger entries, which are dated
when they are booked and never back-dated; settling is refused until the period is over. So
a statement never changes: settling twice returns the stored one, and recomputing it later
(:func:`compute`) gives the same figures.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from alliance_sdk import BadUserInput, publish, scoped
from plugins.revenue_share.events import PeriodSettled
from plugins.revenue_share.ledger import Party, chunks, lock_payer
from plugins.revenue_share.periods import Period, parse_period
from plugins.revenue_share.settings import settings_of
from plugins.revenue_share.statements import Figures, ledger_figures, order_figures
from plugins.revenue_share.tables import RevenueShareSettlement, RevenueShareStatement

__all__ = ["STORED", "compute", "get_settlement", "settle"]

STORED = (
    "gmv_fen",
    "orders",
    "households",
    "repeat_households",
    "accrued_fen",
    "reversed_fen",
    "released_fen",
    "paid_fen",
    "frozen_fen",
    "available_fen",
    "paid_total_fen",
)


async def compute(payer_id: int, period: Period) -> dict[Party, Figures]:
    """Every party's figures for ``period`` (two aggregate queries)."""
    window = {"starts_at": period.starts_at, "ends_at": period.ends_at}
    ledger = await ledger_figures(
        key="party_kind, party_id", where="member = {}", args=[payer_id], **window
    )
    orders = await order_figures(by="party", where="member = {}", args=[payer_id], **window)
    parties = sorted(set(ledger) | set(orders), key=lambda p: (p.kind, p.id))
    result: dict[Party, Figures] = {}
    for party in parties:
        figures = Figures()
        figures.add(ledger.get(party, Figures()))
        figures.add(orders.get(party, Figures()))
        result[party] = figures
    return result


def _stored(figures: Figures) -> Any:
    values = asdict(figures)
    return {name: int(values[name]) for name in STORED}


async def get_settlement(payer_id: int, period_key: str) -> dict[str, Any] | None:
    """The stored settlement of ``period_key`` with its statements, or None."""
    header = await (
        scoped(RevenueShareSettlement, payer_id)
        .select()
        .where(RevenueShareSettlement.period == period_key)
        .first()
    )
    if header is None:
        return None
    header["statements"] = await (
        scoped(RevenueShareStatement, payer_id)
        .select()
        .where(RevenueShareStatement.settlement_id == header["id"])
        .order_by(RevenueShareStatement.party_kind)
        .order_by(RevenueShareStatement.party_id)
    )
    return dict(header)


async def settle(kernel: Any, payer_id: int, period_key: str) -> dict[str, Any]:
    """Settle ``period_key`` (the payer's weekly or monthly period, over): store and return
    the statements. Settling a settled period returns what was stored, unchanged."""
    period = parse_period(period_key)
    settings = await settings_of(payer_id)
    if period.kind != settings.settlement_period:
        raise BadUserInput(
            "wrong kind of period",
            field_errors={"period": f"this member settles {settings.settlement_period}"},
        )
    now = kernel.clock()
    if period.ends_at > now:
        raise BadUserInput("period not over", field_errors={"period": "not over yet"})
    async with kernel.db.write():
        await lock_payer(kernel, payer_id)
        settled = await get_settlement(payer_id, period.key)
        if settled is not None:
            return settled
        parties = await compute(payer_id, period)
        total = Figures()
        for figures in parties.values():
            total.add(figures)
        rows = (
            await scoped(RevenueShareSettlement, payer_id)
            .insert(
                RevenueShareSettlement(
                    member=payer_id,
                    period=period.key,
                    starts_at=period.starts_at,
                    ends_at=period.ends_at,
                    settled_at=now,
                    parties=len(parties),
                    **_stored(total),
                )
            )
            .returning(RevenueShareSettlement.id)
        )
        settlement_id = int(rows[0]["id"])
        statements = [
            RevenueShareStatement(
                member=payer_id,
                settlement_id=settlement_id,
                period=period.key,
                party_kind=party.kind,
                party_id=party.id,
                **_stored(figures),
            )
            for party, figures in parties.items()
        ]
        for part in chunks(statements, 14):
            await scoped(RevenueShareStatement, payer_id).insert(*part)
        await publish(
            kernel,
            PeriodSettled(
                member_id=payer_id,
                period=period.key,
                parties=len(parties),
                accrued_fen=total.accrued_fen,
                available_fen=total.available_fen,
            ),
        )
        result = await get_settlement(payer_id, period.key)
        assert result is not None
        return result
