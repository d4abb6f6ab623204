"""Commission rules: versions per paying member, and the commission they give an order.

A version holds a default rate, overrides per category and per SKU, tiers by the leader's
GMV with this payer in the current period, and the ambassador's rate (the second level).
Versions are never changed: a new one takes effect at its ``effective_from``, and an order
uses the version in force when it was picked up, so past accruals are never rewritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from alliance_sdk import BadUserInput, Conflict, scoped
from plugins.revenue_share.money import BP, round_fraction, split
from plugins.revenue_share.tables import RevenueShareRule

__all__ = ["Commission", "RuleInput", "commission", "list_rules", "rule_at", "set_rule"]

_RULE_COLUMNS = (
    RevenueShareRule.id,
    RevenueShareRule.effective_from,
    RevenueShareRule.default_rate_bp,
    RevenueShareRule.ambassador_rate_bp,
    RevenueShareRule.category_rates,
    RevenueShareRule.sku_rates,
    RevenueShareRule.tiers,
    RevenueShareRule.created_at,
)


@dataclass(frozen=True)
class RuleInput:
    default_rate_bp: int
    ambassador_rate_bp: int = 0
    category_rates: Mapping[str, int] = field(default_factory=dict)
    sku_rates: Mapping[str, int] = field(default_factory=dict)
    tiers: Sequence[tuple[int, int]] = ()  # (min GMV in fen, rate in bp)
    effective_from: dt.datetime | None = None


@dataclass(frozen=True)
class Commission:
    leader_fen: int
    ambassador_fen: int
    detail: dict[str, Any]


def _rate_problem(rate: int) -> str | None:
    return None if 0 <= rate <= BP else "a rate in basis points, 0 to 10000"


def _validate(rule: RuleInput, now: dt.datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("default_rate_bp", "ambassador_rate_bp"):
        problem = _rate_problem(getattr(rule, name))
        if problem:
            errors[name] = problem
    for name in ("category_rates", "sku_rates"):
        rates = getattr(rule, name)
        if any(not key or len(key) > 64 or _rate_problem(v) for key, v in rates.items()):
            errors[name] = "names of 1 to 64 characters, rates 0 to 10000 basis points"
    minimums = [minimum for minimum, _ in rule.tiers]
    if any(m < 0 for m in minimums) or minimums != sorted(set(minimums)):
        errors["tiers"] = "tiers ascend by minimum GMV (fen, >= 0), each minimum once"
    elif any(_rate_problem(rate) for _, rate in rule.tiers):
        errors["tiers"] = "a rate in basis points, 0 to 10000"
    if rule.effective_from is not None and rule.effective_from < now:
        errors["effective_from"] = "not in the past: past accruals are never re-rated"
    return errors


async def set_rule(
    kernel: Any, payer_id: int, rule: RuleInput, *, actor_user_id: int | None
) -> dict[str, Any]:
    """Add a version of the payer's rules, in force from ``rule.effective_from`` (now by
    default). A version at the same instant already exists: ``CONFLICT``."""
    now = kernel.clock()
    errors = _validate(rule, now)
    if errors:
        raise BadUserInput("invalid commission rule", field_errors=errors)
    effective_from = rule.effective_from or now
    row = RevenueShareRule(
        member=payer_id,
        effective_from=effective_from,
        default_rate_bp=rule.default_rate_bp,
        ambassador_rate_bp=rule.ambassador_rate_bp,
        category_rates=dict(rule.category_rates),
        sku_rates=dict(rule.sku_rates),
        tiers=[list(tier) for tier in rule.tiers],
        created_at=now,
        created_by=actor_user_id,
    )
    table = scoped(RevenueShareRule, payer_id)
    async with kernel.db.write():
        if await table.exists().where(RevenueShareRule.effective_from == effective_from):
            raise Conflict("a rule version already takes effect at that instant")
        await table.insert(row)
    rules = await list_rules(payer_id)
    return next(r for r in rules if r["effective_from"] == effective_from)


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    import json

    for name in ("category_rates", "sku_rates", "tiers"):
        if isinstance(row[name], str):
            row[name] = json.loads(row[name])
    row["tiers"] = [(int(m), int(r)) for m, r in row["tiers"]]
    return row


async def list_rules(payer_id: int) -> list[dict[str, Any]]:
    """Every version of the payer's rules, newest first."""
    rows = await (
        scoped(RevenueShareRule, payer_id)
        .select(*_RULE_COLUMNS)
        .order_by(RevenueShareRule.effective_from, ascending=False)
    )
    return [_decoded(row) for row in rows]


async def rule_at(payer_id: int, at: dt.datetime) -> dict[str, Any] | None:
    """The version in force at ``at``, if any."""
    row = await (
        scoped(RevenueShareRule, payer_id)
        .select(*_RULE_COLUMNS)
        .where(RevenueShareRule.effective_from <= at)
        .order_by(RevenueShareRule.effective_from, ascending=False)
        .first()
    )
    return _decoded(row) if row else None


def _tier_rate(rule: Mapping[str, Any], gmv_fen: int) -> int:
    rate = int(rule["default_rate_bp"])
    for minimum, tier_rate in rule["tiers"]:
        if gmv_fen >= minimum:
            rate = tier_rate
    return rate


def commission(
    rule: Mapping[str, Any] | None,
    *,
    total_fen: int,
    lines: Sequence[Mapping[str, Any]],
    leader_gmv_fen: int,
    has_leader: bool,
    has_ambassador: bool,
    rounding: str,
) -> Commission:
    """The commission on an order of ``total_fen`` (after discounts): the total is shared
    over the lines in proportion to their amounts (largest remainder), each line earns the
    rate of its SKU, else its category, else the tier of ``leader_gmv_fen`` (this order
    included), else the default; the sum is rounded once with ``rounding``."""
    if rule is None or total_fen <= 0:
        return Commission(0, 0, {"rule": None})
    base_rate = _tier_rate(rule, leader_gmv_fen)
    weights = [max(0, int(line.get("total_fen") or 0)) for line in lines]
    if not lines or sum(weights) == 0:
        lines, weights = [{}], [1]
    bases = split(total_fen, weights)
    exact = Fraction(0)
    rates: list[int] = []
    for line, base in zip(lines, bases, strict=True):
        sku, category = line.get("sku"), line.get("category")
        if sku in rule["sku_rates"]:
            rate = int(rule["sku_rates"][sku])
        elif category in rule["category_rates"]:
            rate = int(rule["category_rates"][category])
        else:
            rate = base_rate
        rates.append(rate)
        exact += Fraction(base * rate, BP)
    leader_fen = round_fraction(exact, rounding) if has_leader else 0
    ambassador_rate = int(rule["ambassador_rate_bp"])
    ambassador_fen = (
        round_fraction(Fraction(total_fen * ambassador_rate, BP), rounding) if has_ambassador else 0
    )
    detail = {
        "rule": int(rule["id"]),
        "tier_rate_bp": base_rate,
        "leader_gmv_fen": leader_gmv_fen,
        "line_rates_bp": rates,
        "ambassador_rate_bp": ambassador_rate if has_ambassador else 0,
    }
    return Commission(leader_fen, ambassador_fen, detail)
