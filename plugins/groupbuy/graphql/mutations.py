"""groupbuy's mutations."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import (
    NotFound,
    PluginGate,
    authenticated,
    context_of,
    decode_id,
    encode_id,
    live_grants,
    member_arg,
    requires,
    run_sql,
    scoped,
)
from plugins.groupbuy.graphql import loading
from plugins.groupbuy.graphql.queries import campaign_seller
from plugins.groupbuy.graphql.types import GroupbuyOrder, GroupbuySku
from plugins.groupbuy.service import campaigns, catalog, orders
from plugins.groupbuy.service.batching import batcher
from plugins.groupbuy.service.prepare import prepare_join
from plugins.groupbuy.tables import GroupbuyInvite

__all__ = ["GroupbuyMutation"]


@strawberry.input
class GroupbuySkuInput:
    code: str
    name: str
    price_fen: int
    unit: str = "piece"
    stock: int = 0
    communities: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class GroupbuyProductInput:
    name: str
    category: str
    skus: list[GroupbuySkuInput]
    temperature_zone: str = "ambient"
    shelf_life_days: int = 0
    image_urls: list[str] = strawberry.field(default_factory=list)
    origin_story: str = ""


@strawberry.input
class GroupbuyTierInput:
    min_joined: int
    price_fen: int


@strawberry.input
class GroupbuyItemInput:
    sku_code: str
    price_fen: int
    tiers: list[GroupbuyTierInput] = strawberry.field(default_factory=list)


@strawberry.input
class GroupbuyCampaignInput:
    title: str
    starts_at: dt.datetime
    deadline: dt.datetime
    delivery_date: dt.date
    items: list[GroupbuyItemInput]
    min_group_size: int = 1
    per_resident_limit: int = 0
    invite_size: int = 0
    invite_discount_bps: int = 0
    livestream_url: str = ""


@strawberry.input
class GroupbuyLineInput:
    sku_code: str
    quantity: int


@strawberry.input
class GroupbuyJoinInput:
    campaign_id: strawberry.ID
    community_id: strawberry.ID
    lines: list[GroupbuyLineInput]
    idempotency_key: str
    referral_code: str | None = None
    invite_code: str | None = None


@strawberry.type
class GroupbuyInvitation:
    code: str
    joined: int
    unlocked: bool


async def _order(kernel: Any, member: int, order_id: int, *, show_code: bool) -> GroupbuyOrder:
    rows = await run_sql(
        kernel.db, "SELECT * FROM groupbuy_order WHERE member = {} AND id = {}", member, order_id
    )
    if not rows:
        raise NotFound("Order not found")
    return (await loading.orders(kernel, rows, show_code=show_code))[0]


@strawberry.type
class GroupbuyMutation:
    @strawberry.mutation(extensions=[requires("groupbuy.catalog.manage", member=member_arg())])
    async def groupbuy_create_product(
        self, info: Info[Any, Any], member_id: strawberry.ID, input: GroupbuyProductInput
    ) -> list[GroupbuySku]:
        """Add a product with its SKUs to the member's catalog."""
        kernel = context_of(info).kernel
        member = decode_id("Member", member_id)
        product = catalog.NewProduct(
            name=input.name,
            category=input.category,
            temperature_zone=input.temperature_zone,
            shelf_life_days=input.shelf_life_days,
            image_urls=list(input.image_urls),
            origin_story=input.origin_story,
            skus=[
                catalog.NewSku(
                    code=s.code,
                    name=s.name,
                    price_fen=s.price_fen,
                    unit=s.unit,
                    stock=s.stock,
                    communities=[decode_id("Community", c) for c in s.communities],
                )
                for s in input.skus
            ],
        )
        product_id = await catalog.create_product(kernel, member, product)
        rows = await run_sql(
            kernel.db,
            f"SELECT {loading.SKU_COLUMNS} FROM groupbuy_sku s JOIN groupbuy_product p "
            "ON p.id = s.product WHERE s.member = {} AND s.product = {} ORDER BY s.id",
            member,
            product_id,
        )
        return [GroupbuySku.of(r) for r in rows]

    @strawberry.mutation(extensions=[requires("groupbuy.catalog.manage", member=member_arg())])
    async def groupbuy_set_stock(
        self, info: Info[Any, Any], member_id: strawberry.ID, sku_code: str, stock: int
    ) -> int:
        """Set the store's own stock of a SKU; returns it."""
        kernel = context_of(info).kernel
        row = await catalog.set_stock(kernel, decode_id("Member", member_id), sku_code, stock)
        return int(row["stock"])

    @strawberry.mutation(extensions=[requires("groupbuy.campaigns.manage", member=member_arg())])
    async def groupbuy_create_campaign(
        self, info: Info[Any, Any], member_id: strawberry.ID, input: GroupbuyCampaignInput
    ) -> strawberry.ID:
        """Create a campaign; returns its ID."""
        kernel = context_of(info).kernel
        new = campaigns.NewCampaign(
            title=input.title,
            starts_at=input.starts_at,
            deadline=input.deadline,
            delivery_date=input.delivery_date,
            min_group_size=input.min_group_size,
            per_resident_limit=input.per_resident_limit,
            invite_size=input.invite_size,
            invite_discount_bps=input.invite_discount_bps,
            livestream_url=input.livestream_url,
            items=[
                campaigns.NewItem(
                    sku_code=i.sku_code,
                    price_fen=i.price_fen,
                    tiers=[{"min_joined": t.min_joined, "price_fen": t.price_fen} for t in i.tiers],
                )
                for i in input.items
            ],
        )
        campaign_id = await campaigns.create_campaign(kernel, decode_id("Member", member_id), new)
        return encode_id("GroupbuyCampaign", campaign_id)

    @strawberry.mutation(
        extensions=[authenticated(), PluginGate("groupbuy", member=campaign_seller)]
    )
    async def groupbuy_join(self, info: Info[Any, Any], input: GroupbuyJoinInput) -> GroupbuyOrder:
        """Join a campaign with a cart of 1-5 SKUs (all or nothing). Replaying the same
        idempotency key returns the first order; other input with it is CONFLICT."""
        context = context_of(info)
        buyer = context.require_principal().user_id
        if buyer is None:
            raise NotFound("only residents join campaigns")
        request = await prepare_join(
            context.kernel,
            buyer=buyer,
            campaign_id=decode_id("GroupbuyCampaign", input.campaign_id),
            community_id=decode_id("Community", input.community_id),
            lines=[(line.sku_code, line.quantity) for line in input.lines],
            idempotency_key=input.idempotency_key,
            referral_code=input.referral_code,
            invite_code=input.invite_code,
            memo=context.memo,
        )
        placed = await batcher(context.kernel).join(request)
        if placed.row is not None and placed.lines is not None:
            return GroupbuyOrder.of(placed.row, placed.lines, show_code=True)
        return await _order(context.kernel, request.seller, placed.order_id, show_code=True)

    @strawberry.mutation(
        extensions=[authenticated(), PluginGate("groupbuy", member=campaign_seller)]
    )
    async def groupbuy_invite(
        self, info: Info[Any, Any], campaign_id: strawberry.ID
    ) -> GroupbuyInvitation:
        """The caller's invite code for a campaign (the same one when asked again)."""
        context = context_of(info)
        kernel = context.kernel
        inviter = context.require_principal().user_id or -1
        campaign = decode_id("GroupbuyCampaign", campaign_id)
        seller = await campaign_seller(None, info, {"campaign_id": campaign_id})
        table = scoped(GroupbuyInvite, seller)
        async with kernel.db.write():
            rows = await table.select().where(
                (GroupbuyInvite.campaign == campaign) & (GroupbuyInvite.inviter == inviter)
            )
            if not rows:
                invite = GroupbuyInvite(
                    member=seller,
                    campaign=campaign,
                    inviter=inviter,
                    code=secrets.token_urlsafe(9),
                    joined=0,
                    created_at=kernel.clock(),
                )
                await table.insert(invite)
                rows = [{"code": invite.code, "joined": 0, "unlocked_at": None}]
        row = rows[0]
        return GroupbuyInvitation(
            code=row["code"], joined=int(row["joined"]), unlocked=row["unlocked_at"] is not None
        )

    @strawberry.mutation(extensions=[requires("groupbuy.orders.manage", member=member_arg())])
    async def groupbuy_cancel_order(
        self, info: Info[Any, Any], member_id: strawberry.ID, order_id: strawberry.ID
    ) -> GroupbuyOrder:
        """Cancel one of the member's orders (its stock goes back)."""
        kernel = context_of(info).kernel
        member = decode_id("Member", member_id)
        order = decode_id("GroupbuyOrder", order_id)
        await _order(kernel, member, order, show_code=False)  # NOT_FOUND for others' orders
        await orders.cancel_orders(kernel, member, [order], "cancelled_by_seller")
        return await _order(kernel, member, order, show_code=False)

    @strawberry.mutation(extensions=[requires("groupbuy.orders.manage", member=member_arg())])
    async def groupbuy_refund_order(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        order_id: strawberry.ID,
        amount_fen: int,
        lines: list[GroupbuyLineInput] | None = None,
    ) -> GroupbuyOrder:
        """Refund part or all of an order (any number of times, at most what it cost)."""
        kernel = context_of(info).kernel
        member = decode_id("Member", member_id)
        order = decode_id("GroupbuyOrder", order_id)
        await orders.refund_order(
            kernel, member, order, amount_fen, [(x.sku_code, x.quantity) for x in lines or []]
        )
        return await _order(kernel, member, order, show_code=False)

    @strawberry.mutation(extensions=[requires("groupbuy.pickup.manage", member=member_arg())])
    async def groupbuy_pick_up(
        self, info: Info[Any, Any], member_id: strawberry.ID, pickup_code: str
    ) -> GroupbuyOrder:
        """The pickup point hands an order over (its code scanned): the member's own sales,
        or another seller's under its orders:read grant for purpose pickup."""
        context = context_of(info)
        kernel = context.kernel
        member = decode_id("Member", member_id)
        grants = await live_grants(
            kernel,
            grantee_member_id=member,
            scope="orders:read",
            purpose="pickup",
            memo=context.memo,
        )
        row = await orders.mark_picked_up(kernel, member, pickup_code, {member, *grants})
        return await _order(kernel, int(row["member"]), int(row["id"]), show_code=False)
