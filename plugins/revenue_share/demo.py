"""The plugin's part of the demo alliance: rules for the two stores and the bakery, a month
of picked-up orders accrued through the service (synthetic: no dependence on groupbuy's
demo), a few refunds, the freeze released, the previous period settled and one payout.
Idempotent: everything is looked up by natural key first."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Final

from alliance_sdk import scoped
from plugins.revenue_share.accrual import record_pickup, record_refund
from plugins.revenue_share.attribution import create_referral_code
from plugins.revenue_share.freeze import release_due
from plugins.revenue_share.ledger import Party, balances
from plugins.revenue_share.payouts import record_payout
from plugins.revenue_share.periods import period_of
from plugins.revenue_share.settlement import settle
from plugins.revenue_share.tables import (
    RevenueShareOrder,
    RevenueShareReferralCode,
    RevenueShareRule,
)

__all__ = ["seed"]

SLUG: Final = "revenue_share"
# payer slug -> (config, rule)
PAYERS: Final[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
    "lakeside-fresh-mart": (
        {"settlement_period": "monthly", "rounding": "half_even", "freeze_days": 7},
        {
            "default_rate_bp": 600,
            "category_rates": {"dairy": 800},
            "sku_rates": {"EGG-30": 400},
            "tiers": [[5_000_000, 700], [10_000_000, 800]],
        },
    ),
    "xudong-neighbourhood-store": (
        {"settlement_period": "monthly", "rounding": "half_up", "freeze_days": 5},
        {"default_rate_bp": 500, "category_rates": {"grain_oil": 300}},
    ),
    "luojia-bakery-club": (
        {"settlement_period": "weekly", "rounding": "half_even", "freeze_days": 3},
        {"default_rate_bp": 800, "ambassador_rate_bp": 300},
    ),
}
LEADERS: Final = ("auntie-wang-group", "chen-family-group", "li-kitchen-club")
CATALOGUE: Final = {
    "lakeside-fresh-mart": [
        ("VEG-BOKCHOY", "Bok choy 500g", "vegetables", 390),
        ("MILK-1L", "Fresh milk 1L", "dairy", 1290),
        ("EGG-30", "Free-range eggs x30", "eggs", 2680),
        ("PORK-500", "Pork belly 500g", "meat", 2390),
    ],
    "xudong-neighbourhood-store": [
        ("RICE-5KG", "Northeast rice 5kg", "grain_oil", 3990),
        ("OIL-5L", "Peanut oil 5L", "grain_oil", 8990),
        ("TISSUE-10", "Tissue 10 packs", "paper", 2590),
    ],
    "luojia-bakery-club": [
        ("BREAD-MILK", "Milk loaf", "bakery", 1880),
        ("CAKE-6IN", "6-inch fruit cake", "bakery", 12800),
        ("CROISSANT-4", "Croissants x4", "bakery", 2400),
    ],
}
REFERRAL_CODE: Final = "LUOJIA-AMB-01"


async def _rules(kernel: Any, payer_id: int, rule: dict[str, Any], since: dt.datetime) -> None:
    table = scoped(RevenueShareRule, payer_id)
    if await table.exists():
        return
    await table.insert(
        RevenueShareRule(
            member=payer_id,
            effective_from=since,
            default_rate_bp=rule["default_rate_bp"],
            ambassador_rate_bp=rule.get("ambassador_rate_bp", 0),
            category_rates=rule.get("category_rates", {}),
            sku_rates=rule.get("sku_rates", {}),
            tiers=rule.get("tiers", []),
            created_at=since,
        )
    )


def _lines(rng: random.Random, slug: str) -> list[dict[str, Any]]:
    lines = []
    for sku, name, category, price in rng.sample(CATALOGUE[slug], k=rng.randint(1, 3)):
        quantity = rng.randint(1, 3)
        lines.append(
            {
                "sku": sku,
                "product_name": name,
                "category": category,
                "quantity": quantity,
                "unit_price_fen": price,
                "total_fen": price * quantity,
            }
        )
    return lines


async def _orders(kernel: Any, demo: Any, slug: str, now: dt.datetime) -> int:
    payer_id = demo.members[slug]
    served = set(demo.served.get(slug, []))
    residents = [r for r in demo.residents if r.community_id in served] or list(demo.residents)
    rng = random.Random(f"revenue-share-demo-{slug}")
    made = 0
    for day in range(30, 0, -1):
        for n in range(rng.randint(2, 5)):
            resident = rng.choice(residents)
            lines = _lines(rng, slug)
            gross = sum(line["total_fen"] for line in lines)
            discount = gross // 20 if rng.random() < 0.3 else 0
            ref = f"demo-rs-{slug}-{day:02d}-{n}"
            at = now - dt.timedelta(days=day, hours=rng.randint(0, 8))
            ambassador = slug == "luojia-bakery-club" and rng.random() < 0.4
            order = {
                "order_id": 0,
                "order_ref": ref,
                "campaign_id": 0,
                "community_id": resident.community_id,
                "buyer_user_id": resident.user_id,
                "total_fen": gross - discount,
                "discount_fen": discount,
                "lines": lines,
                "leader_member_id": resident.leader_member_id,
                "ambassador_user_id": demo.residents[0].user_id if ambassador else None,
                "attribution_reason": "referral_code" if ambassador else "community_leader",
                "referral_code": REFERRAL_CODE if ambassador else None,
                "picked_up_at": at.isoformat(),
                "pickup_member_id": resident.leader_member_id,
            }
            refunded = rng.random() < 0.08  # drawn either way: a re-run makes the same orders
            if await record_pickup(kernel, payer_id, order, at=at) is not None:
                made += 1
                if refunded:  # a partial refund a day later
                    refund = {"order_ref": ref, "refunded_total_fen": order["total_fen"] // 3}
                    await record_refund(kernel, payer_id, refund, at=at + dt.timedelta(days=1))
    return made


async def seed(kernel: Any, demo: Any) -> None:
    now = kernel.clock()
    since = now - dt.timedelta(days=45)
    for slug in LEADERS:
        if slug in demo.members:
            await demo.enable(slug, SLUG)
    for slug, (config, rule) in PAYERS.items():
        if slug not in demo.members:
            continue
        await demo.enable(slug, SLUG, config)
        payer_id = demo.members[slug]
        await _rules(kernel, payer_id, rule, since)
        if (
            slug == "luojia-bakery-club"
            and not await scoped(RevenueShareReferralCode, payer_id).exists()
        ):
            await create_referral_code(
                kernel,
                payer_id,
                code=REFERRAL_CODE,
                leader_member_id=None,
                ambassador_user_id=demo.residents[0].user_id,
            )
        demo.created("revenue-share orders", await _orders(kernel, demo, slug, now))
    demo.created("revenue-share releases", await release_due(kernel, now))
    for slug, (config, _) in PAYERS.items():
        if slug not in demo.members:
            continue
        payer_id = demo.members[slug]
        period = period_of(config["settlement_period"], now).previous()
        settled = await settle(kernel, payer_id, period.key)
        for statement in settled["statements"][:1]:
            party = Party(statement["party_kind"], int(statement["party_id"]))
            available = (await balances(payer_id, party)).get(party, {}).get("available", 0)
            amount = min(int(statement["available_fen"]), available)
            if amount > 0:
                await record_payout(
                    kernel,
                    payer_id,
                    party=party,
                    amount_fen=amount,
                    period=period.key,
                    idempotency_key=f"demo-{period.key}-{party.kind}-{party.id}",
                    reference="demo bank transfer",
                )
    orders = 0
    for slug in PAYERS:
        if slug in demo.members:
            orders += await scoped(RevenueShareOrder, demo.members[slug]).count()
    demo.progress(f"  revenue_share: {orders} orders in the payers' books")
