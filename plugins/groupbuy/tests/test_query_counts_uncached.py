"""With the response cache off nothing may be cached, so the product list does not read the
seller's cache-tag version: one query fewer than an executed answer with the cache on."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.groupbuy.tests.helpers import make_shop
from plugins.groupbuy.tests.test_query_counts import (
    PRODUCT_LIST,
    PRODUCT_LIST_BUDGET,
    QueryLog,
    _campaign_of,
)

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")


@pytest.fixture
def alliance_settings(alliance_settings: Any) -> Any:
    return alliance_settings.model_copy(update={"response_cache_entries": 0})


async def test_no_cache_no_version_read(
    alliance_kernel, alliance_factory, alliance_client, monkeypatch
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    campaign = await _campaign_of(shop, 10, "U")
    home = shop.communities[0]
    [resident] = await shop.add_residents(home, 1)
    await alliance_client.sign_in(resident)
    ids = {"c": shop.gid("GroupbuyCampaign", campaign), "k": shop.gid("Community", home)}
    log = QueryLog(alliance_kernel, monkeypatch)
    for _ in range(2):  # the second, warm, is counted
        with log.counting() as statements:
            found = (await alliance_client(PRODUCT_LIST, ids)).ok()["groupbuyCampaign"]
    assert len(found["items"]) == 10
    assert len(statements) == PRODUCT_LIST_BUDGET - 1, statements
    assert not [s for s in statements if "kernel_cache_tag" in s], statements
