"""UGC moderation, points earned, rewards redeemed; the ledger always balances."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_sdk import AllianceError, run_sql
from alliance_sdk.testing import AllianceClient, AllianceFactory
from plugins.bakery_club.service import club, points
from plugins.bakery_club.tests.helpers import (
    ME,
    SLUG,
    as_user,
    bakery,
    bearer,
    member_of,
    residents,
)

pytestmark = pytest.mark.alliance_plugins(SLUG)

SUBMIT = """mutation($m: ID!, $i: BakeryClubPostInput!) {
  submitBakeryClubPost(memberId: $m, input: $i) { id status photoUrls } }"""
MODERATE = """mutation($m: ID!, $p: ID!, $a: Boolean!) {
  moderateBakeryClubPost(memberId: $m, postId: $p, approve: $a) { status } }"""
LIKE = "mutation($m: ID!, $p: ID!) { likeBakeryClubPost(memberId: $m, postId: $p) { likes } }"
TOP = "query($m: ID!) { bakeryClubTopPosts(memberId: $m, limit: 2) { title likes } }"
FEED = "query($m: ID!) { bakeryClubPosts(memberId: $m) { nodes { title } } }"
QUEUE = "query($m: ID!) { bakeryClubModerationQueue(memberId: $m) { nodes { title } } }"
REWARD = """mutation($m: ID!, $n: String!, $c: Int!, $s: Int) {
  createBakeryClubReward(memberId: $m, name: $n, costPoints: $c, stock: $s) { id } }"""
REDEEM = """mutation($m: ID!, $r: ID!) {
  redeemBakeryClubReward(memberId: $m, rewardId: $r) { points code } }"""
LEDGER = """query($m: ID!) { bakeryClubPointsLedger(memberId: $m) {
  nodes { delta reason balanceAfter } } }"""


def photo(title: str) -> dict[str, Any]:
    return {"kind": "PHOTO", "title": title, "photoUrls": [f"https://img.example/{title}.jpg"]}


async def ledger_balances(kernel: Any, member_id: int) -> None:
    """Every membership's balance is the sum of its entries and never negative."""
    rows = await run_sql(
        kernel.db,
        'SELECT m."user", m.points_balance, COALESCE(SUM(e.delta), 0) AS total, '
        "COALESCE(MIN(e.balance_after), 0) AS lowest FROM bakery_club_membership m "
        'LEFT JOIN bakery_club_points_entry e ON e.member = m.member AND e."user" = m."user" '
        'WHERE m.member = {} GROUP BY m."user", m.points_balance',
        member_id,
    )
    for row in rows:
        assert int(row["points_balance"]) == int(row["total"]), row
        assert int(row["points_balance"]) >= 0 and int(row["lowest"]) >= 0, row


async def test_moderated_posts_earn_points_and_rank_by_likes(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client, {"points_per_post": 25})
    author = await member_of(alliance_factory, alliance_client, shop)
    bad = await alliance_client(SUBMIT, {"m": shop.gid, "i": {"kind": "PHOTO", "title": "x"}})
    assert bad.code == "BAD_USER_INPUT"
    ids = []
    for title in ("croissant", "baguette", "recipe"):
        result = await alliance_client(SUBMIT, {"m": shop.gid, "i": photo(title)})
        ids.append(result.ok()["submitBakeryClubPost"]["id"])
    assert (await alliance_client(FEED, {"m": shop.gid})).ok()["bakeryClubPosts"]["nodes"] == []

    await alliance_client.sign_in(shop.owner)
    queue = (await alliance_client(QUEUE, {"m": shop.gid})).ok()["bakeryClubModerationQueue"]
    assert [n["title"] for n in queue["nodes"]] == ["croissant", "baguette", "recipe"]
    for post, approve in zip(ids, (True, True, False), strict=True):
        (await alliance_client(MODERATE, {"m": shop.gid, "p": post, "a": approve})).ok()
    again = await alliance_client(MODERATE, {"m": shop.gid, "p": ids[0], "a": True})
    assert again.code == "CONFLICT"  # points are earned once

    fans = [await member_of(alliance_factory, alliance_client, shop) for _ in range(2)]
    for fan in fans:
        await as_user(alliance_client, fan, LIKE, {"m": shop.gid, "p": ids[1]})
    (await alliance_client(LIKE, {"m": shop.gid, "p": ids[1]})).ok()  # twice: one like
    rejected = await alliance_client(LIKE, {"m": shop.gid, "p": ids[2]})
    assert rejected.code == "NOT_FOUND"

    top = (await as_user(alliance_client, shop.owner, TOP, {"m": shop.gid})).ok()
    assert top["bakeryClubTopPosts"] == [
        {"title": "baguette", "likes": 2},
        {"title": "croissant", "likes": 0},
    ]
    me = (await as_user(alliance_client, author, ME, {"m": shop.gid})).ok()["bakeryClubMe"]
    assert me["membership"]["pointsBalance"] == 50
    ledger = (await alliance_client(LEDGER, {"m": shop.gid})).ok()["bakeryClubPointsLedger"]
    assert [n["balanceAfter"] for n in ledger["nodes"]] == [25, 50]
    await ledger_balances(alliance_kernel, shop.member.id)


async def test_concurrent_redemptions_never_overdraw(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    [token] = await residents(alliance_kernel, alliance_factory, alliance_client, shop, 1)
    from plugins.bakery_club.tests.helpers import USERS

    user = USERS[token]
    async with alliance_kernel.db.write():
        await points.credit(alliance_kernel, shop.member.id, user.id, 100, "adjustment", "test")
    reward = await as_user(
        alliance_client, shop.owner, REWARD, {"m": shop.gid, "n": "Tart", "c": 30, "s": None}
    )
    reward_id = reward.ok()["createBakeryClubReward"]["id"]

    results = await asyncio.gather(
        *(
            alliance_client(REDEEM, {"m": shop.gid, "r": reward_id}, headers=bearer(token))
            for _ in range(10)
        )
    )

    assert sum(not r.errors for r in results) == 3
    assert {r.code for r in results if r.errors} == {"BAKERY_CLUB_NOT_ENOUGH_POINTS"}
    me = (await alliance_client(ME, {"m": shop.gid}, headers=bearer(token))).ok()["bakeryClubMe"]
    assert me["membership"]["pointsBalance"] == 10
    await ledger_balances(alliance_kernel, shop.member.id)


async def test_limited_rewards_run_out(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    tokens = await residents(alliance_kernel, alliance_factory, alliance_client, shop, 6)
    from plugins.bakery_club.tests.helpers import USERS

    async with alliance_kernel.db.write():
        for token in tokens:
            await points.credit(
                alliance_kernel, shop.member.id, USERS[token].id, 50, "adjustment", "t"
            )
    reward = await as_user(
        alliance_client, shop.owner, REWARD, {"m": shop.gid, "n": "Voucher", "c": 40, "s": 2}
    )
    reward_id = reward.ok()["createBakeryClubReward"]["id"]
    results = await asyncio.gather(
        *(
            alliance_client(REDEEM, {"m": shop.gid, "r": reward_id}, headers=bearer(t))
            for t in tokens
        )
    )
    assert sum(not r.errors for r in results) == 2
    assert {r.code for r in results if r.errors} == {"BAKERY_CLUB_REWARD_OUT_OF_STOCK"}
    await ledger_balances(alliance_kernel, shop.member.id)


_OPS = st.lists(
    st.tuples(st.sampled_from(["earn", "spend"]), st.integers(min_value=1, max_value=60)),
    max_size=12,
)


async def test_the_ledger_balances_for_any_sequence(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    """Hypothesis drives random earn/spend sequences (some spends concurrent); the loop of
    the test runs them, hypothesis runs in a worker thread."""
    shop = await bakery(alliance_factory, alliance_client)
    loop = asyncio.get_running_loop()

    async def scenario(ops: list[tuple[str, int]]) -> None:
        user = await alliance_factory.resident(shop.community)
        await club.join(alliance_kernel, shop.member.id, user.id)
        expected = 0

        async def spend(amount: int) -> bool:
            try:
                async with alliance_kernel.db.write():
                    await points.debit(
                        alliance_kernel, shop.member.id, user.id, amount, "redemption", "p"
                    )
            except AllianceError:
                return False
            return True

        for kind, amount in ops:
            if kind == "earn":
                async with alliance_kernel.db.write():
                    await points.credit(
                        alliance_kernel, shop.member.id, user.id, amount, "adjustment", "p"
                    )
                expected += amount
            else:
                done = await asyncio.gather(spend(amount), spend(amount))
                expected -= amount * sum(done)
                assert expected >= 0
        await ledger_balances(alliance_kernel, shop.member.id)
        assert (await club_balance(user.id)) == expected

    async def club_balance(user_id: int) -> int:
        rows = await run_sql(
            alliance_kernel.db,
            'SELECT points_balance FROM bakery_club_membership WHERE member = {} AND "user" = {}',
            shop.member.id,
            user_id,
        )
        return int(rows[0]["points_balance"])

    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(_OPS)
    def check(ops: list[tuple[str, int]]) -> None:
        asyncio.run_coroutine_threadsafe(scenario(ops), loop).result()

    await asyncio.to_thread(check)
