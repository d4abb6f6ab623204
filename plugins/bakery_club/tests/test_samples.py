"""Free samples: one per member, never more than the batch, first-come or lottery."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from alliance_sdk.testing import AllianceClient, AllianceFactory
from plugins.bakery_club.tests.helpers import (
    CLAIM,
    CREATE_BATCH,
    SLUG,
    Bakery,
    as_user,
    bakery,
    bearer,
    residents,
)

pytestmark = pytest.mark.alliance_plugins(SLUG)

DRAW = """mutation($m: ID!, $b: ID!) {
  drawBakeryClubSamples(memberId: $m, batchId: $b) { allocated status } }"""
REPORT = "query($m: ID!) { bakeryClubSampleReport(memberId: $m) { quantity allocated status } }"


async def batch(client: AllianceClient, shop: Bakery, quantity: int, method: str) -> str:
    variables = {"m": shop.gid, "p": "Matcha mochi bread", "q": quantity, "k": method}
    result = await as_user(client, shop.owner, CREATE_BATCH, variables)
    return str(result.ok()["createBakeryClubSampleBatch"]["id"])


async def test_500_concurrent_first_come_claims_never_over_allocate(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    batch_id = await batch(alliance_client, shop, 120, "FIRST_COME")
    tokens = await residents(alliance_kernel, alliance_factory, alliance_client, shop, 500)

    # Each member claims twice at once: still one sample per member.
    results = await asyncio.gather(
        *(
            alliance_client(CLAIM, {"m": shop.gid, "b": batch_id}, headers=bearer(t))
            for t in tokens + tokens[:50]
        )
    )

    allocated = [r for r in results if not r.errors]
    gone = [r for r in results if r.errors]
    assert {r.code for r in gone} == {"BAKERY_CLUB_SAMPLES_GONE"}
    assert {r.data["claimBakeryClubSample"]["status"] for r in allocated} == {"allocated"}
    report = (await as_user(alliance_client, shop.owner, REPORT, {"m": shop.gid})).ok()
    assert report["bakeryClubSampleReport"] == [
        {"quantity": 120, "allocated": 120, "status": "open"}
    ]
    winners = {t for t, r in zip(tokens + tokens[:50], results, strict=True) if not r.errors}
    assert len(winners) == 120  # 120 distinct members, no one twice


async def test_a_lottery_draws_the_quantity_among_entrants_once(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    batch_id = await batch(alliance_client, shop, 5, "LOTTERY")
    tokens = await residents(alliance_kernel, alliance_factory, alliance_client, shop, 30)
    results = await asyncio.gather(
        *(alliance_client(CLAIM, {"m": shop.gid, "b": batch_id}, headers=bearer(t)) for t in tokens)
    )
    assert {r.ok()["claimBakeryClubSample"]["status"] for r in results} == {"entered"}

    draws = await asyncio.gather(
        *(
            as_user(alliance_client, shop.owner, DRAW, {"m": shop.gid, "b": batch_id})
            for _ in range(2)
        )
    )
    assert sorted(str(d.code) for d in draws) == ["CONFLICT", "None"]
    outcomes = await asyncio.gather(
        *(alliance_client(CLAIM, {"m": shop.gid, "b": batch_id}, headers=bearer(t)) for t in tokens)
    )
    statuses = [o.ok()["claimBakeryClubSample"]["status"] for o in outcomes]
    assert statuses.count("allocated") == 5
    assert statuses.count("not_selected") == 25
