"""Reading campaigns and orders for GraphQL in a constant number of queries, whatever the
number of SKUs or orders (one per kind of row)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alliance_sdk import encode_id, placeholders, run_sql, run_sql_records
from plugins.groupbuy.graphql.types import (
    GroupbuyCampaign,
    GroupbuyCampaignItem,
    GroupbuyOrder,
    GroupbuyProgress,
    GroupbuySku,
    _date,
    _datetime,
    json_list,
)
from plugins.groupbuy.service.campaigns import Progress
from plugins.groupbuy.service.common import price_for
from plugins.groupbuy.service.orders import order_lines

__all__ = ["SKU_COLUMNS", "campaigns", "orders"]

SKU_COLUMNS = (
    "s.id, s.code, s.name, s.unit, s.price_fen, s.stock, s.sold, p.name AS product_name, "
    "p.category, p.temperature_zone, p.shelf_life_days, p.image_urls, p.origin_story"
)


async def campaigns(
    kernel: Any, where: str, args: list[Any], community_id: int | None, *, tail: str = ""
) -> list[GroupbuyCampaign]:
    """The campaigns ``where`` selects (a condition on ``c``, the campaign; then ``tail``:
    ORDER BY, LIMIT) as GraphQL objects, with items and (for ``community_id``) that
    community's progress: two queries whatever the campaigns and SKUs (the campaigns with
    their community's group, then every item with its SKU and product)."""
    if community_id is None:
        sql = f"SELECT c.* FROM groupbuy_campaign c WHERE {where} {tail}"
    else:
        sql = (
            "SELECT c.*, g.joined AS group_joined, g.needed AS group_needed, "
            "g.state AS group_state FROM groupbuy_campaign c "
            "LEFT JOIN groupbuy_community_group g ON g.campaign = c.id AND g.community = {} "
            f"WHERE {where} {tail}"
        )
        args = [community_id, *args]
    rows = await run_sql(kernel.db, sql, *args)
    if not rows:
        return []
    ids = [int(r["id"]) for r in rows]
    items = await run_sql_records(
        kernel.db,
        f"SELECT i.campaign, i.price_fen AS campaign_price_fen, i.tiers, {SKU_COLUMNS} "
        "FROM groupbuy_campaign_item i JOIN groupbuy_sku s ON s.id = i.sku "
        f"JOIN groupbuy_product p ON p.id = s.product WHERE i.campaign IN ({placeholders(ids)}) "
        "ORDER BY i.campaign, s.id",
        *ids,
    )
    progress = {}
    if community_id is not None:
        progress = {int(r["id"]): _progress(r, community_id) for r in rows}
    by_campaign: dict[int, list[GroupbuyCampaignItem]] = {i: [] for i in ids}
    for item in items:
        campaign_id = int(item["campaign"])
        joined = progress[campaign_id].joined if community_id is not None else 0
        by_campaign[campaign_id].append(_item(item, joined))
    return [
        GroupbuyCampaign(
            id=encode_id("GroupbuyCampaign", r["id"]),
            member_id=encode_id("Member", r["member"]),
            title=r["title"],
            livestream_url=r["livestream_url"],
            starts_at=_datetime(r["starts_at"]),  # type: ignore[arg-type]
            deadline=_datetime(r["deadline"]),  # type: ignore[arg-type]
            delivery_date=_date(r["delivery_date"]),
            min_group_size=int(r["min_group_size"]),
            per_resident_limit=int(r["per_resident_limit"]),
            invite_size=int(r["invite_size"]),
            invite_discount_bps=int(r["invite_discount_bps"]),
            state=r["state"],
            items=by_campaign[int(r["id"])],
            progress=GroupbuyProgress.of(progress[int(r["id"])])
            if community_id is not None
            else None,
        )
        for r in rows
    ]


# Items built from identical rows are identical: a storefront list rebuilt request after
# request (every caller, every miss of the response cache) reuses them while its rows stay
# the same (a join changes one SKU's stock: that item alone is built again). The objects are
# read-only answers, never changed after they are built.
_ITEMS: dict[tuple[Any, ...], GroupbuyCampaignItem] = {}
_ITEMS_LIMIT = 4096


def _item(row: Mapping[str, Any], joined: int) -> GroupbuyCampaignItem:
    key = (*row.values(), joined)
    try:
        found = _ITEMS.get(key)
    except TypeError:  # a driver handed back an unhashable value (a decoded JSON list)
        return _new_item(row, joined)
    if found is None:
        found = _new_item(row, joined)
        if len(_ITEMS) >= _ITEMS_LIMIT:
            _ITEMS.clear()
        _ITEMS[key] = found
    return found


def _new_item(row: Mapping[str, Any], joined: int) -> GroupbuyCampaignItem:
    price = int(row["campaign_price_fen"])
    return GroupbuyCampaignItem(
        sku=GroupbuySku.of(row),
        price_fen=price,
        current_price_fen=price_for(price, json_list(row["tiers"]), joined + 1),
    )


def _progress(row: dict[str, Any], community_id: int) -> Progress:
    """The community's group from a campaign row joined with it (none yet: 0 of the
    campaign's minimum, forming)."""
    if row["group_state"] is None:
        return Progress(int(row["id"]), community_id, 0, int(row["min_group_size"]), "forming")
    return Progress(
        int(row["id"]),
        community_id,
        int(row["group_joined"]),
        int(row["group_needed"]),
        row["group_state"],
    )


async def orders(
    kernel: Any, rows: list[dict[str, Any]], *, show_code: bool
) -> list[GroupbuyOrder]:
    lines = await order_lines(kernel, [int(r["id"]) for r in rows])
    return [GroupbuyOrder.of(r, lines[int(r["id"])], show_code=show_code) for r in rows]
