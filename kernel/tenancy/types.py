"""GraphQL types of kernel.tenancy, and the ``participant`` permission they declare.

Types are built from rows (``select`` dicts or table instances); the primary keys ride along
as private fields so that field permissions (``of_source("pk")``) can find their domain.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from kernel.db.scoped import scoped, unscoped
from kernel.errors import NotFound
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id, encode_id
from kernel.gateway.pagination import Connection, page_request
from kernel.permissions.field import DomainLocator, of_source, requires
from kernel.plugins.types import MemberPluginType
from kernel.tenancy.alliances import participates
from kernel.tenancy.tables import Alliance, Member, MemberCommunity, Membership, Resident

__all__ = [
    "MEMBERSHIP_COLUMNS",
    "NOT_FOUND",
    "AllianceType",
    "CommunityType",
    "MemberType",
    "MembershipType",
    "MembershipUser",
    "ResidenceType",
    "ViewerType",
    "field",
    "member_alliance_arg",
    "mutation",
    "participant",
    "residences",
]

_F = TypeVar("_F", bound=Callable[..., Any])
# Every refusal to show an alliance's objects says exactly what a missing object says.
NOT_FOUND = "not found"


def field(**options: Any) -> Callable[[_F], _F]:
    """``strawberry.field(**options)``, typed: strawberry's overload for it returns ``Any``,
    which mypy --strict refuses as a decorator."""
    decorator: Callable[[_F], _F] = strawberry.field(**options)
    return decorator


def mutation(**options: Any) -> Callable[[_F], _F]:
    """``strawberry.mutation(**options)``, typed (see :func:`field`)."""
    decorator: Callable[[_F], _F] = strawberry.mutation(**options)
    return decorator


def _get(row: Any, key: str) -> Any:
    return row[key] if isinstance(row, dict) else getattr(row, key)


class _Participant(BasePermission):
    message = NOT_FOUND

    def __init__(self, alliance: DomainLocator) -> None:
        self.alliance = alliance

    async def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        context = context_of(info)
        principal = context.require_principal()
        located = self.alliance(source, info, kwargs)
        alliance_id = int(await located if inspect.isawaitable(located) else located)
        if await participates(context.kernel, principal, alliance_id, memo=context.memo):
            return True
        raise NotFound(NOT_FOUND)


def participant(*, alliance: DomainLocator) -> PermissionExtension:
    """A field extension allowing the field only to the alliance's participants (see
    :func:`kernel.tenancy.alliances.participates`); others get NOT_FOUND."""
    return PermissionExtension(permissions=[_Participant(alliance)], use_directives=False)


def member_alliance_arg(name: str = "id") -> DomainLocator:
    """The alliance of the member whose global ID is the field argument ``name``."""

    async def locate(source: Any, info: Info[Any, Any], kwargs: dict[str, Any]) -> int:
        member_id = decode_id("Member", kwargs[name])
        row = await Member.select(Member.alliance).where(Member.id == member_id).first()
        if row is None:
            raise NotFound(NOT_FOUND)
        return int(row["alliance"])

    return locate


async def _alliance(info: Info[Any, Any], pk: int) -> AllianceType:
    memo = context_of(info).memo
    key = f"kernel.tenancy.alliance:{pk}"
    if key not in memo:
        row = await Alliance.select().where(Alliance.id == pk).first()
        if row is None:
            raise NotFound(NOT_FOUND)
        memo[key] = AllianceType.from_row(row)
    alliance: AllianceType = memo[key]
    return alliance


@strawberry.type(name="Alliance")
class AllianceType:
    pk: strawberry.Private[int]
    id: strawberry.ID
    slug: str
    name: str
    region: str

    @classmethod
    def from_row(cls, row: Any) -> AllianceType:
        pk = int(_get(row, "id"))
        return cls(
            pk=pk,
            id=encode_id("Alliance", pk),
            slug=_get(row, "slug"),
            name=_get(row, "name"),
            region=_get(row, "region"),
        )


@strawberry.type(name="Community")
class CommunityType:
    pk: strawberry.Private[int]
    alliance_pk: strawberry.Private[int]
    id: strawberry.ID
    name: str
    address: str
    latitude: float | None
    longitude: float | None

    @classmethod
    def from_row(cls, row: Any, prefix: str = "") -> CommunityType:
        pk = int(_get(row, prefix + "id"))
        return cls(
            pk=pk,
            alliance_pk=int(_get(row, prefix + "alliance")),
            id=encode_id("Community", pk),
            name=_get(row, prefix + "name"),
            address=_get(row, prefix + "address"),
            latitude=_get(row, prefix + "latitude"),
            longitude=_get(row, prefix + "longitude"),
        )

    @strawberry.field
    async def alliance(self, info: Info[Any, Any]) -> AllianceType:
        return await _alliance(info, self.alliance_pk)


_COMMUNITY_FIELDS = ("id", "alliance", "name", "address", "latitude", "longitude")
_MEMBER_FIELDS = ("id", "alliance", "kind", "slug", "name")


@strawberry.type(name="Member")
class MemberType:
    pk: strawberry.Private[int]
    alliance_pk: strawberry.Private[int]
    id: strawberry.ID
    kind: str
    slug: str
    name: str

    @classmethod
    def from_row(cls, row: Any, prefix: str = "") -> MemberType:
        pk = int(_get(row, prefix + "id"))
        return cls(
            pk=pk,
            alliance_pk=int(_get(row, prefix + "alliance")),
            id=encode_id("Member", pk),
            kind=_get(row, prefix + "kind"),
            slug=_get(row, prefix + "slug"),
            name=_get(row, prefix + "name"),
        )

    @strawberry.field
    async def alliance(self, info: Info[Any, Any]) -> AllianceType:
        return await _alliance(info, self.alliance_pk)

    @field(
        description="The member's staff and their roles.",
        extensions=[requires("kernel.members.read", member=of_source("pk"))],
    )
    async def memberships(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[MembershipType] | None:
        page = page_request(first, after)
        rows = (
            await scoped(Membership, self.pk)
            .select(*MEMBERSHIP_COLUMNS)
            .where(Membership.id > page.after_id)
            .order_by(Membership.id)
            .limit(page.limit)
        )
        return page.connection(rows, lambda row: MembershipType.from_row(row, member=self))

    @field(
        description="The member's plugins, enabled or not, with their configuration.",
        extensions=[requires("kernel.plugins.manage", member=of_source("pk"))],
    )
    async def plugins(self, info: Info[Any, Any]) -> list[MemberPluginType] | None:
        from kernel.plugins.graphql import member_plugins

        return await member_plugins(context_of(info).kernel, self.pk)

    @field(
        description="The communities the member serves.",
        extensions=[participant(alliance=of_source("alliance_pk"))],
    )
    async def communities(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[CommunityType] | None:
        page = page_request(first, after)
        served = MemberCommunity.community
        rows = (
            await scoped(MemberCommunity, self.pk)
            .select(
                MemberCommunity.id,
                *(getattr(served, c).as_alias(f"c_{c}") for c in _COMMUNITY_FIELDS),
            )
            .where(MemberCommunity.id > page.after_id)
            .order_by(MemberCommunity.id)
            .limit(page.limit)
        )
        return page.connection(rows, lambda row: CommunityType.from_row(row, prefix="c_"))


@strawberry.type
class MembershipUser:
    """The user holding a membership, as the member's managers see them."""

    id: strawberry.ID
    display_name: str
    email: str | None
    phone: str | None


_HOLDER = Membership.user
MEMBERSHIP_COLUMNS = (
    Membership.id,
    Membership.role,
    Membership.created_at,
    _HOLDER.id.as_alias("u_id"),
    _HOLDER.display_name.as_alias("u_display_name"),
    _HOLDER.email.as_alias("u_email"),
    _HOLDER.phone.as_alias("u_phone"),
)


@strawberry.type(name="Membership")
class MembershipType:
    id: strawberry.ID
    role: str
    created_at: dt.datetime
    member: MemberType
    user: MembershipUser

    @classmethod
    def from_row(cls, row: Any, *, member: MemberType) -> MembershipType:
        """``row`` has :data:`MEMBERSHIP_COLUMNS`."""
        return cls(
            id=encode_id("Membership", int(row["id"])),
            role=row["role"],
            created_at=row["created_at"],
            member=member,
            user=MembershipUser(
                id=encode_id("User", int(row["u_id"])),
                display_name=row["u_display_name"],
                email=row["u_email"],
                phone=row["u_phone"],
            ),
        )


@strawberry.type(name="Residence")
class ResidenceType:
    """A household's registration in a community."""

    id: strawberry.ID
    household: str
    community: CommunityType
    leader: MemberType | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ResidenceType:
        """``row`` has the residence, ``c_``-prefixed community and ``l_``-prefixed leader."""
        return cls(
            id=encode_id("Residence", int(row["id"])),
            household=row["household"],
            community=CommunityType.from_row(row, "c_"),
            leader=MemberType.from_row(row, "l_") if row["l_id"] is not None else None,
            created_at=row["created_at"],
        )


async def residences(where: Any, limit: int) -> list[dict[str, Any]]:
    """Residence rows matching ``where`` with their community and leader, in id order."""
    place, leader = Resident.community, Resident.leader
    rows: list[dict[str, Any]] = (
        await Resident.select(
            Resident.id,
            Resident.household,
            Resident.created_at,
            *(getattr(place, c).as_alias(f"c_{c}") for c in _COMMUNITY_FIELDS),
            *(getattr(leader, c).as_alias(f"l_{c}") for c in _MEMBER_FIELDS),
        )
        .where(where)
        .order_by(Resident.id)
        .limit(limit)
    )
    return rows


@strawberry.type(name="Viewer")
class ViewerType:
    """The signed-in user."""

    pk: strawberry.Private[int]
    id: strawberry.ID
    email: str | None
    phone: str | None
    display_name: str
    is_platform_admin: bool

    @field(description="The viewer's roles in members.")
    async def memberships(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[MembershipType]:
        page = page_request(first, after)
        held = Membership.member
        # Cross-member by nature: one user's roles in every member, and nothing else.
        rows = (
            await unscoped(Membership)
            .select(
                *MEMBERSHIP_COLUMNS,
                *(getattr(held, c).as_alias(f"m_{c}") for c in ("id", "alliance", "kind")),
                *(getattr(held, c).as_alias(f"m_{c}") for c in ("slug", "name")),
            )
            .where((Membership.user == self.pk) & (Membership.id > page.after_id))
            .order_by(Membership.id)
            .limit(page.limit)
        )
        return page.connection(
            rows,
            lambda row: MembershipType.from_row(row, member=MemberType.from_row(row, "m_")),
        )

    @field(description="The communities the viewer's household is registered in.")
    async def residences(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[ResidenceType]:
        page = page_request(first, after)
        rows = await residences(
            (Resident.user == self.pk) & (Resident.id > page.after_id), page.limit
        )
        return page.connection(rows, ResidenceType.from_row)
