"""A small shop for groupbuy's tests: a store serving two communities, residents, a
product with SKUs and an open campaign."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from alliance_sdk.testkit import AllianceClient, AllianceFactory
from plugins.groupbuy.service import campaigns, catalog
from plugins.groupbuy.service.batching import batcher
from plugins.groupbuy.service.prepare import JoinRequest, prepare_join

_keys = itertools.count(1)

JOIN = """
mutation Join($input: GroupbuyJoinInput!) {
  groupbuyJoin(input: $input) {
    id ref state totalFen discountFen pickupCode
    lines { skuCode quantity unitPriceFen totalFen }
  }
}"""


@dataclass
class Shop:
    kernel: Any
    factory: AllianceFactory
    alliance: Any
    store: Any
    owner: Any
    leader: Any
    communities: list[Any]
    residents: dict[int, list[Any]] = field(default_factory=dict)  # community id -> users
    campaign_id: int = 0

    def gid(self, type_name: str, row: Any) -> str:
        return AllianceClient.gid(type_name, row)

    async def add_residents(self, community: Any, n: int) -> list[Any]:
        made = [await self.factory.resident(community, leader=self.leader) for _ in range(n)]
        self.residents.setdefault(community.id, []).extend(made)
        return made

    async def campaign(self, **options: Any) -> int:
        now = self.kernel.clock()
        items = options.pop("items", None) or [
            campaigns.NewItem("MILK-1L", 990),
            campaigns.NewItem("EGGS-10", 1290),
            campaigns.NewItem("RICE-5KG", 3990),
        ]
        new = campaigns.NewCampaign(
            title=options.pop("title", "Weekend family kitchen"),
            starts_at=options.pop("starts_at", now - dt.timedelta(minutes=5)),
            deadline=options.pop("deadline", now + dt.timedelta(hours=2)),
            delivery_date=options.pop("delivery_date", (now + dt.timedelta(days=1)).date()),
            items=items,
            **options,
        )
        self.campaign_id = await campaigns.create_campaign(self.kernel, self.store.id, new)
        return self.campaign_id

    async def request(
        self, buyer: Any, community: Any, lines: list[tuple[str, int]], **options: Any
    ) -> JoinRequest:
        """A prepared join (``key``: its idempotency key, a fresh one by default)."""
        return await prepare_join(
            self.kernel,
            buyer=buyer.id,
            campaign_id=options.pop("campaign_id", self.campaign_id),
            community_id=community.id,
            lines=lines,
            idempotency_key=options.pop("key", None) or f"k-{next(_keys)}",
            **options,
        )

    async def join(
        self, buyer: Any, community: Any, lines: list[tuple[str, int]], **options: Any
    ) -> int:
        """A join through the service and the batcher (what the mutation does)."""
        request = await self.request(buyer, community, lines, **options)
        return (await batcher(self.kernel).join(request)).order_id

    def join_input(
        self, community: Any, lines: list[tuple[str, int]], key: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        return {
            "input": {
                "campaignId": self.gid("GroupbuyCampaign", self.campaign_id),
                "communityId": self.gid("Community", community),
                "lines": [{"skuCode": c, "quantity": q} for c, q in lines],
                "idempotencyKey": key or f"k-{next(_keys)}",
                **extra,
            }
        }


async def make_shop(
    kernel: Any, factory: AllianceFactory, *, stock: int = 1000, enable: bool = True
) -> Shop:
    alliance = await factory.alliance()
    store = await factory.member(alliance, kind="store")
    leader = await factory.member(alliance, kind="leader")
    owner = await factory.user()
    await factory.membership(store, owner, "owner")
    communities = [await factory.community(alliance) for _ in range(2)]
    for community in communities:
        await factory.serve(store, community)
        await factory.serve(leader, community)
    if enable:
        await factory.enable_plugin(store, "groupbuy")
        await factory.enable_plugin(leader, "groupbuy")
    await catalog.create_product(
        kernel,
        store.id,
        catalog.NewProduct(
            name="Fresh milk",
            category="dairy",
            temperature_zone="chilled",
            shelf_life_days=7,
            skus=[catalog.NewSku("MILK-1L", "Fresh milk 1 L", 1290, unit="bottle", stock=stock)],
        ),
    )
    await catalog.create_product(
        kernel,
        store.id,
        catalog.NewProduct(
            name="Free-range eggs",
            category="eggs",
            skus=[catalog.NewSku("EGGS-10", "Eggs, 10", 1590, stock=stock)],
        ),
    )
    await catalog.create_product(
        kernel,
        store.id,
        catalog.NewProduct(
            name="Northeast rice",
            category="grain",
            skus=[catalog.NewSku("RICE-5KG", "Rice 5 kg", 4590, stock=stock)],
        ),
    )
    return Shop(kernel, factory, alliance, store, owner, leader, communities)
