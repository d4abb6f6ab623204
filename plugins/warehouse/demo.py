"""The warehouse part of the demo alliance: three East Lake hubs run by
``east-lake-cloud-warehouse``, shared by the demo stores and the bakery, with stock lots and
a week of demand history.

SKU codes are ``<PREFIX>-<NNN>`` per owner: ``LFM`` Lakeside Fresh Mart, ``XNS`` Xudong
Neighbourhood Store, ``LBC`` Luojia Bakery Club (docs/plugins/builtin/warehouse.md lists them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from alliance_sdk import scoped
from plugins.warehouse import agreements, sites, stock
from plugins.warehouse.demand import record_search
from plugins.warehouse.reservations import local_today
from plugins.warehouse.tables import WarehouseDemand, WarehouseLot, WarehouseSite, WarehouseUnmet

__all__ = ["CATALOG", "seed"]

OPERATOR: Final = "east-lake-cloud-warehouse"
# code, name, lat, lon, radius km, communities listed explicitly
HUBS: Final = (
    (
        "EL-WUCHANG",
        "East Lake Hub Wuchang",
        30.5560,
        114.3540,
        4.0,
        ("Donghu Xincun", "Shuiguohu Garden", "Luojia Hill Residences", "Zhongbei Road Apartments"),
    ),
    ("EL-HONGSHAN", "East Lake Hub Hongshan", 30.5500, 114.3900, 3.0, ("Moshan Lakeside Village",)),
    ("EL-XUDONG", "East Lake Hub Xudong", 30.5850, 114.3500, 3.0, ("Xudong New Town",)),
)
ZONES: Final = (
    ("ambient", 20_000, 5.0, 30.0),
    ("chilled", 8_000, 0.0, 4.0),
    ("frozen", 4_000, -25.0, -15.0),
)
# owner slug -> (sku, name, category, zone, unit cost fen, shelf life days, daily demand)
CATALOG: Final[dict[str, tuple[tuple[str, str, str, str, int, int, int], ...]]] = {
    "lakeside-fresh-mart": (
        ("LFM-001", "Fresh milk 1L", "dairy", "chilled", 820, 7, 40),
        ("LFM-002", "Lactose-free milk 1L", "dairy", "chilled", 1150, 10, 6),
        ("LFM-003", "Free-range eggs x10", "eggs", "chilled", 1290, 20, 25),
        ("LFM-004", "Choy sum 500g", "vegetables", "chilled", 380, 3, 60),
        ("LFM-005", "Firm tofu 400g", "soy", "chilled", 260, 4, 30),
        ("LFM-006", "Northeast rice 5kg", "grain_oil", "ambient", 3200, 365, 8),
        ("LFM-007", "Peanut oil 1.8L", "grain_oil", "ambient", 4100, 540, 5),
        ("LFM-008", "Frozen dumplings 1kg", "frozen", "frozen", 1850, 180, 12),
    ),
    "xudong-neighbourhood-store": (
        ("XNS-001", "Tissue paper 10 packs", "paper", "ambient", 1590, 1000, 10),
        ("XNS-002", "Lotus root 1kg", "vegetables", "chilled", 690, 7, 18),
        ("XNS-003", "Yogurt 4x100g", "dairy", "chilled", 990, 14, 22),
        ("XNS-004", "Wuchang fish fillet 500g", "meat_fish", "frozen", 2380, 90, 9),
        ("XNS-005", "Hot dry noodles x5", "grain_oil", "ambient", 1250, 180, 15),
    ),
    "luojia-bakery-club": (
        ("LBC-001", "Whole-wheat loaf", "bakery", "ambient", 980, 3, 20),
        ("LBC-002", "Low-sugar sponge cake", "bakery", "chilled", 2680, 3, 6),
        ("LBC-003", "Butter croissants x4", "bakery", "ambient", 1580, 2, 14),
        ("LBC-004", "Frozen pastry dough 1kg", "bakery", "frozen", 2150, 120, 4),
    ),
}
WEEKLY: Final = (0.9, 0.85, 0.9, 1.0, 1.15, 1.35, 1.3)  # Monday .. Sunday


async def _hub(kernel: Any, demo: Any, operator: int, spec: tuple[Any, ...]) -> tuple[int, bool]:
    code, name, lat, lon, radius, listed = spec
    found = (
        await scoped(WarehouseSite, operator)
        .select(WarehouseSite.id)
        .where(WarehouseSite.code == code)
    )
    if found:
        return int(found[0]["id"]), False
    site = await sites.create_site(
        kernel, operator, code=code, name=name, latitude=lat, longitude=lon, radius_km=radius
    )
    for zone, capacity, low, high in ZONES:
        await sites.set_zone(
            kernel,
            operator,
            site.id,
            zone=zone,
            capacity_units=capacity,
            min_celsius=low,
            max_celsius=high,
        )
    ids = [demo.communities[c] for c in listed if c in demo.communities]
    await sites.set_coverage(kernel, operator, site.id, ids, None)
    await sites.add_slot(
        kernel,
        operator,
        site.id,
        name="Next morning",
        cutoff="21:00",
        lead_days=1,
        window="07:00-10:00",
    )
    await sites.add_slot(
        kernel,
        operator,
        site.id,
        name="Same-day afternoon",
        cutoff="10:00",
        lead_days=0,
        window="15:00-18:00",
    )
    demo.created("warehouse hubs")
    return site.id, True


async def seed(kernel: Any, demo: Any) -> None:
    if OPERATOR not in demo.members:
        return
    operator = demo.members[OPERATOR]
    await demo.enable(OPERATOR, "warehouse")
    today = local_today(kernel)
    for index, spec in enumerate(HUBS):
        hub, _ = await _hub(kernel, demo, operator, spec)
        for owner_slug, catalog in CATALOG.items():
            if owner_slug not in demo.members:
                continue
            owner = demo.members[owner_slug]
            await demo.enable(owner_slug, "warehouse")
            await agreements.admit_client(kernel, operator, hub, owner)
            await _stock(kernel, demo, hub, owner, catalog, today, share=1.0 / (index + 1))
    # Three days of searches for lactose-free milk in Donghu Xincun: a replenishment signal.
    if "lakeside-fresh-mart" in demo.members and "Donghu Xincun" in demo.communities:
        owner = demo.members["lakeside-fresh-mart"]
        if not await _searched(owner, "LFM-002"):
            community = demo.communities["Donghu Xincun"]
            await record_search(
                kernel, owner, sku="LFM-002", community_id=community, query="lactose-free milk"
            )
            # ... and on the two days before: three days of searches, a signal.
            hub = (
                await scoped(WarehouseUnmet, owner)
                .select(WarehouseUnmet.warehouse)
                .where(WarehouseUnmet.sku == "LFM-002")
            )
            await scoped(WarehouseUnmet, owner).insert(
                *[
                    WarehouseUnmet(
                        member=owner,
                        sku="LFM-002",
                        community=community,
                        warehouse=hub[0]["warehouse"],
                        kind="search",
                        units=1,
                        search_text="lactose-free milk",
                        day=today - dt.timedelta(days=back),
                        at=kernel.clock() - dt.timedelta(days=back),
                    )
                    for back in (1, 2)
                ]
            )
            demo.created("unmet searches", 3)


async def _searched(owner: int, sku: str) -> bool:
    where = (WarehouseUnmet.sku == sku) & (WarehouseUnmet.kind == "search")
    return bool(await scoped(WarehouseUnmet, owner).exists().where(where))


async def _stock(
    kernel: Any,
    demo: Any,
    hub: int,
    owner: int,
    catalog: tuple[Any, ...],
    today: dt.date,
    share: float,
) -> None:
    for sku, name, category, zone, cost, shelf_days, daily in catalog:
        lot_code = f"{sku}-{today:%y%m%d}-H{hub}"
        have = (
            await scoped(WarehouseLot, owner)
            .exists()
            .where((WarehouseLot.warehouse == hub) & (WarehouseLot.lot_code == lot_code))
        )
        if have:
            continue
        units = max(5, int(daily * 4 * share))
        # An older lot close to expiry for fresh goods: something for the clearance list.
        if shelf_days <= 10:
            await stock.receive(
                kernel,
                owner,
                hub,
                owner,
                sku=sku,
                quantity=max(2, units // 4),
                lot_code=f"{lot_code}-OLD",
                expires_on=today + dt.timedelta(1),
                name=name,
                category=category,
                zone=zone,
                unit_cost_fen=cost,
            )
        await stock.receive(
            kernel,
            owner,
            hub,
            owner,
            sku=sku,
            quantity=units,
            lot_code=lot_code,
            expires_on=today + dt.timedelta(days=shelf_days),
            name=name,
            category=category,
            zone=zone,
            unit_cost_fen=cost,
        )
        demo.created("warehouse lots", 2 if shelf_days <= 10 else 1)
        history = [
            WarehouseDemand(
                member=owner,
                warehouse=hub,
                sku=sku,
                day=today - dt.timedelta(days=back),
                units=max(
                    0, round(daily * share * WEEKLY[(today - dt.timedelta(days=back)).weekday()])
                ),
            )
            for back in range(1, 8)
        ]
        await scoped(WarehouseDemand, owner).insert(*history)
        demo.created("warehouse demand days", len(history))
