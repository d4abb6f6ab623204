"""Set-based figures per party, from the ledger and the orders: what settlements store and
dashboards show. A constant number of queries whatever the number of orders or parties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from plugins.revenue_share.ledger import Party
from plugins.revenue_share.tables import RevenueShareOrder, RevenueSharePosting

__all__ = ["Figures", "ledger_figures", "order_figures"]


@dataclass
class Figures:
    """One party's (or one payer's) numbers for a period. ``accrued``, ``reversed``,
    ``released`` and ``paid`` are movements within the period; ``frozen``, ``available``
    and ``paid_total`` balances at its end (or now, for dashboards)."""

    gmv_fen: int = 0
    refunded_fen: int = 0
    orders: int = 0
    households: int = 0
    repeat_households: int = 0
    accrued_fen: int = 0
    reversed_fen: int = 0
    released_fen: int = 0
    paid_fen: int = 0
    frozen_fen: int = 0
    available_fen: int = 0
    paid_total_fen: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def repurchase_rate_bp(self) -> int:
        """Households with two orders or more in the period, in basis points of all."""
        return self.repeat_households * 10_000 // self.households if self.households else 0

    def add(self, other: Figures) -> None:
        for f in fields(self):
            if f.name != "extra":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


_LEDGER = (
    "SELECT {key}, kind, account, "
    "SUM(CASE WHEN booked_at >= {} THEN amount_fen ELSE 0 END) AS in_period, "
    "SUM(amount_fen) AS to_end "
    "FROM revenue_share_posting WHERE {where} AND booked_at < {} "
    "GROUP BY {key}, kind, account"
)

_ORDERS = (
    "WITH o AS ({base}), "
    "b AS (SELECT k1, k2, buyer_user_id, COUNT(*) AS n, SUM(total_fen) AS gmv, "
    "SUM(refunded_fen) AS refunded FROM o GROUP BY k1, k2, buyer_user_id) "
    "SELECT k1, k2, SUM(n) AS orders, SUM(gmv) AS gmv, SUM(refunded) AS refunded, "
    "COUNT(*) AS households, SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS repeaters "
    "FROM b GROUP BY k1, k2"
)
_ORDER_BASE = (
    "SELECT {k1} AS k1, {k2} AS k2, buyer_user_id, total_fen, refunded_fen "
    "FROM revenue_share_order WHERE {where} AND recorded_at >= {{}} AND recorded_at < {{}}"
)


def _apply(figures: Figures, kind: str, account: str, in_period: int, to_end: int) -> None:
    if account == "expense" and kind == "accrual":
        figures.accrued_fen += in_period
    elif account == "expense" and kind == "reversal":
        figures.reversed_fen -= in_period
    elif account == "available" and kind == "release":
        figures.released_fen -= in_period
    elif account == "paid" and kind == "payout":
        figures.paid_fen -= in_period
    if account == "frozen":
        figures.frozen_fen -= to_end
    elif account == "available":
        figures.available_fen -= to_end
    elif account == "paid":
        figures.paid_total_fen -= to_end


async def ledger_figures(
    *,
    key: str,
    where: str,
    args: list[Any],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> dict[Any, Figures]:
    """Ledger figures of the postings matching ``where`` (with ``args``), grouped by the
    ``key`` column(s) (``member``, or ``party_kind, party_id``), as of ``ends_at``."""
    sql = _LEDGER.replace("{key}", key).replace("{where}", where)
    rows = await RevenueSharePosting.raw(sql, starts_at, *args, ends_at)
    result: dict[Any, Figures] = {}
    for row in rows:
        group = _key(row, key)
        _apply(
            result.setdefault(group, Figures()),
            str(row["kind"]),
            str(row["account"]),
            int(row["in_period"]),
            int(row["to_end"]),
        )
    return result


def _key(row: dict[str, Any], key: str) -> Any:
    if key == "member":
        return int(row["member"])
    return Party(str(row["party_kind"]), int(row["party_id"]))


async def order_figures(
    *, by: str, where: str, args: list[Any], starts_at: dt.datetime, ends_at: dt.datetime
) -> dict[Any, Figures]:
    """Order figures (GMV, orders, households, repeat households) of the orders recorded in
    the period matching ``where``, by ``member`` (payer) or by ``party`` (leader and
    ambassador: an order with both counts for each)."""
    if by == "member":
        base = _ORDER_BASE.format(k1="'member'", k2="member", where=where)
        bases, params = [base], [*args, starts_at, ends_at]
    else:
        bases = [
            _ORDER_BASE.format(
                k1="'leader'",
                k2="leader_member_id",
                where=f"{where} AND leader_member_id IS NOT NULL",
            ),
            _ORDER_BASE.format(
                k1="'ambassador'",
                k2="ambassador_user_id",
                where=f"{where} AND ambassador_user_id IS NOT NULL",
            ),
        ]
        params = [*args, starts_at, ends_at, *args, starts_at, ends_at]
    sql = _ORDERS.replace("{base}", " UNION ALL ".join(bases))
    result: dict[Any, Figures] = {}
    for row in await RevenueShareOrder.raw(sql, *params):
        group: Any = int(row["k2"]) if by == "member" else Party(str(row["k1"]), int(row["k2"]))
        result[group] = Figures(
            gmv_fen=int(row["gmv"]),
            refunded_fen=int(row["refunded"]),
            orders=int(row["orders"]),
            households=int(row["households"]),
            repeat_households=int(row["repeaters"]),
        )
    return result
