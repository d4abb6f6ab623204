"""Every ID-taking root field, tried by callers of other members (same alliance, another
alliance, anonymous), with the bakery's ids and with their own member id but the bakery's
object ids: nothing foreign comes back and no row changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alliance_sdk import run_sql
from alliance_sdk.testing import AllianceClient, AllianceFactory
from plugins.bakery_club import tables
from plugins.bakery_club.tests.helpers import (
    CLAIM,
    CREATE_BATCH,
    CREATE_EVENT,
    JOIN,
    LEAVE,
    ME,
    REGISTER,
    SLUG,
    as_user,
    bakery,
    member_of,
)

pytestmark = pytest.mark.alliance_plugins(SLUG)

# field -> (operation, variables beyond memberId: names of the victim's objects)
FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    "bakeryClub": ("query($m: ID!) { bakeryClub(memberId: $m) { name } }", {}),
    "bakeryClubMe": (ME, {}),
    "bakeryClubEvents": ("query($m: ID!) { bakeryClubEvents(memberId: $m) { id } }", {}),
    "bakeryClubSampleBatches": (
        "query($m: ID!) { bakeryClubSampleBatches(memberId: $m) { id } }",
        {},
    ),
    "bakeryClubPosts": ("query($m: ID!) { bakeryClubPosts(memberId: $m) { nodes { id } } }", {}),
    "bakeryClubPointsLedger": (
        "query($m: ID!) { bakeryClubPointsLedger(memberId: $m) { nodes { id } } }",
        {},
    ),
    "bakeryClubOverview": ("query($m: ID!) { bakeryClubOverview(memberId: $m) { name } }", {}),
    "bakeryClubSchedule": ("query($m: ID!) { bakeryClubSchedule(memberId: $m) { id } }", {}),
    "bakeryClubSampleReport": (
        "query($m: ID!) { bakeryClubSampleReport(memberId: $m) { id } }",
        {},
    ),
    "bakeryClubMembers": (
        "query($m: ID!) { bakeryClubMembers(memberId: $m) { nodes { id } } }",
        {},
    ),
    "bakeryClubAmbassadors": (
        "query($m: ID!) { bakeryClubAmbassadors(memberId: $m) { code } }",
        {},
    ),
    "bakeryClubAttendance": (
        "query($m: ID!, $e: ID!) { bakeryClubAttendance(memberId: $m, eventId: $e) "
        "{ registered } }",
        {"e": "event"},
    ),
    "bakeryClubTopPosts": ("query($m: ID!) { bakeryClubTopPosts(memberId: $m) { id } }", {}),
    "bakeryClubModerationQueue": (
        "query($m: ID!) { bakeryClubModerationQueue(memberId: $m) { nodes { id } } }",
        {},
    ),
    "createBakeryClubTier": (
        'mutation($m: ID!) { createBakeryClubTier(memberId: $m, name: "X", discountBp: 1) { id } }',
        {},
    ),
    "updateBakeryClubTier": (
        "mutation($m: ID!, $t: ID!) { updateBakeryClubTier(memberId: $m, tierId: $t, "
        'name: "X", discountBp: 1, minPoints: 0) { id } }',
        {"t": "tier"},
    ),
    "setBakeryClubMemberTier": (
        "mutation($m: ID!, $u: ID!, $t: ID!) { setBakeryClubMemberTier(memberId: $m, "
        "userId: $u, tierId: $t) { id } }",
        {"u": "fan", "t": "tier"},
    ),
    "promoteBakeryClubAmbassador": (
        "mutation($m: ID!, $u: ID!) { promoteBakeryClubAmbassador(memberId: $m, userId: $u) "
        "{ code } }",
        {"u": "fan"},
    ),
    "revokeBakeryClubAmbassador": (
        "mutation($m: ID!, $u: ID!) { revokeBakeryClubAmbassador(memberId: $m, userId: $u) "
        "{ code } }",
        {"u": "fan"},
    ),
    "createBakeryClubReward": (
        'mutation($m: ID!) { createBakeryClubReward(memberId: $m, name: "X", costPoints: 1) '
        "{ id } }",
        {},
    ),
    "createBakeryClubEvent": (CREATE_EVENT, {"i": "event_input"}),
    "checkInBakeryClubEvent": (
        "mutation($m: ID!, $e: ID!, $u: ID!) { checkInBakeryClubEvent(memberId: $m, "
        "eventId: $e, userId: $u) { id } }",
        {"e": "event", "u": "fan"},
    ),
    "createBakeryClubSampleBatch": (CREATE_BATCH, {"p": "product", "q": "one", "k": "method"}),
    "drawBakeryClubSamples": (
        "mutation($m: ID!, $b: ID!) { drawBakeryClubSamples(memberId: $m, batchId: $b) { id } }",
        {"b": "lottery"},
    ),
    "moderateBakeryClubPost": (
        "mutation($m: ID!, $p: ID!) { moderateBakeryClubPost(memberId: $m, postId: $p, "
        "approve: true) { id } }",
        {"p": "post"},
    ),
    "joinBakeryClub": (JOIN, {}),
    "leaveBakeryClub": (LEAVE, {}),
    "registerForBakeryClubEvent": (REGISTER, {"e": "event"}),
    "cancelBakeryClubRegistration": (
        "mutation($m: ID!, $e: ID!) { cancelBakeryClubRegistration(memberId: $m, eventId: $e) "
        "{ status } }",
        {"e": "event"},
    ),
    "claimBakeryClubSample": (CLAIM, {"b": "batch"}),
    "submitBakeryClubPost": (
        "mutation($m: ID!) { submitBakeryClubPost(memberId: $m, input: {kind: RECIPE, "
        'title: "t", body: "b"}) { id } }',
        {},
    ),
    "likeBakeryClubPost": (
        "mutation($m: ID!, $p: ID!) { likeBakeryClubPost(memberId: $m, postId: $p) { likes } }",
        {"p": "approved"},
    ),
    "redeemBakeryClubReward": (
        "mutation($m: ID!, $r: ID!) { redeemBakeryClubReward(memberId: $m, rewardId: $r) "
        "{ code } }",
        {"r": "reward"},
    ),
}
PLAIN_VALUES = {"event_input", "product", "one", "method"}  # not ids of the victim's objects
REFUSALS = {"NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "BAKERY_CLUB_NOT_A_MEMBER"}


def test_every_root_field_is_in_the_matrix() -> None:
    from plugins.bakery_club.graphql.queries import BakeryClubQuery
    from plugins.bakery_club.graphql.schema import BakeryClubMutation

    names = {
        f.graphql_name or _camel(f.python_name)
        for t in (BakeryClubQuery, BakeryClubMutation)
        for f in t.__strawberry_definition__.fields  # type: ignore[attr-defined]
    }
    assert names == set(FIELDS)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _rows(kernel: Any) -> dict[str, list[dict[str, Any]]]:
    snapshot = {}
    for name in tables.__all__:
        table = getattr(tables, name)._meta.tablename
        snapshot[table] = await run_sql(kernel.db, f"SELECT * FROM {table} ORDER BY id")
    snapshot["outbox"] = await run_sql(kernel.db, "SELECT id FROM events_outbox ORDER BY id")
    return snapshot


async def test_callers_of_other_members_get_nothing_and_change_nothing(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: Any
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    gid = alliance_client.gid
    fan = await member_of(alliance_factory, alliance_client, shop)
    start = alliance_kernel.clock() + dt.timedelta(days=2)
    event_input = {
        "kind": "TASTING",
        "title": "T",
        "place": "P",
        "seats": 2,
        "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=1)).isoformat(),
    }
    from plugins.bakery_club.service import club, points, posts, samples, workshops

    kernel, m = alliance_kernel, shop.member.id
    tier = await club.create_tier(kernel, m, "Gold", 500, 100)
    event = await workshops.create_event(
        kernel,
        m,
        kind="tasting",
        title="T",
        description="",
        place="P",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        seats=2,
    )
    await workshops.register(kernel, m, fan.id, int(event["id"]))
    batch = await samples.create_batch(kernel, m, "Bread", 3, "first_come")
    lottery = await samples.create_batch(kernel, m, "Cake", 3, "lottery")
    post = await posts.submit(kernel, m, fan.id, kind="recipe", title="R", body="b", urls=[])
    approved = await posts.submit(kernel, m, fan.id, kind="recipe", title="A", body="b", urls=[])
    await posts.moderate(kernel, m, int(approved["id"]), True, "")
    reward = await points.create_reward(kernel, m, "Tart", 1, None)
    objects = {
        "event": gid("BakeryClubEvent", event["id"]),
        "tier": gid("BakeryClubTier", tier["id"]),
        "fan": gid("User", fan),
        "batch": gid("BakeryClubSampleBatch", batch["id"]),
        "lottery": gid("BakeryClubSampleBatch", lottery["id"]),
        "post": gid("BakeryClubPost", post["id"]),
        "approved": gid("BakeryClubPost", approved["id"]),
        "reward": gid("BakeryClubReward", reward["id"]),
        "event_input": event_input,
        "product": "Bread",
        "one": 1,
        "method": "FIRST_COME",
    }

    # Callers: the owner of another bakery of the alliance (with the club enabled), the owner
    # of a bakery in another alliance, anonymous.
    neighbour = await alliance_factory.member(shop.alliance, kind="bakery")
    neighbour_owner = await alliance_factory.user()
    await alliance_factory.membership(neighbour, neighbour_owner, "owner")
    await alliance_factory.enable_plugin(neighbour, "bakery_club")
    far = await alliance_factory.member(kind="bakery")
    far_owner = await alliance_factory.user()
    await alliance_factory.membership(far, far_owner, "owner")
    await alliance_factory.enable_plugin(far, "bakery_club")

    before = await _rows(alliance_kernel)
    leaks = []
    for caller, own in ((neighbour_owner, neighbour), (far_owner, far), (None, None)):
        member_ids = [shop.gid] + ([gid("Member", own)] if own is not None else [])
        for field, (operation, extra) in FIELDS.items():
            for member_gid in member_ids:
                own_member = member_gid != shop.gid
                if own_member and not set(extra.values()) - PLAIN_VALUES:
                    continue  # their own club, their own data: not a cross-member call
                variables = {"m": member_gid, **{k: objects[v] for k, v in extra.items()}}
                if caller is None:
                    alliance_client.sign_out()
                    result = await alliance_client(operation, variables)
                else:
                    result = await as_user(alliance_client, caller, operation, variables)
                if not result.errors or not set(result.codes) <= REFUSALS:
                    leaks.append((field, getattr(caller, "id", None), own_member, result.body))
    assert leaks == [], "\n".join(map(str, leaks))
    assert await _rows(alliance_kernel) == before
