"""Shared set-up of the club's tests: a bakery with the club, its staff, its residents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alliance_sdk.testing import AllianceClient, AllianceFactory

SLUG = "plugins.bakery_club"

JOIN = "mutation($m: ID!) { joinBakeryClub(memberId: $m) { status tierName pointsBalance } }"
LEAVE = "mutation($m: ID!) { leaveBakeryClub(memberId: $m) }"
ME = """query($m: ID!) { bakeryClubMe(memberId: $m) {
  membership { userId status tierName discountBp pointsBalance pointsEarned }
  ambassadorCode referralLink } }"""
CREATE_EVENT = """mutation($m: ID!, $i: BakeryClubEventInput!) {
  createBakeryClubEvent(memberId: $m, input: $i) { id seats seatsTaken seatsLeft } }"""
REGISTER = """mutation($m: ID!, $e: ID!) {
  registerForBakeryClubEvent(memberId: $m, eventId: $e) { status userId } }"""
CANCEL = """mutation($m: ID!, $e: ID!) {
  cancelBakeryClubRegistration(memberId: $m, eventId: $e) { status } }"""
ATTENDANCE = """query($m: ID!, $e: ID!) { bakeryClubAttendance(memberId: $m, eventId: $e) {
  registered waitlisted checkedIn event { seatsTaken seatsLeft waitlisted }
  registrations { userId status promotedAt checkedInAt } } }"""
CREATE_BATCH = """mutation($m: ID!, $p: String!, $q: Int!, $k: BakeryClubSampleMethod!) {
  createBakeryClubSampleBatch(memberId: $m, product: $p, quantity: $q, method: $k) {
    id quantity allocated method status } }"""
CLAIM = """mutation($m: ID!, $b: ID!) {
  claimBakeryClubSample(memberId: $m, batchId: $b) { status } }"""


@dataclass
class Bakery:
    """A bakery with the club enabled, in an alliance with one community."""

    alliance: Any
    member: Any
    owner: Any
    community: Any
    gid: str


async def bakery(
    factory: AllianceFactory, client: AllianceClient, config: dict[str, Any] | None = None
) -> Bakery:
    alliance = await factory.alliance()
    member = await factory.member(alliance, kind="bakery")
    owner = await factory.user()
    await factory.membership(member, owner, "owner")
    community = await factory.community(alliance)
    await factory.enable_plugin(member, "bakery_club", config)
    return Bakery(alliance, member, owner, community, client.gid("Member", member))


async def as_user(client: AllianceClient, user: Any, query: str, variables: dict[str, Any]) -> Any:
    await client.sign_in(user)
    return await client(query, variables)


async def member_of(
    factory: AllianceFactory, client: AllianceClient, shop: Bakery, joined: bool = True
) -> Any:
    """A resident of the bakery's community, who joined the club (through the API)."""
    user = await factory.resident(shop.community)
    if joined:
        (await as_user(client, user, JOIN, {"m": shop.gid})).ok()
    return user


async def residents(
    kernel: Any, factory: AllianceFactory, client: AllianceClient, shop: Bakery, n: int
) -> list[str]:
    """``n`` residents who joined the club, created in one write transaction (fast on both
    engines); returns their access tokens (``users_of`` maps them back)."""
    from plugins.bakery_club.service import club

    tokens: list[str] = []
    async with kernel.db.write():
        for _ in range(n):
            user = await factory.resident(shop.community)
            await club.join(kernel, shop.member.id, user.id)
            token = await client.sign_in(user)
            USERS[token] = user
            tokens.append(token)
    client.sign_out()
    return tokens


USERS: dict[str, Any] = {}


def users_of(tokens: list[str]) -> list[Any]:
    return [USERS[token] for token in tokens]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
