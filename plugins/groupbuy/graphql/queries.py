"""groupbuy's queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import (
    PluginGate,
    authenticated,
    cache_depends,
    context_of,
    decode_id,
    live_grants,
    member_arg,
    placeholders,
    record_read,
    requires,
    residents_of,
    run_sql,
)
from plugins.groupbuy.graphql import loading
from plugins.groupbuy.graphql.types import (
    GroupbuyCampaign,
    GroupbuyOrder,
    GroupbuyPickupGroup,
    GroupbuySku,
)
from plugins.groupbuy.service.common import cache_tag, seller_of_campaign

__all__ = ["GroupbuyQuery", "campaign_seller"]

MAX_ROWS = 500


async def campaign_seller(source: Any, info: Info[Any, Any], kwargs: dict[str, Any]) -> int:
    """The gate's member for fields naming a campaign: the member selling it."""
    context = context_of(info)
    raw = kwargs.get("campaign_id") or kwargs["input"].campaign_id
    return await seller_of_campaign(
        context.kernel, decode_id("GroupbuyCampaign", raw), context.memo
    )


def _community(value: strawberry.ID | None) -> int | None:
    return decode_id("Community", value) if value is not None else None


async def _shared_orders(
    info: Info[Any, Any], member: int, column: str, purpose: str, day: dt.date | None
) -> list[dict[str, Any]]:
    """Orders whose ``column`` (pickup_member / leader_member) is ``member``: its own sales,
    and other sellers' under a live ``orders:read`` grant for ``purpose``; each foreign
    order read is audited with its grant."""
    context = context_of(info)
    kernel = context.kernel
    grants = await live_grants(
        kernel, grantee_member_id=member, scope="orders:read", purpose=purpose, memo=context.memo
    )
    sellers = sorted({member, *grants})
    where = f"{column} = {{}} AND member IN ({placeholders(sellers)}) AND state <> 'cancelled'"
    args: list[Any] = [member, *sellers]
    if day is not None:
        where += " AND delivery_date = {}"
        args.append(day)
    rows = await run_sql(
        kernel.db,
        f"SELECT * FROM groupbuy_order WHERE {where} ORDER BY buyer, id LIMIT {MAX_ROWS}",
        *args,
    )
    for row in rows:
        seller = int(row["member"])
        if seller != member:
            await record_read(
                kernel,
                actor=context.principal,
                grant_id=grants[seller],
                grantor_member_id=seller,
                grantee_member_id=member,
                scope="orders:read",
                purpose=purpose,
                subject=f"GroupbuyOrder:{row['id']}",
            )
    return rows


@strawberry.type
class GroupbuyQuery:
    @strawberry.field(
        description="A member's catalog: every SKU with its product (storefront).",
        extensions=[authenticated()],
    )
    async def groupbuy_catalog(
        self, info: Info[Any, Any], member_id: strawberry.ID, category: str | None = None
    ) -> list[GroupbuySku]:
        kernel = context_of(info).kernel
        member = decode_id("Member", member_id)
        where = "s.member = {}"
        args: list[Any] = [member]
        if category is not None:
            where += " AND p.category = {}"
            args.append(category)
        rows = await run_sql(
            kernel.db,
            f"SELECT {loading.SKU_COLUMNS} FROM groupbuy_sku s JOIN groupbuy_product p "
            f"ON p.id = s.product WHERE {where} ORDER BY p.category, s.code LIMIT {MAX_ROWS}",
            *args,
        )
        return [GroupbuySku.of(r) for r in rows]

    @strawberry.field(
        description="A campaign with its SKUs; with communityId, that community's progress "
        "and tier prices.",
        extensions=[authenticated(), PluginGate("groupbuy", member=campaign_seller)],
    )
    async def groupbuy_campaign(
        self,
        info: Info[Any, Any],
        campaign_id: strawberry.ID,
        community_id: strawberry.ID | None = None,
    ) -> GroupbuyCampaign | None:
        kernel = context_of(info).kernel
        # The answer (campaign, items, SKUs, stock, progress) is the seller's data only:
        # cacheable until the seller's next change (the gate already found the seller).
        seller = await campaign_seller(None, info, {"campaign_id": campaign_id})
        await cache_depends(info, cache_tag(seller))
        found = await loading.campaigns(
            kernel,
            "c.id = {}",
            [decode_id("GroupbuyCampaign", campaign_id)],
            _community(community_id),
        )
        return found[0] if found else None

    @strawberry.field(
        description="A member's campaigns, newest first (optionally in one state).",
        extensions=[authenticated()],
    )
    async def groupbuy_campaigns(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        state: str | None = None,
        community_id: strawberry.ID | None = None,
    ) -> list[GroupbuyCampaign]:
        kernel = context_of(info).kernel
        where = "c.member = {}"
        args: list[Any] = [decode_id("Member", member_id)]
        if state is not None:
            where += " AND c.state = {}"
            args.append(state)
        return await loading.campaigns(
            kernel,
            where,
            args,
            _community(community_id),
            tail="ORDER BY c.deadline DESC, c.id DESC LIMIT 50",
        )

    @strawberry.field(
        description="The caller's own orders from this member, newest first, with pickup codes.",
        extensions=[authenticated()],
    )
    async def groupbuy_my_orders(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> list[GroupbuyOrder]:
        context = context_of(info)
        buyer = context.require_principal().user_id
        rows = await run_sql(
            context.kernel.db,
            "SELECT * FROM groupbuy_order WHERE member = {} AND buyer = {} ORDER BY id DESC "
            f"LIMIT {MAX_ROWS}",
            decode_id("Member", member_id),
            buyer if buyer is not None else -1,
        )
        return await loading.orders(context.kernel, rows, show_code=True)

    @strawberry.field(
        description="The member's orders (as the seller), newest first.",
        extensions=[requires("groupbuy.orders.read", member=member_arg())],
    )
    async def groupbuy_orders(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        campaign_id: strawberry.ID | None = None,
        state: str | None = None,
    ) -> list[GroupbuyOrder]:
        kernel = context_of(info).kernel
        where = "member = {}"
        args: list[Any] = [decode_id("Member", member_id)]
        if campaign_id is not None:
            where += " AND campaign = {}"
            args.append(decode_id("GroupbuyCampaign", campaign_id))
        if state is not None:
            where += " AND state = {}"
            args.append(state)
        rows = await run_sql(
            kernel.db,
            f"SELECT * FROM groupbuy_order WHERE {where} ORDER BY id DESC LIMIT {MAX_ROWS}",
            *args,
        )
        return await loading.orders(kernel, rows, show_code=False)

    @strawberry.field(
        description="The pickup point's list for a day, grouped by resident: its own orders and "
        "other sellers' under their orders:read grant for purpose pickup.",
        extensions=[requires("groupbuy.pickup.manage", member=member_arg())],
    )
    async def groupbuy_pickup_list(
        self, info: Info[Any, Any], member_id: strawberry.ID, day: dt.date
    ) -> list[GroupbuyPickupGroup]:
        kernel = context_of(info).kernel
        member = decode_id("Member", member_id)
        rows = await _shared_orders(info, member, "pickup_member", "pickup", day)
        people = {
            (r.user_id, r.community_id): r
            for r in await residents_of(kernel, {int(row["community"]) for row in rows})
        }
        grouped: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault(int(row["buyer"]), []).append(row)
        groups = []
        for buyer, orders in grouped.items():
            person = people.get((buyer, int(orders[0]["community"])))
            groups.append(
                GroupbuyPickupGroup(
                    buyer_name=person.display_name if person else "",
                    household=person.household if person else "",
                    orders=await loading.orders(kernel, orders, show_code=False),
                )
            )
        return groups

    @strawberry.field(
        description="Orders a leader brought: its own sales, and other sellers' under their "
        "orders:read grant for the purpose given (pickup or revenue-share).",
        extensions=[requires("groupbuy.orders.read", member=member_arg())],
    )
    async def groupbuy_brought_orders(
        self, info: Info[Any, Any], member_id: strawberry.ID, purpose: str = "revenue-share"
    ) -> list[GroupbuyOrder]:
        member = decode_id("Member", member_id)
        if purpose not in ("pickup", "revenue-share"):
            purpose = "revenue-share"
        rows = await _shared_orders(info, member, "leader_member", purpose, None)
        return await loading.orders(context_of(info).kernel, rows, show_code=False)
