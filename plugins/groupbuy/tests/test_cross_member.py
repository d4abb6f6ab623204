"""Isolation: every groupbuy root field taking an ID, tried by callers who are not member B
(anonymous, the owner of another alliance's member, the owner of a neighbour member in B's
alliance), returns none of B's private data and changes no row of B's.

Storefront fields (``groupbuyCatalog``, ``groupbuyCampaign``, ``groupbuyCampaigns``) are public
to signed-in callers by design (residents browse them); they carry no order or resident data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from graphql import GraphQLObjectType

from alliance_sdk import run_sql
from alliance_sdk.testkit import AllianceClient
from plugins.groupbuy.tests.helpers import JOIN, Shop, make_shop

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")

PUBLIC = {
    "groupbuyCatalog",
    "groupbuyCampaign",
    "groupbuyCampaigns",
    "groupbuyJoin",
    "groupbuyInvite",
}

# field -> (document, variables(B's ids, caller's own member id)); every one must be refused
# or answer nothing of B's.
CASES: dict[str, tuple[str, Any]] = {
    "groupbuyOrders": (
        "query($m: ID!) { groupbuyOrders(memberId: $m) { id } }",
        lambda b, own: [{"m": b["member"]}],
    ),
    "groupbuyMyOrders": (
        "query($m: ID!) { groupbuyMyOrders(memberId: $m) { id pickupCode } }",
        lambda b, own: [{"m": b["member"]}],
    ),
    "groupbuyPickupList": (
        "query($m: ID!, $d: Date!) { groupbuyPickupList(memberId: $m, day: $d) { orders { id } } }",
        lambda b, own: [{"m": b["member"], "d": b["day"]}, {"m": b["leader"], "d": b["day"]}],
    ),
    "groupbuyBroughtOrders": (
        "query($m: ID!) { groupbuyBroughtOrders(memberId: $m) { id } }",
        lambda b, own: [{"m": b["member"]}, {"m": b["leader"]}],
    ),
    "groupbuyCreateProduct": (
        'mutation($m: ID!) { groupbuyCreateProduct(memberId: $m, input: {name: "x", '
        'category: "x", skus: [{code: "X-1", name: "x", priceFen: 1}]}) { id } }',
        lambda b, own: [{"m": b["member"]}],
    ),
    "groupbuySetStock": (
        'mutation($m: ID!) { groupbuySetStock(memberId: $m, skuCode: "MILK-1L", stock: 0) }',
        lambda b, own: [{"m": b["member"]}],
    ),
    "groupbuyCreateCampaign": (
        'mutation($m: ID!) { groupbuyCreateCampaign(memberId: $m, input: {title: "x", '
        'startsAt: "2026-01-01T00:00:00Z", deadline: "2030-01-01T00:00:00Z", '
        'deliveryDate: "2030-01-02", items: [{skuCode: "MILK-1L", priceFen: 1}]}) }',
        lambda b, own: [{"m": b["member"]}],
    ),
    "groupbuyCancelOrder": (
        "mutation($m: ID!, $o: ID!) { groupbuyCancelOrder(memberId: $m, orderId: $o) { id } }",
        lambda b, own: [{"m": b["member"], "o": b["order"]}, {"m": own, "o": b["order"]}],
    ),
    "groupbuyRefundOrder": (
        "mutation($m: ID!, $o: ID!) { groupbuyRefundOrder(memberId: $m, orderId: $o, "
        "amountFen: 1) { id } }",
        lambda b, own: [{"m": b["member"], "o": b["order"]}, {"m": own, "o": b["order"]}],
    ),
    "groupbuyPickUp": (
        "mutation($m: ID!, $c: String!) { groupbuyPickUp(memberId: $m, pickupCode: $c) { id } }",
        lambda b, own: [
            {"m": b["member"], "c": b["code"]},
            {"m": b["leader"], "c": b["code"]},
            {"m": own, "c": b["code"]},
        ],
    ),
}


def _id_fields(app: Any) -> set[str]:
    found = set()
    for schema in (app.state.schemas.public._schema, app.state.schemas.privileged._schema):
        for root in (schema.query_type, schema.mutation_type):
            if isinstance(root, GraphQLObjectType):
                found |= {n for n, f in root.fields.items() if n.startswith("groupbuy") and f.args}
    return found


def test_every_groupbuy_field_has_a_case(alliance_app: Any) -> None:
    assert _id_fields(alliance_app) == set(CASES) | PUBLIC


async def _snapshot(shop: Shop) -> list[Any]:
    tables = (
        "groupbuy_sku",
        "groupbuy_product",
        "groupbuy_campaign",
        "groupbuy_order",
        "groupbuy_order_line",
        "groupbuy_community_group",
    )
    return [
        await run_sql(
            shop.kernel.db, f"SELECT * FROM {t} WHERE member = {{}} ORDER BY id", shop.store.id
        )
        for t in tables
    ]


async def test_no_caller_sees_or_changes_bs_orders(
    alliance_kernel, alliance_factory, alliance_http, alliance_client
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign()
    home = shop.communities[0]
    (alice,) = await shop.add_residents(home, 1)
    await alliance_client.sign_in(alice)
    order = (await alliance_client(JOIN, shop.join_input(home, [("MILK-1L", 1)]))).ok()[
        "groupbuyJoin"
    ]
    b = {
        "member": shop.gid("Member", shop.store),
        "leader": shop.gid("Member", shop.leader),
        "order": order["id"],
        "code": order["pickupCode"],
        "day": (alliance_kernel.clock() + dt.timedelta(days=1)).date().isoformat(),
    }
    # Callers: a neighbour store in B's alliance, a store of another alliance (both with
    # groupbuy enabled and their own owner), and anonymous.
    callers: list[tuple[str, AllianceClient, str]] = []
    for alliance in (shop.alliance, await alliance_factory.alliance()):
        other = await alliance_factory.member(alliance, kind="store")
        owner = await alliance_factory.user()
        await alliance_factory.membership(other, owner, "owner")
        await alliance_factory.enable_plugin(other, "groupbuy")
        client = AllianceClient(alliance_http, alliance_kernel)
        await client.sign_in(owner)
        callers.append((f"owner of {other.id}", client, shop.gid("Member", other)))
    callers.append(("anonymous", AllianceClient(alliance_http, alliance_kernel), callers[0][2]))
    before = await _snapshot(shop)
    for field, (document, variables) in CASES.items():
        for name, client, own in callers:
            for values in variables(b, own):
                result = await client(document, values)
                answer = (result.data or {}).get(field)
                assert result.status == 200
                assert result.errors or answer in ([], None), (field, name, values, result.body)
                if result.errors:
                    assert set(result.codes) <= {
                        "FORBIDDEN",
                        "NOT_FOUND",
                        "UNAUTHENTICATED",
                        "PLUGIN_DISABLED",
                    }, (field, name, result.errors)
    assert await _snapshot(shop) == before
