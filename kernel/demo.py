"""The demo alliance: a small, realistic East Lake (Wuhan) alliance to click through.

:func:`load_demo` is idempotent: every object is looked up by its natural key first (the
alliance by slug ``demo-alliance``, users by e-mail, members by slug, communities by name,
links by their pair) and only what is missing is created, all in one write transaction.
Existing users keep their passwords. The people and places are in :mod:`kernel.demo_data`;
each installed plugin then adds its part (``seed_demo``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from kernel.demo_data import (
    ADMIN,
    COMMUNITIES,
    MEMBERS,
    RESIDENTS,
    STAFF,
    DemoCommunity,
    DemoMember,
    DemoPerson,
)
from kernel.demo_plugins import DemoContext, DemoResident, seed_plugins

if TYPE_CHECKING:
    from kernel.runtime import Kernel

__all__ = [
    "DEMO_ALLIANCE_SLUG",
    "DEMO_PASSWORD",
    "DemoLogin",
    "DemoSummary",
    "demo_logins",
    "load_demo",
]

DEMO_ALLIANCE_SLUG: Final = "demo-alliance"
# Passes the password policy (length, not in the common-password list). Demo only.
DEMO_PASSWORD: Final = "EastLake-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    """A demo account to sign in with."""

    email: str
    password: str
    role: str


@dataclass
class DemoSummary:
    """What :func:`load_demo` found and created."""

    alliance_slug: str
    alliance_id: int
    created: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything was created (False when the demo was already loaded)."""
        return any(self.created.values())


def _id(row: Any) -> int:
    value = row["id"] if isinstance(row, dict) else row.id
    return int(value)


class _Loader:
    def __init__(self, kernel: Kernel, progress: Callable[[str], None]) -> None:
        self.kernel = kernel
        self.progress = progress
        self.created: dict[str, int] = {}

    def _count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1

    async def user(self, person: DemoPerson, *, platform_admin: bool = False) -> int:
        from kernel.identity.service import create_user
        from kernel.identity.tables import User

        row = await User.select(User.id).where(User.email == person.email).first()
        if row is not None:
            return _id(row)
        self.progress(f"  user {person.email}")
        user = await create_user(
            self.kernel,
            email=person.email,
            phone=person.phone,
            password=DEMO_PASSWORD,
            display_name=person.display_name,
            platform_admin=platform_admin,
        )
        self._count("users")
        return _id(user)

    async def alliance(self) -> int:
        from kernel.tenancy.service import create_alliance
        from kernel.tenancy.tables import Alliance

        row = await Alliance.select(Alliance.id).where(Alliance.slug == DEMO_ALLIANCE_SLUG).first()
        if row is not None:
            return _id(row)
        self.progress("  alliance East Lake Community Alliance")
        alliance = await create_alliance(
            self.kernel,
            actor=None,
            slug=DEMO_ALLIANCE_SLUG,
            name="East Lake Community Alliance",
            region="Wuhan, Hubei",
        )
        self._count("alliances")
        return _id(alliance)

    async def alliance_admin(self, alliance_id: int, user_id: int) -> None:
        from kernel.tenancy.service import appoint_alliance_admin
        from kernel.tenancy.tables import AllianceAdmin

        exists = await AllianceAdmin.exists().where(
            (AllianceAdmin.alliance == alliance_id) & (AllianceAdmin.user == user_id)
        )
        if not exists:
            await appoint_alliance_admin(
                self.kernel, actor=None, alliance_id=alliance_id, user_id=user_id
            )
            self._count("alliance admins")

    async def community(self, alliance_id: int, spec: DemoCommunity) -> int:
        from kernel.tenancy.service import create_community
        from kernel.tenancy.tables import Community

        row = (
            await Community.select(Community.id)
            .where((Community.alliance == alliance_id) & (Community.name == spec.name))
            .first()
        )
        if row is not None:
            return _id(row)
        self.progress(f"  community {spec.name}")
        community = await create_community(
            self.kernel,
            actor=None,
            alliance_id=alliance_id,
            name=spec.name,
            address=spec.address,
            latitude=spec.latitude,
            longitude=spec.longitude,
        )
        self._count("communities")
        return _id(community)

    async def member(self, alliance_id: int, spec: DemoMember, owner_id: int) -> int:
        from kernel.tenancy.service import create_member
        from kernel.tenancy.tables import Member

        row = (
            await Member.select(Member.id)
            .where((Member.alliance == alliance_id) & (Member.slug == spec.slug))
            .first()
        )
        if row is not None:
            return _id(row)
        self.progress(f"  {spec.kind} {spec.name}")
        member = await create_member(
            self.kernel,
            actor=None,
            alliance_id=alliance_id,
            kind=spec.kind,
            slug=spec.slug,
            name=spec.name,
            owner_user_id=owner_id,
        )
        self._count("members")
        return _id(member)

    async def serve(self, member_id: int, community_id: int) -> None:
        from kernel.db.scoped import scoped
        from kernel.tenancy.service import serve_community
        from kernel.tenancy.tables import MemberCommunity

        exists = (
            await scoped(MemberCommunity, member_id)
            .exists()
            .where(MemberCommunity.community == community_id)
        )
        if not exists:
            await serve_community(
                self.kernel, actor=None, member_id=member_id, community_id=community_id
            )
            self._count("member-community links")

    async def membership(self, member_id: int, user_id: int, role: str) -> None:
        from kernel.db.scoped import scoped
        from kernel.tenancy.service import add_membership
        from kernel.tenancy.tables import Membership

        exists = await scoped(Membership, member_id).exists().where(Membership.user == user_id)
        if not exists:
            await add_membership(
                self.kernel, actor=None, member_id=member_id, user_id=user_id, role=role
            )
            self._count("memberships")

    async def resident(
        self, community_id: int, user_id: int, household: str, leader_id: int
    ) -> None:
        from kernel.tenancy.service import register_resident
        from kernel.tenancy.tables import Resident

        exists = await Resident.exists().where(
            (Resident.user == user_id) & (Resident.community == community_id)
        )
        if not exists:
            await register_resident(
                self.kernel,
                actor=None,
                community_id=community_id,
                user_id=user_id,
                household=household,
                leader_member_id=leader_id,
            )
            self._count("residents")


def demo_logins() -> list[DemoLogin]:
    """The accounts the demo creates, most useful first."""
    logins = [DemoLogin(ADMIN.email, DEMO_PASSWORD, "platform admin, alliance admin")]
    for spec in MEMBERS:
        logins.append(DemoLogin(spec.owner.email, DEMO_PASSWORD, f"owner of {spec.name}"))
    for person, slug in STAFF:
        logins.append(DemoLogin(person.email, DEMO_PASSWORD, f"staff of {slug}"))
    for resident in RESIDENTS:
        role = f"resident of {resident.community}, follows {resident.leader}"
        logins.append(DemoLogin(resident.person.email, DEMO_PASSWORD, role))
    return logins


async def load_demo(
    kernel: Kernel, *, progress: Callable[[str], None] | None = None
) -> DemoSummary:
    """Create whatever is missing of the demo alliance, in one transaction.

    Running it again changes nothing. ``progress`` receives a line per object created.
    """
    loader = _Loader(kernel, progress or (lambda line: None))
    async with kernel.db.write():
        admin_id = await loader.user(ADMIN, platform_admin=True)
        alliance_id = await loader.alliance()
        await loader.alliance_admin(alliance_id, admin_id)
        communities = {spec.name: await loader.community(alliance_id, spec) for spec in COMMUNITIES}
        members: dict[str, int] = {}
        owners: dict[str, int] = {}
        served: dict[str, list[int]] = {}
        users: dict[str, int] = {ADMIN.email: admin_id}
        for spec in MEMBERS:
            owner_id = await loader.user(spec.owner)
            users[spec.owner.email] = owners[spec.slug] = owner_id
            member_id = await loader.member(alliance_id, spec, owner_id)
            members[spec.slug] = member_id
            names = list(communities) if spec.serves == ("*",) else spec.serves
            served[spec.slug] = [communities[name] for name in names]
            for name in names:
                await loader.serve(member_id, communities[name])
        for person, slug in STAFF:
            users[person.email] = await loader.user(person)
            await loader.membership(members[slug], users[person.email], "staff")
        residents: list[DemoResident] = []
        for resident in RESIDENTS:
            user_id = users[resident.person.email] = await loader.user(resident.person)
            await loader.resident(
                communities[resident.community],
                user_id,
                resident.household,
                members[resident.leader],
            )
            residents.append(
                DemoResident(
                    user_id,
                    resident.person.email,
                    resident.person.display_name,
                    communities[resident.community],
                    members[resident.leader],
                )
            )
    context = DemoContext(
        kernel=kernel,
        alliance_id=alliance_id,
        members=members,
        member_kinds={spec.slug: spec.kind for spec in MEMBERS},
        owners=owners,
        communities=communities,
        served=served,
        residents=residents,
        users=users,
        progress=loader.progress,
        counts=loader.created,
    )
    await seed_plugins(kernel, context)
    return DemoSummary(
        alliance_slug=DEMO_ALLIANCE_SLUG,
        alliance_id=alliance_id,
        created=loader.created,
        logins=demo_logins(),
    )
