"""GraphQL fields of kernel.tenancy: alliances, members, memberships, communities, residents.

Who may see what (declared on the fields; resolvers never check by hand):

- ``viewer``: the signed-in user and their own memberships and residences; null when
  anonymous (and for API keys, which are not users).
- ``alliance(id)``, ``members(allianceId)``, ``member(id)``, ``communities(allianceId)``,
  ``Member.communities``: the alliance's *participants*: platform operators, its alliance
  admins, and users with a staff-or-higher role (owner, admin, staff, leader) in one of its
  members. Everyone else, including residents and API keys, gets NOT_FOUND, word for word what
  a missing object gets. Residents are deliberately not participants: registering in a
  community needs only its ID, and IDs are guessable, so residency must not open the
  alliance's directory. A resident sees their own community (with its alliance's name) and
  leader through ``viewer``.
- ``Member.memberships`` (the staff list, with e-mail and phone): ``kernel.members.read`` in
  that member (its owner, admins, staff, leaders). Alliance admins do not see members' staff.
- Mutations: ``createAlliance`` platform operators; ``appointAllianceAdmin``,
  ``createMember``, ``createCommunity`` the alliance's admins; ``addMembership``,
  ``changeRole``, ``removeMembership`` ``kernel.memberships.manage`` in the member, bounded by
  the caller's own rank; ``serveCommunity`` ``kernel.communities.serve`` in the member;
  ``registerResident`` any signed-in user, for their own household.

Anonymous callers get UNAUTHENTICATED from every field but ``viewer``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from kernel.db.scoped import scoped
from kernel.errors import Forbidden, NotFound
from kernel.gateway.compose import SchemaPart
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id, encode_id
from kernel.gateway.pagination import Connection, page_request
from kernel.identity.principal import Principal
from kernel.identity.tables import User
from kernel.permissions.field import alliance_arg, authenticated, member_arg, requires
from kernel.tenancy import service
from kernel.tenancy.alliances import CREATE_ALLIANCE
from kernel.tenancy.tables import Alliance, Community, Member, Membership, Resident
from kernel.tenancy.types import (
    MEMBERSHIP_COLUMNS,
    NOT_FOUND,
    AllianceType,
    CommunityType,
    MembershipType,
    MemberType,
    ResidenceType,
    ViewerType,
    field,
    member_alliance_arg,
    mutation,
    participant,
    residences,
)

__all__ = ["PART", "TenancyMutation", "TenancyQuery"]


def _member_id(value: strawberry.ID) -> int:
    return decode_id("Member", value)


def _user_id(value: strawberry.ID) -> int:
    return decode_id("User", value)


async def _member(pk: int) -> MemberType:
    row = await Member.select().where(Member.id == pk).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return MemberType.from_row(row)


async def _alliance(pk: int) -> AllianceType:
    row = await Alliance.select().where(Alliance.id == pk).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return AllianceType.from_row(row)


@strawberry.type
class TenancyQuery:
    @field(description="The signed-in user; null when anonymous.")
    async def viewer(self, info: Info[Any, Any]) -> ViewerType | None:
        principal = context_of(info).principal
        if principal is None or principal.user_id is None:
            return None
        user = await User.select().where(User.id == principal.user_id).first()
        if user is None:
            return None
        return ViewerType(
            pk=user["id"],
            id=encode_id("User", user["id"]),
            email=user["email"],
            phone=user["phone"],
            display_name=user["display_name"],
            is_platform_admin=user["is_platform_admin"],
        )

    @field(extensions=[participant(alliance=alliance_arg("id"))])
    async def alliance(self, id: strawberry.ID) -> AllianceType:
        return await _alliance(decode_id("Alliance", id))

    @field(extensions=[participant(alliance=member_alliance_arg("id"))])
    async def member(self, id: strawberry.ID) -> MemberType:
        return await _member(_member_id(id))

    @field(
        description="The alliance's members, optionally of one kind.",
        extensions=[participant(alliance=alliance_arg())],
    )
    async def members(
        self,
        alliance_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        kind: str | None = None,
    ) -> Connection[MemberType]:
        page = page_request(first, after)
        where = (Member.alliance == decode_id("Alliance", alliance_id)) & (
            Member.id > page.after_id
        )
        if kind is not None:
            where &= Member.kind == kind
        rows = await Member.select().where(where).order_by(Member.id).limit(page.limit)
        return page.connection(rows, MemberType.from_row)

    @field(extensions=[participant(alliance=alliance_arg())])
    async def communities(
        self, alliance_id: strawberry.ID, first: int | None = None, after: str | None = None
    ) -> Connection[CommunityType]:
        page = page_request(first, after)
        where = (Community.alliance == decode_id("Alliance", alliance_id)) & (
            Community.id > page.after_id
        )
        rows = await Community.select().where(where).order_by(Community.id).limit(page.limit)
        return page.connection(rows, CommunityType.from_row)


def _actor(info: Info[Any, Any]) -> Principal:
    return context_of(info).require_principal()


async def _membership(row: Membership, member_id: int) -> MembershipType:
    query = scoped(Membership, member_id).select(*MEMBERSHIP_COLUMNS)
    found = await query.where(Membership.id == row.id).first()
    return MembershipType.from_row(found, member=await _member(member_id))


_MANAGE = "kernel.memberships.manage"


@strawberry.type
class TenancyMutation:
    @mutation(
        description="Create an alliance (platform operators only).",
        extensions=[requires(CREATE_ALLIANCE)],
    )
    async def create_alliance(
        self, info: Info[Any, Any], slug: str, name: str, region: str = ""
    ) -> AllianceType:
        row = await service.create_alliance(
            context_of(info).kernel, actor=_actor(info), slug=slug, name=name, region=region
        )
        return AllianceType.from_row(row)

    @mutation(extensions=[requires("kernel.alliance.admins", alliance=alliance_arg())])
    async def appoint_alliance_admin(
        self, info: Info[Any, Any], alliance_id: strawberry.ID, user_id: strawberry.ID
    ) -> AllianceType:
        pk = decode_id("Alliance", alliance_id)
        await service.appoint_alliance_admin(
            context_of(info).kernel, actor=_actor(info), alliance_id=pk, user_id=_user_id(user_id)
        )
        return await _alliance(pk)

    @mutation(
        description="Admit a member into the alliance, with its owner.",
        extensions=[requires("kernel.alliance.admit", alliance=alliance_arg())],
    )
    async def create_member(
        self,
        info: Info[Any, Any],
        alliance_id: strawberry.ID,
        kind: str,
        slug: str,
        name: str,
        owner_user_id: strawberry.ID | None = None,
    ) -> MemberType:
        row = await service.create_member(
            context_of(info).kernel,
            actor=_actor(info),
            alliance_id=decode_id("Alliance", alliance_id),
            kind=kind,
            slug=slug,
            name=name,
            owner_user_id=_user_id(owner_user_id) if owner_user_id is not None else None,
        )
        return MemberType.from_row(row)

    @mutation(
        description="Give a user a role in the member (CONFLICT if they have one already).",
        extensions=[requires(_MANAGE, member=member_arg())],
    )
    async def add_membership(
        self, info: Info[Any, Any], member_id: strawberry.ID, user_id: strawberry.ID, role: str
    ) -> MembershipType:
        pk = _member_id(member_id)
        row = await service.add_membership(
            context_of(info).kernel,
            actor=_actor(info),
            member_id=pk,
            user_id=_user_id(user_id),
            role=role,
        )
        return await _membership(row, pk)

    @mutation(extensions=[requires(_MANAGE, member=member_arg())])
    async def change_role(
        self, info: Info[Any, Any], member_id: strawberry.ID, user_id: strawberry.ID, role: str
    ) -> MembershipType:
        pk = _member_id(member_id)
        row = await service.change_role(
            context_of(info).kernel,
            actor=_actor(info),
            member_id=pk,
            user_id=_user_id(user_id),
            role=role,
        )
        return await _membership(row, pk)

    @mutation(
        description="Remove a user's role in the member; returns the removed membership's ID.",
        extensions=[requires(_MANAGE, member=member_arg())],
    )
    async def remove_membership(
        self, info: Info[Any, Any], member_id: strawberry.ID, user_id: strawberry.ID
    ) -> strawberry.ID:
        removed = await service.remove_membership(
            context_of(info).kernel,
            actor=_actor(info),
            member_id=_member_id(member_id),
            user_id=_user_id(user_id),
        )
        return encode_id("Membership", removed)

    @mutation(extensions=[requires("kernel.alliance.communities", alliance=alliance_arg())])
    async def create_community(
        self,
        info: Info[Any, Any],
        alliance_id: strawberry.ID,
        name: str,
        address: str = "",
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> CommunityType:
        row = await service.create_community(
            context_of(info).kernel,
            actor=_actor(info),
            alliance_id=decode_id("Alliance", alliance_id),
            name=name,
            address=address,
            latitude=latitude,
            longitude=longitude,
        )
        return CommunityType.from_row(row)

    @mutation(
        description="Declare that the member serves a community of its alliance.",
        extensions=[requires("kernel.communities.serve", member=member_arg())],
    )
    async def serve_community(
        self, info: Info[Any, Any], member_id: strawberry.ID, community_id: strawberry.ID
    ) -> MemberType:
        pk = _member_id(member_id)
        await service.serve_community(
            context_of(info).kernel,
            actor=_actor(info),
            member_id=pk,
            community_id=decode_id("Community", community_id),
        )
        return await _member(pk)

    @mutation(
        description="Register the viewer's household in a community, optionally following a "
        "leader serving it. Registering again updates household and leader.",
        extensions=[authenticated()],
    )
    async def register_resident(
        self,
        info: Info[Any, Any],
        community_id: strawberry.ID,
        household: str = "",
        leader_member_id: strawberry.ID | None = None,
    ) -> ResidenceType:
        actor = _actor(info)
        if actor.user_id is None:
            # An API key acts for a member; only a person has a household.
            raise Forbidden("residents register themselves")
        row = await service.register_resident(
            context_of(info).kernel,
            actor=actor,
            community_id=decode_id("Community", community_id),
            user_id=actor.user_id,
            household=household,
            leader_member_id=_member_id(leader_member_id) if leader_member_id else None,
        )
        rows = await residences(Resident.id == row.id, 1)
        return ResidenceType.from_row(rows[0])


PART = SchemaPart("kernel.tenancy", query=TenancyQuery, mutation=TenancyMutation)
