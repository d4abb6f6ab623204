"""Worlds shared by the integration tests (several built-in plugins together)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alliance_sdk.testkit import AllianceFactory
from plugins.groupbuy.service import campaigns, catalog

__all__ = ["bakery_campaign"]


async def bakery_campaign(
    kernel: Any, factory: AllianceFactory, plugins: tuple[str, ...] = ("groupbuy", "bakery_club")
) -> dict[str, Any]:
    alliance = await factory.alliance()
    bakery = await factory.member(alliance, kind="bakery")
    leader = await factory.member(alliance, kind="leader")
    community = await factory.community(alliance)
    await factory.serve(bakery, community)
    await factory.serve(leader, community)
    for slug in plugins:
        await factory.enable_plugin(bakery, slug)
    await factory.enable_plugin(leader, "groupbuy")
    await catalog.create_product(
        kernel,
        bakery.id,
        catalog.NewProduct(
            name="Sourdough loaf",
            category="bakery",
            skus=[catalog.NewSku("LBC-001", "Sourdough", 2800, stock=50)],
        ),
    )
    now = kernel.clock()
    campaign = await campaigns.create_campaign(
        kernel,
        bakery.id,
        campaigns.NewCampaign(
            title="Saturday bake",
            starts_at=now - dt.timedelta(minutes=1),
            deadline=now + dt.timedelta(hours=3),
            delivery_date=(now + dt.timedelta(days=1)).date(),
            items=[campaigns.NewItem("LBC-001", 2500)],
        ),
    )
    return {"bakery": bakery, "leader": leader, "community": community, "campaign": campaign}
