"""The campaign answer (the livestream's product list) is served from the kernel's response
cache, and is never stale: after every kind of change the seller's data can undergo, the
cached reader's answer equals the answer executed afresh for a caller with nothing cached."""

from __future__ import annotations

from typing import Any

import pytest

from alliance_sdk import decode_id
from plugins.groupbuy.service import catalog, orders
from plugins.groupbuy.service.closing import close_campaign
from plugins.groupbuy.tests.helpers import JOIN, make_shop
from plugins.groupbuy.tests.test_query_counts import QueryLog

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")

PRODUCT_LIST = """
query Shop($c: ID!, $k: ID) {
  groupbuyCampaign(campaignId: $c, communityId: $k) {
    state
    items { sku { code name priceFen stock } priceFen currentPriceFen }
    progress { joined needed formed toGo }
  }
}"""

DISABLE = """
mutation Off($m: ID!) { disablePlugin(memberId: $m, slug: "groupbuy") { enabled } }"""


async def test_a_cached_campaign_answer_is_never_stale(
    alliance_kernel: Any, alliance_factory: Any, alliance_client: Any, monkeypatch: Any
) -> None:
    kernel = alliance_kernel
    shop = await make_shop(kernel, alliance_factory)
    campaign = await shop.campaign(min_group_size=3)
    home = shop.communities[0]
    reader, buyer = await shop.add_residents(home, 2)
    ids = {"c": shop.gid("GroupbuyCampaign", campaign), "k": shop.gid("Community", home)}
    client = alliance_client
    reader_token = await client.sign_in(reader)
    buyer_token = await client.sign_in(buyer)
    log = QueryLog(kernel, monkeypatch)

    async def read() -> Any:
        client.token = reader_token
        return (await client(PRODUCT_LIST, ids)).ok()["groupbuyCampaign"]

    async def afresh() -> Any:
        """The answer executed now: a caller with nothing cached."""
        (newcomer,) = await shop.add_residents(home, 1)
        await client.sign_in(newcomer)
        return (await client(PRODUCT_LIST, ids)).ok()["groupbuyCampaign"]

    async def cached_read() -> Any:
        """A read the cache answers: authentication's query, which reads the cached entry's
        tag versions too, and nothing else."""
        with log.counting() as statements:
            answer = await read()
        assert len(statements) == 1, statements
        assert "kernel_cache_tag" in statements[0]
        return answer

    answer = await read()
    assert await cached_read() == answer

    async def after(change: str) -> None:
        nonlocal answer
        fresh = await afresh()
        assert fresh != answer, f"{change}: the test's change changed nothing"
        assert await read() == fresh, f"{change}: stale answer served"
        assert await cached_read() == fresh  # and cached again
        answer = fresh

    client.token = buyer_token
    joined = (await client(JOIN, shop.join_input(home, [("MILK-1L", 2)]))).ok()["groupbuyJoin"]
    await after("a join")

    async with kernel.db.write():
        pass  # a transaction that changes nothing moves nothing
    assert await cached_read() == answer

    await catalog.set_stock(kernel, shop.store.id, "EGGS-10", 7)
    await after("the store's stock")

    cancelled = await orders.cancel_orders(
        kernel, shop.store.id, [decode_id("GroupbuyOrder", joined["id"])], "customer_request"
    )
    assert len(cancelled) == 1
    await after("a cancelled order")

    await close_campaign(kernel, shop.store.id, campaign)
    await after("closing")

    # The session ends: the cached answer is not the caller's any more.
    client.token = reader_token
    assert (await client("mutation { logout }")).ok() == {"logout": True}
    assert (await client(PRODUCT_LIST, ids)).code == "UNAUTHENTICATED"
    reader_token = await client.sign_in(reader)
    assert await read() == answer

    # A kernel change (the seller's plugins) is in force on the next read too.
    await client.sign_in(shop.owner)
    assert (await client(DISABLE, {"m": shop.gid("Member", shop.store)})).ok()
    client.token = reader_token
    assert (await client(PRODUCT_LIST, ids)).code == "PLUGIN_DISABLED"


@pytest.mark.parametrize("variables_order", [("c", "k"), ("k", "c")])
async def test_the_same_question_is_one_entry_whoever_orders_the_variables(
    alliance_kernel: Any,
    alliance_factory: Any,
    alliance_client: Any,
    monkeypatch: Any,
    variables_order: tuple[str, str],
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    campaign = await shop.campaign()
    home = shop.communities[0]
    (reader,) = await shop.add_residents(home, 1)
    await alliance_client.sign_in(reader)
    ids = {"c": shop.gid("GroupbuyCampaign", campaign), "k": shop.gid("Community", home)}
    first = (await alliance_client(PRODUCT_LIST, ids)).ok()
    log = QueryLog(alliance_kernel, monkeypatch)
    with log.counting() as statements:
        again = await alliance_client(PRODUCT_LIST, {k: ids[k] for k in variables_order})
    assert again.ok() == first
    assert len(statements) == 1, statements


CREATE_KEY = """
mutation ($m: ID!) {
  createApiKey(memberId: $m, name: "livestream page", actions: ["kernel.members.read"]) {
    apiKey { id } plaintext
  }
}"""
REVOKE_KEY = """
mutation ($m: ID!, $id: ID!) { revokeApiKey(memberId: $m, id: $id) { revokedAt } }"""


async def test_an_api_key_caller_is_cached_and_checked_too(
    alliance_kernel: Any, alliance_factory: Any, alliance_client: Any, monkeypatch: Any
) -> None:
    """An API key's caller is known only after its lookup: a hit costs that lookup and one
    versions query, and is never stale, and a revoked key gets nothing from the cache."""
    kernel, client = alliance_kernel, alliance_client
    shop = await make_shop(kernel, alliance_factory)
    campaign = await shop.campaign()
    ids = {
        "c": shop.gid("GroupbuyCampaign", campaign),
        "k": shop.gid("Community", shop.communities[0]),
    }
    store = shop.gid("Member", shop.store)
    await client.sign_in(shop.owner)
    created = (await client(CREATE_KEY, {"m": store})).ok()["createApiKey"]
    client.sign_out()
    key = {"Authorization": f"ApiKey {created['plaintext']}"}
    log = QueryLog(kernel, monkeypatch)

    first = (await client(PRODUCT_LIST, ids, headers=key)).ok()
    with log.counting() as statements:
        assert (await client(PRODUCT_LIST, ids, headers=key)).ok() == first
    assert len(statements) == 2, statements  # the key's lookup, the versions

    await catalog.set_stock(kernel, shop.store.id, "EGGS-10", 3)
    changed = (await client(PRODUCT_LIST, ids, headers=key)).ok()
    stocks = {i["sku"]["code"]: i["sku"]["stock"] for i in changed["groupbuyCampaign"]["items"]}
    assert stocks["EGGS-10"] == 3

    await client.sign_in(shop.owner)
    assert (await client(REVOKE_KEY, {"m": store, "id": created["apiKey"]["id"]})).ok()
    client.sign_out()
    assert (await client(PRODUCT_LIST, ids, headers=key)).code == "UNAUTHENTICATED"
