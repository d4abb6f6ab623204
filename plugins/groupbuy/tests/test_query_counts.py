"""Database queries per GraphQL operation, counted (not timed): the storefront's product list
(``groupbuyCampaign`` with items, SKUs and a community's progress) costs the same number of
queries whatever the number of SKUs, and no more than :data:`PRODUCT_LIST_BUDGET`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from plugins.groupbuy.errors import NotInCommunity
from plugins.groupbuy.service import campaigns, catalog
from plugins.groupbuy.service.join import place_batch
from plugins.groupbuy.service.writing import Placed
from plugins.groupbuy.tests.helpers import Shop, make_shop

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")

PRODUCT_LIST = """
query($c: ID!, $k: ID) {
  groupbuyCampaign(campaignId: $c, communityId: $k) {
    items { sku { code name priceFen stock } priceFen currentPriceFen }
    progress { joined needed formed toGo }
  }
}"""
# A warm request executed (not in the response cache): the session (authentication, which
# reads the kernel state version for the plugin gate too; the campaign's seller is cached per
# process), the seller's cache-tag version (only when the answer may be cached), the
# campaign with the community's group, and its items with SKUs and products. Raise it only
# with a reason; it must never depend on the number of SKUs.
PRODUCT_LIST_BUDGET = 4
# Answered from the response cache: the session query, which reads the versions the cached
# entry depends on too.
CACHED_PRODUCT_LIST = 1


class QueryLog:
    """The statements the kernel's engine ran while :meth:`counting` was open."""

    def __init__(self, kernel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.statements: list[str] = []
        self._on = False
        # Patched on the class: piccolo's PostgresEngine has __slots__. Every query, raw
        # (``run_sql``) or built by piccolo, passes through ``run_querystring``.
        engine_class = type(kernel.db.engine)
        original = engine_class.run_querystring

        async def run_querystring(engine: Any, querystring: Any, *args: Any, **kw: Any) -> Any:
            if self._on:
                self.statements.append(str(querystring))
            return await original(engine, querystring, *args, **kw)

        monkeypatch.setattr(engine_class, "run_querystring", run_querystring)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements = []
        self._on = True
        try:
            yield self.statements
        finally:
            self._on = False


async def _campaign_of(shop: Shop, skus: int, prefix: str) -> int:
    """A campaign of ``skus`` SKUs (ten per product), a price tier on each."""
    codes = [f"{prefix}-{n:03d}" for n in range(skus)]
    for start in range(0, skus, 10):
        await catalog.create_product(
            shop.kernel,
            shop.store.id,
            catalog.NewProduct(
                name=f"Product {prefix} {start}",
                category="pantry",
                skus=[catalog.NewSku(c, f"Item {c}", 1000, stock=50) for c in codes[start:][:10]],
            ),
        )
    tier = [{"min_joined": 5, "price_fen": 800}]
    return await shop.campaign(items=[campaigns.NewItem(c, 900, tier) for c in codes])


async def test_the_product_list_costs_the_same_queries_for_10_and_100_skus(
    alliance_kernel, alliance_factory, alliance_client, monkeypatch
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    small = await _campaign_of(shop, 10, "S")
    large = await _campaign_of(shop, 100, "L")
    home = shop.communities[0]
    warmer, resident = await shop.add_residents(home, 2)
    log = QueryLog(alliance_kernel, monkeypatch)

    async def product_list(campaign: int) -> list[str]:
        ids = {"c": shop.gid("GroupbuyCampaign", campaign), "k": shop.gid("Community", home)}
        with log.counting() as statements:
            found = (await alliance_client(PRODUCT_LIST, ids)).ok()["groupbuyCampaign"]
        assert len(found["items"]) in (10, 100)
        return list(statements)

    # Warm the process's caches (permissions, enabled plugins) as a serving worker has them,
    # as another resident: the measured one has nothing in the response cache yet.
    await alliance_client.sign_in(warmer)
    await product_list(small)
    await product_list(large)
    await alliance_client.sign_in(resident)
    ten, hundred = await product_list(small), await product_list(large)
    assert len(hundred) == len(ten), (ten, hundred)
    assert len(ten) <= PRODUCT_LIST_BUDGET, ten
    assert len(await product_list(small)) == len(await product_list(large)) == CACHED_PRODUCT_LIST


async def test_a_batch_of_joins_costs_the_same_queries_for_1_and_20_buyers(
    alliance_kernel, alliance_factory, monkeypatch
) -> None:
    """Where the buyers live, the idempotency keys, the writes: one statement each per
    batch, whatever its size (a flash sale's rate rests on it)."""
    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign(min_group_size=50)  # no group forms (that is one more statement)
    home, other = shop.communities
    buyers = [(r, home) for r in await shop.add_residents(home, 11)]
    buyers += [(r, other) for r in await shop.add_residents(other, 10)]
    stranger = await alliance_factory.user()  # lives nowhere: refused inside the batch
    buyers.append((stranger, home))
    requests = [
        await shop.request(buyer, community, [("MILK-1L", 1)], key=f"q-{n}")
        for n, (buyer, community) in enumerate(buyers)
    ]
    seller, campaign = shop.store.id, shop.campaign_id
    await place_batch(alliance_kernel, seller, campaign, requests[:1])  # warm the caches
    log = QueryLog(alliance_kernel, monkeypatch)
    with log.counting() as one:
        [alone], _ = await place_batch(alliance_kernel, seller, campaign, requests[1:2])
    with log.counting() as many:
        outcomes, progress = await place_batch(alliance_kernel, seller, campaign, requests[2:])
    assert isinstance(alone, Placed)
    assert [type(o) for o in outcomes] == [Placed] * 19 + [NotInCommunity]
    assert sorted(p.joined for p in progress) == [10, 11]
    assert len(many) == len(one), (one, many)
