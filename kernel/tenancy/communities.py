"""Communities (小区), the members serving them, and the residents living in them."""

from __future__ import annotations

import math

from kernel.db.scoped import scoped
from kernel.errors import BadUserInput, Forbidden, NotFound
from kernel.identity.principal import Principal
from kernel.runtime import Kernel
from kernel.tenancy.alliances import authorize, check_name, require_user
from kernel.tenancy.tables import Alliance, Community, Member, MemberCommunity, Resident

__all__ = ["create_community", "register_resident", "serve_community"]

_LEADER = "leader"


def _check_coordinate(
    value: float | None, field: str, bound: float, errors: dict[str, str]
) -> None:
    if value is not None and not (math.isfinite(value) and -bound <= value <= bound):
        errors[field] = f"must be between -{bound:g} and {bound:g}"


async def create_community(
    kernel: Kernel,
    *,
    actor: Principal | None,
    alliance_id: int,
    name: str,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Community:
    """Create a community in the alliance (alliance admins).

    Coordinates are WGS-84 degrees, both or neither; out of range: BAD_USER_INPUT.
    """
    await authorize(kernel, actor, "kernel.alliance.communities", alliance_id=alliance_id)
    errors: dict[str, str] = {}
    check_name(name, errors)
    if len(address) > 1000:
        errors["address"] = "at most 1000 characters"
    _check_coordinate(latitude, "latitude", 90, errors)
    _check_coordinate(longitude, "longitude", 180, errors)
    if (latitude is None) != (longitude is None):
        errors.setdefault("latitude" if latitude is None else "longitude", "give both or neither")
    if errors:
        raise BadUserInput("invalid community", field_errors=errors)
    community = Community(
        alliance=alliance_id,
        name=name.strip(),
        address=address,
        latitude=latitude,
        longitude=longitude,
        created_at=kernel.clock(),
    )
    async with kernel.db.write():
        if not await Alliance.exists().where(Alliance.id == alliance_id):
            raise NotFound("Alliance not found")
        await community.save()
    return community


async def serve_community(
    kernel: Kernel, *, actor: Principal | None, member_id: int, community_id: int
) -> MemberCommunity:
    """Declare that the member serves the community (idempotent).

    A community of another alliance is NOT_FOUND, exactly like a missing one.
    """
    await authorize(kernel, actor, "kernel.communities.serve", member_id=member_id)
    async with kernel.db.write():
        member = await Member.select(Member.alliance).where(Member.id == member_id).first()
        if member is None:
            raise NotFound("Member not found")
        same_alliance = (Community.id == community_id) & (Community.alliance == member["alliance"])
        if not await Community.exists().where(same_alliance):
            raise NotFound("Community not found")
        serving = scoped(MemberCommunity, member_id)
        existing = await serving.objects().where(MemberCommunity.community == community_id)
        if existing:
            row: MemberCommunity = existing[0]
            return row
        row = MemberCommunity(member=member_id, community=community_id, created_at=kernel.clock())
        await serving.insert(row)
    return row


async def register_resident(
    kernel: Kernel,
    *,
    actor: Principal | None,
    community_id: int,
    user_id: int,
    household: str = "",
    leader_member_id: int | None = None,
) -> Resident:
    """Register ``user_id``'s household in the community, optionally following a leader.

    Users register themselves (platform operators and system callers may register anyone).
    The leader must be a member of kind ``leader`` serving that community; anything else is
    NOT_FOUND. Registering again in the same community updates household and leader.
    """
    if actor is not None and not actor.is_platform_admin and actor.user_id != user_id:
        raise Forbidden("residents register themselves")
    errors: dict[str, str] = {}
    if len(household) > 120:
        errors["household"] = "at most 120 characters"
    if errors:
        raise BadUserInput("invalid registration", field_errors=errors)
    async with kernel.db.write():
        if not await Community.exists().where(Community.id == community_id):
            raise NotFound("Community not found")
        await require_user(user_id)
        if leader_member_id is not None:
            is_leader = (Member.id == leader_member_id) & (Member.kind == _LEADER)
            serves = await Member.exists().where(is_leader) and await scoped(
                MemberCommunity, leader_member_id
            ).exists().where(MemberCommunity.community == community_id)
            if not serves:
                raise NotFound("Leader not found")
        mine = (Resident.user == user_id) & (Resident.community == community_id)
        rows = await kernel.db.for_update(Resident.objects().where(mine))
        if rows:
            resident: Resident = rows[0]
            await Resident.update(
                {Resident.household: household, Resident.leader: leader_member_id}
            ).where(Resident.id == resident.id)
            resident.household, resident.leader = household, leader_member_id
            return resident
        resident = Resident(
            user=user_id,
            community=community_id,
            leader=leader_member_id,
            household=household,
            created_at=kernel.clock(),
        )
        await resident.save()
    return resident
