"""What leaders and payers see: figures per period, each caller its own rows only.

A leader's rows are the postings and orders naming it (``party_id``/``leader_member_id``)
in any payer's books; a payer's rows are its own books. Order *details* of a payer are shown
to a leader only under the payer's live ``orders:read`` grant for purpose ``revenue-share``,
and each such read is recorded in the audit log; without it the leader still sees its
earnings and the aggregates they are computed from.
"""

from __future__ import annotations

from typing import Any

from alliance_sdk import live_grants, record_read
from plugins.revenue_share.ledger import Party
from plugins.revenue_share.manifest import ORDERS_SCOPE, PURPOSE
from plugins.revenue_share.periods import parse_period
from plugins.revenue_share.settlement import compute
from plugins.revenue_share.statements import Figures, ledger_figures, order_figures
from plugins.revenue_share.tables import RevenueShareOrder, RevenueShareStatement

__all__ = ["leader_dashboard", "leader_orders", "leader_statements", "payer_view"]


async def _grantors(kernel: Any, leader_id: int, memo: dict[str, Any] | None) -> dict[int, int]:
    return dict(
        await live_grants(
            kernel,
            grantee_member_id=leader_id,
            scope=ORDERS_SCOPE,
            purpose=PURPOSE,
            memo=memo,
        )
    )


async def leader_dashboard(
    kernel: Any, leader_id: int, period_key: str, memo: dict[str, Any] | None = None
) -> list[tuple[int, Figures, bool]]:
    """Per payer: the leader's figures for the period (balances at the period's end; while
    it runs, everything booked so far) and whether the payer lets it see order details."""
    period = parse_period(period_key)
    window = {"starts_at": period.starts_at, "ends_at": period.ends_at}
    ledger = await ledger_figures(
        key="member", where="party_kind = 'leader' AND party_id = {}", args=[leader_id], **window
    )
    orders = await order_figures(
        by="member", where="leader_member_id = {}", args=[leader_id], **window
    )
    grants = await _grantors(kernel, leader_id, memo)
    rows = []
    for payer_id in sorted(set(ledger) | set(orders)):
        figures = Figures()
        figures.add(ledger.get(payer_id, Figures()))
        figures.add(orders.get(payer_id, Figures()))
        rows.append((payer_id, figures, payer_id in grants))
    return rows


async def payer_view(payer_id: int, period_key: str) -> dict[Party, Figures]:
    """The payer's figures per leader and ambassador for the period: what it owes."""
    return await compute(payer_id, parse_period(period_key))


async def leader_orders(
    kernel: Any,
    leader_id: int,
    period_key: str,
    *,
    actor: Any,
    payer_id: int | None = None,
    memo: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The leader's orders in the period, of the payers whose live grant allows it."""
    period = parse_period(period_key)
    grants = await _grantors(kernel, leader_id, memo)
    if payer_id is not None:
        grants = {payer_id: grants[payer_id]} if payer_id in grants else {}
    if not grants:
        return []
    payers = sorted(grants)
    marks = ", ".join("{}" for _ in payers)
    rows = await RevenueShareOrder.raw(
        "SELECT member, order_ref, community_id, attribution_reason, total_fen, refunded_fen, "
        "commission_fen, picked_up_at FROM revenue_share_order "
        f"WHERE leader_member_id = {{}} AND member IN ({marks}) "
        "AND recorded_at >= {} AND recorded_at < {} ORDER BY recorded_at, id",
        leader_id,
        *payers,
        period.starts_at,
        period.ends_at,
    )
    for payer in sorted({int(row["member"]) for row in rows}):
        await record_read(
            kernel,
            actor=actor,
            grant_id=grants[payer],
            subject=f"RevenueShareOrders:{leader_id}:{period.key}",
            grantor_member_id=payer,
            grantee_member_id=leader_id,
            scope=ORDERS_SCOPE,
            purpose=PURPOSE,
        )
    return [dict(row) for row in rows]


async def leader_statements(leader_id: int, period_key: str) -> list[dict[str, Any]]:
    """The leader's statements of ``period_key`` from every payer that settled it."""
    parse_period(period_key)
    rows = await RevenueShareStatement.raw(
        "SELECT * FROM revenue_share_statement WHERE party_kind = 'leader' AND party_id = {} "
        "AND period = {} ORDER BY member",
        leader_id,
        period_key,
    )
    return [dict(row) for row in rows]
