"""groupbuy's part of the demo: a catalog of 100 SKUs for the two demo stores (the
categories a community group-buy sells: fresh produce, dairy, grain and oil, paper goods...),
a livestream campaign running now, and partial groups in the demo communities.

SKU codes are ``LFM-001``... (Lakeside Fresh Mart) and ``XNS-001``... (Xudong Neighbourhood
Store); the warehouse plugin's demo stocks the same codes. Idempotent: a store whose catalog
exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alliance_sdk import DemoContext, run_sql
from plugins.groupbuy.service import campaigns, catalog
from plugins.groupbuy.service.join import place_batch
from plugins.groupbuy.service.prepare import prepare_join

__all__ = ["CATALOG", "seed"]

# (category, temperature zone, shelf life in days, [(name, unit, price in fen), ...])
CATALOG: tuple[tuple[str, str, int, list[tuple[str, str, int]]], ...] = (
    (
        "vegetables",
        "chilled",
        4,
        [
            ("Bok choy", "500 g", 390),
            ("Chinese cabbage", "1 head", 590),
            ("Tomatoes", "500 g", 590),
            ("Cucumbers", "500 g", 450),
            ("Spinach", "400 g", 490),
            ("Lotus root (Honghu)", "1 kg", 1290),
            ("Potatoes", "2.5 kg", 990),
            ("Carrots", "1 kg", 490),
            ("Garlic sprouts", "300 g", 650),
            ("Eggplant", "500 g", 550),
            ("Winter melon", "1 kg", 390),
            ("Green peppers", "500 g", 590),
        ],
    ),
    (
        "fruit",
        "ambient",
        7,
        [
            ("Apples (Yantai)", "2 kg", 2290),
            ("Bananas", "1 kg", 890),
            ("Oranges (Zigui)", "2.5 kg", 2590),
            ("Pears (Dangshan)", "2 kg", 1690),
            ("Grapes", "1 kg", 1990),
            ("Watermelon", "1 each", 2990),
            ("Kiwi", "12 each", 2490),
            ("Mandarins", "2 kg", 1890),
            ("Pomelo", "1 each", 1290),
            ("Strawberries", "500 g", 2990),
        ],
    ),
    (
        "dairy",
        "chilled",
        10,
        [
            ("Fresh milk", "1 L", 1290),
            ("Yogurt, plain", "4 x 100 g", 1090),
            ("Lactose-free milk", "1 L", 1590),
            ("Low-sugar yogurt", "4 x 100 g", 1190),
            ("Cheese slices", "200 g", 1990),
            ("Milk tea (bottled)", "6 x 500 ml", 2990),
            ("Soy milk", "1 L", 690),
            ("Kids' milk", "12 x 200 ml", 4290),
            ("Butter", "200 g", 2590),
            ("Cream", "250 ml", 1490),
        ],
    ),
    (
        "eggs",
        "chilled",
        21,
        [
            ("Free-range eggs", "10 each", 1590),
            ("Eggs", "30 each", 2990),
            ("Salted duck eggs", "6 each", 1890),
            ("Quail eggs", "30 each", 1290),
            ("Century eggs", "6 each", 1190),
            ("Omega-3 eggs", "12 each", 2490),
            ("Tea eggs", "6 each", 990),
            ("Duck eggs", "10 each", 1990),
        ],
    ),
    (
        "meat",
        "chilled",
        3,
        [
            ("Pork belly", "500 g", 1990),
            ("Pork ribs", "500 g", 2990),
            ("Minced pork", "400 g", 1590),
            ("Chicken thighs", "1 kg", 2290),
            ("Whole chicken", "1.2 kg", 3990),
            ("Beef brisket", "500 g", 4590),
            ("Chicken wings", "500 g", 2490),
            ("Lamb slices", "300 g", 3590),
        ],
    ),
    (
        "seafood",
        "frozen",
        90,
        [
            ("Wuchang bream", "1 each", 3290),
            ("Crayfish (Qianjiang)", "1 kg", 5990),
            ("Shrimp", "500 g", 3990),
            ("Grass carp fillet", "500 g", 2190),
            ("Squid rings", "400 g", 2590),
            ("Fish balls", "500 g", 1590),
            ("Hairtail", "500 g", 3490),
            ("Dumplings, pork & cabbage", "1 kg", 2290),
        ],
    ),
    (
        "grain-oil",
        "ambient",
        365,
        [
            ("Northeast rice", "5 kg", 4590),
            ("Jasmine rice", "5 kg", 5290),
            ("Peanut oil", "5 L", 11990),
            ("Rapeseed oil", "5 L", 8990),
            ("Noodles (Wuhan hot dry)", "5 x 120 g", 1990),
            ("Flour", "5 kg", 3290),
            ("Millet", "1 kg", 1290),
            ("Red beans", "1 kg", 1490),
            ("Soy sauce", "1.9 L", 2190),
            ("Black vinegar", "500 ml", 890),
            ("Sesame paste", "250 g", 1590),
            ("Glutinous rice", "2 kg", 1990),
        ],
    ),
    (
        "paper-goods",
        "ambient",
        1095,
        [
            ("Tissues", "10 packs", 2490),
            ("Toilet rolls", "27 rolls", 3990),
            ("Kitchen towels", "6 rolls", 2290),
            ("Wet wipes", "3 x 80", 1990),
            ("Laundry detergent", "3 kg", 3990),
            ("Dish soap", "1.5 kg", 1590),
            ("Rubbish bags", "150 each", 1290),
            ("Cling film", "2 rolls", 1490),
        ],
    ),
    (
        "snacks",
        "ambient",
        180,
        [
            ("Duck neck (Zhou Hei Ya)", "300 g", 3990),
            ("Sunflower seeds", "500 g", 1290),
            ("Rice crackers", "520 g", 1990),
            ("Dried mango", "400 g", 2290),
            ("Walnuts", "500 g", 3490),
            ("Low-sugar biscuits", "600 g", 2590),
            ("Seaweed snacks", "12 packs", 1590),
            ("Mixed nuts", "30 x 25 g", 6990),
        ],
    ),
    (
        "frozen",
        "frozen",
        180,
        [
            ("Tangyuan (sesame)", "500 g", 1390),
            ("Frozen buns", "1 kg", 1990),
            ("Spring rolls", "500 g", 1590),
            ("Ice cream bars", "10 each", 2990),
            ("Frozen corn", "1 kg", 990),
            ("Wontons", "600 g", 2090),
            ("Sticky rice chicken", "4 each", 2490),
            ("Frozen peas", "500 g", 890),
            ("Hot pot meatballs", "1 kg", 2990),
            ("Pizza", "2 each", 3590),
            ("Steamed bread", "1 kg", 1290),
            ("Zongzi", "6 each", 3290),
            ("Frozen berries", "500 g", 2490),
            ("Fish tofu", "500 g", 1690),
        ],
    ),
)

STORES = (("lakeside-fresh-mart", "LFM", 60), ("xudong-neighbourhood-store", "XNS", 40))


def _skus(prefix: str, count: int) -> list[tuple[str, str, str, int, str, str, int]]:
    """(code, name, unit, price, category, zone, shelf life) for the store's first ``count``."""
    flat = [
        (name, unit, price, category, zone, shelf)
        for category, zone, shelf, items in CATALOG
        for name, unit, price in items
    ]
    step = max(len(flat) // count, 1)
    chosen = (flat[::step] + flat)[:count] if prefix == "LFM" else flat[1::2][:count]
    return [
        (f"{prefix}-{n:03d}", name, unit, price, category, zone, shelf)
        for n, (name, unit, price, category, zone, shelf) in enumerate(chosen, start=1)
    ]


async def seed(kernel: Any, demo: DemoContext) -> None:
    for slug, prefix, count in STORES:
        if slug not in demo.members:
            continue
        await demo.enable(slug, "groupbuy")
        member = demo.members[slug]
        existing = await run_sql(
            kernel.db, "SELECT COUNT(*) AS n FROM groupbuy_sku WHERE member = {}", member
        )
        if int(existing[0]["n"]):
            continue
        skus = _skus(prefix, count)
        for code, name, unit, price, category, zone, shelf in skus:
            await catalog.create_product(
                kernel,
                member,
                catalog.NewProduct(
                    name=name,
                    category=category,
                    temperature_zone=zone,
                    shelf_life_days=shelf,
                    origin_story="Hubei" if "Hubei" in name else "",
                    skus=[catalog.NewSku(code, name, price, unit=unit, stock=200)],
                ),
            )
        demo.created("groupbuy SKUs", len(skus))
        await _campaign(kernel, demo, slug, skus)
    for slug in demo.of_kind("leader"):
        await demo.enable(slug, "groupbuy")


async def _campaign(
    kernel: Any, demo: DemoContext, slug: str, skus: list[tuple[str, str, str, int, str, str, int]]
) -> None:
    now = kernel.clock()
    tonight = now.replace(hour=20, minute=0, second=0, microsecond=0)
    starts = min(now - dt.timedelta(minutes=30), tonight)
    member = demo.members[slug]
    campaign = await campaigns.create_campaign(
        kernel,
        member,
        campaigns.NewCampaign(
            title="Tonight 8pm: weekend family kitchen",
            livestream_url=f"https://live.demo.alliance/{slug}/weekend-kitchen",
            starts_at=starts,
            deadline=now + dt.timedelta(days=1),
            delivery_date=(now + dt.timedelta(days=2)).date(),
            min_group_size=30,
            per_resident_limit=5,
            invite_size=3,
            invite_discount_bps=500,
            items=[
                campaigns.NewItem(
                    code, price * 85 // 100, [{"min_joined": 20, "price_fen": price * 80 // 100}]
                )
                for code, _name, _unit, price, *_ in skus[:12]
            ],
        ),
    )
    demo.created("groupbuy campaigns")
    served = set(demo.served[slug])
    for n, resident in enumerate(r for r in demo.residents if r.community_id in served):
        request = await prepare_join(
            kernel,
            buyer=resident.user_id,
            campaign_id=campaign,
            community_id=resident.community_id,
            lines=[(skus[n % 12][0], 1 + n % 2), (skus[(n + 5) % 12][0], 1)],
            idempotency_key=f"demo-{campaign}-{resident.user_id}",
        )
        # Directly, not through the batcher: the demo runs inside one transaction.
        await place_batch(kernel, member, campaign, [request])
        demo.created("groupbuy orders")
