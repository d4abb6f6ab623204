"""A small alliance with one operator, two client stores and two hubs, for the tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from alliance_sdk import decide
from alliance_sdk.testing import AllianceClient, AllianceFactory
from plugins.warehouse import agreements, sites, stock

GRANT = """mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }"""
REVOKE = """mutation($m: ID!, $g: ID!) { revokeConsent(memberId: $m, grantId: $g) { id } }"""


@dataclass
class Floor:
    kernel: Any
    alliance: Any
    operator: Any
    operator_owner: Any
    a: Any
    a_owner: Any
    b: Any
    b_owner: Any
    near: Any  # community 1 km from hub 1
    far: Any  # community covered by hub 2 only
    hub: int
    hub2: int
    slot: int
    slot2: int
    today: dt.date = field(default_factory=dt.date.today)


async def floor(kernel: Any, factory: AllianceFactory) -> Floor:
    alliance = await factory.alliance()
    operator = await factory.member(alliance, kind="warehouse_operator")
    a = await factory.member(alliance)
    b = await factory.member(alliance)
    users = []
    for member in (operator, a, b):
        user = await factory.user()
        await factory.membership(member, user, "owner")
        await factory.enable_plugin(member, "warehouse")
        users.append(user)
    near = await factory.community(alliance, latitude=30.5560, longitude=114.3600)
    far = await factory.community(alliance, latitude=30.6500, longitude=114.5000)
    hub = (
        await sites.create_site(
            kernel,
            operator.id,
            code="H1",
            name="Hub one",
            latitude=30.5560,
            longitude=114.3500,
            radius_km=5.0,
        )
    ).id
    hub2 = (
        await sites.create_site(
            kernel, operator.id, code="H2", name="Hub two", latitude=30.6400, longitude=114.5000
        )
    ).id
    await sites.set_coverage(kernel, operator.id, hub2, [far.id, near.id], None)
    for h in (hub, hub2):
        for zone, low, high in (("ambient", 5.0, 30.0), ("chilled", 0.0, 4.0)):
            await sites.set_zone(
                kernel,
                operator.id,
                h,
                zone=zone,
                capacity_units=100_000,
                min_celsius=low,
                max_celsius=high,
            )
        for member in (a, b):
            await agreements.admit_client(kernel, operator.id, h, member.id)
    slot = await sites.add_slot(
        kernel,
        operator.id,
        hub,
        name="Next morning",
        cutoff="21:00",
        lead_days=1,
        window="07:00-10:00",
    )
    slot2 = await sites.add_slot(
        kernel,
        operator.id,
        hub2,
        name="Next morning",
        cutoff="21:00",
        lead_days=1,
        window="07:00-10:00",
    )
    return Floor(
        kernel,
        alliance,
        operator,
        users[0],
        a,
        users[1],
        b,
        users[2],
        near,
        far,
        hub,
        hub2,
        slot,
        slot2,
    )


async def receive(
    f: Floor,
    owner: Any,
    sku: str,
    quantity: int,
    *,
    hub: int | None = None,
    expires_in: int | None = 5,
    lot: str | None = None,
    zone: str = "chilled",
    cost: int = 100,
) -> int:
    expires = None if expires_in is None else dt.date(2030, 1, 1) + dt.timedelta(expires_in)
    return await stock.receive(
        f.kernel,
        f.operator.id,
        hub or f.hub,
        owner.id,
        sku=sku,
        quantity=quantity,
        lot_code=lot or f"{sku}-{expires_in}-{quantity}",
        expires_on=expires,
        name=sku,
        category="dairy",
        zone=zone,
        unit_cost_fen=cost,
    )


async def reserve(
    f: Floor, owner: Any, ref: str, lines: dict[str, int], community: Any = None
) -> Any:
    async with f.kernel.db.write():
        return await decide(
            f.kernel,
            "reserve_stock",
            member_id=owner.id,
            community_id=(community or f.near).id,
            order_ref=ref,
            lines=lines,
            contained=False,
        )


async def grant(client: AllianceClient, f: Floor, grantor: Any, grantor_user: Any) -> str:
    await client.sign_in(grantor_user)
    result = await client(
        GRANT,
        {
            "i": {
                "grantorMemberId": client.gid("Member", grantor),
                "granteeMemberId": client.gid("Member", f.operator),
                "scope": "orders:read",
                "purpose": "fulfilment",
                "legalBasis": "contract",
            }
        },
    )
    return str(result.ok()["grantConsent"]["id"])


async def lot_row(kernel: Any, lot_id: int) -> dict[str, Any]:
    from plugins.warehouse.db import rows

    return (await rows(kernel, "SELECT * FROM warehouse_lot WHERE id = {}", lot_id))[0]
