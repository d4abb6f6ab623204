"""The demo alliance: a small, realistic East Lake (Wuhan) alliance to click through.

:func:`load_demo` is idempotent: every object is looked up by its natural key first (the
alliance by slug ``demo-alliance``, users by e-mail, members by slug, communities by name,
links by their pair) and only what is missing is created, all in one write transaction.
Existing users keep their passwords.

Figures follow /work/shared/DOMAIN.md: a leader serves a few communities of 300-500
households, one cloud warehouse 3-5 km away serves every community of the alliance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

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
class _Community:
    name: str
    address: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class _Person:
    email: str
    display_name: str
    phone: str | None = None


@dataclass(frozen=True)
class _Member:
    kind: str
    slug: str
    name: str
    owner: _Person
    serves: tuple[str, ...]  # community names; ("*",) means every community


@dataclass(frozen=True)
class _Resident:
    person: _Person
    community: str
    household: str
    leader: str  # member slug


ADMIN: Final = _Person("admin@demo.alliance", "Alliance Admin (Zhou Min)")

COMMUNITIES: Final = (
    _Community(
        "Donghu Xincun", "88 Donghu Road, Wuchang District, Wuhan, Hubei", 30.5592, 114.3598
    ),
    _Community(
        "Shuiguohu Garden", "12 Shuiguohu Road, Wuchang District, Wuhan, Hubei", 30.5531, 114.3462
    ),
    _Community(
        "Luojia Hill Residences", "299 Bayi Road, Wuchang District, Wuhan, Hubei", 30.5386, 114.3652
    ),
    _Community(
        "Zhongbei Road Apartments",
        "166 Zhongbei Road, Wuchang District, Wuhan, Hubei",
        30.5664,
        114.3418,
    ),
    _Community(
        "Moshan Lakeside Village",
        "7 Moshan Scenic Road, Hongshan District, Wuhan, Hubei",
        30.5519,
        114.4003,
    ),
    _Community(
        "Xudong New Town", "38 Xudong Avenue, Hongshan District, Wuhan, Hubei", 30.5893, 114.3471
    ),
)

MEMBERS: Final = (
    _Member(
        "store",
        "lakeside-fresh-mart",
        "Lakeside Fresh Mart",
        _Person("store@demo.alliance", "Liu Yang (Lakeside Fresh Mart)"),
        ("Donghu Xincun", "Shuiguohu Garden"),
    ),
    _Member(
        "store",
        "xudong-neighbourhood-store",
        "Xudong Neighbourhood Store",
        _Person("store2@demo.alliance", "Huang Lei (Xudong Neighbourhood Store)"),
        ("Xudong New Town",),
    ),
    _Member(
        "leader",
        "auntie-wang-group",
        "Auntie Wang's Group Buy",
        _Person("leader@demo.alliance", "Wang Fang (retired teacher)"),
        ("Donghu Xincun", "Shuiguohu Garden", "Luojia Hill Residences"),
    ),
    _Member(
        "leader",
        "chen-family-group",
        "Chen Family Group Buy",
        _Person("leader2@demo.alliance", "Chen Jing"),
        ("Zhongbei Road Apartments", "Xudong New Town"),
    ),
    _Member(
        "leader",
        "li-kitchen-club",
        "Li's Kitchen Club",
        _Person("leader3@demo.alliance", "Li Na"),
        ("Moshan Lakeside Village",),
    ),
    _Member(
        "warehouse_operator",
        "east-lake-cloud-warehouse",
        "East Lake Cloud Warehouse",
        _Person("warehouse@demo.alliance", "Zhang Wei (warehouse manager)"),
        ("*",),
    ),
    _Member(
        "bakery",
        "luojia-bakery-club",
        "Luojia Bakery Club",
        _Person("bakery@demo.alliance", "Sun Li (baker)"),
        ("Luojia Hill Residences", "Donghu Xincun"),
    ),
    _Member(
        "government_office",
        "shuiguohu-service-centre",
        "Shuiguohu Street Community Service Centre",
        _Person("gov@demo.alliance", "Zhao Qiang (service centre)"),
        ("Shuiguohu Garden", "Donghu Xincun", "Luojia Hill Residences"),
    ),
    _Member(
        "supplier",
        "jiangxia-green-farm",
        "Jiangxia Green Farm",
        _Person("supplier@demo.alliance", "He Ping (Jiangxia farm)"),
        (),
    ),
)

RESIDENTS: Final = (
    _Resident(
        _Person("resident@demo.alliance", "Xu Hui"),
        "Donghu Xincun",
        "Building 3, Unit 2, Room 501",
        "auntie-wang-group",
    ),
    _Resident(
        _Person("resident2@demo.alliance", "Ma Qing"),
        "Shuiguohu Garden",
        "Building 11, Room 1202",
        "auntie-wang-group",
    ),
    _Resident(
        _Person("resident3@demo.alliance", "Guo Tao"),
        "Luojia Hill Residences",
        "Building 6, Unit 1, Room 302",
        "auntie-wang-group",
    ),
    _Resident(
        _Person("resident4@demo.alliance", "Yang Xue"),
        "Zhongbei Road Apartments",
        "Tower B, Room 2306",
        "chen-family-group",
    ),
    _Resident(
        _Person("resident5@demo.alliance", "Deng Yu"),
        "Xudong New Town",
        "Building 9, Unit 3, Room 701",
        "chen-family-group",
    ),
    _Resident(
        _Person("resident6@demo.alliance", "Feng Rui"),
        "Moshan Lakeside Village",
        "Courtyard 4, House 12",
        "li-kitchen-club",
    ),
)

# A member's staff beyond its owner (add_membership).
STAFF: Final = ((_Person("picker@demo.alliance", "Wu Gang (picker)"), "east-lake-cloud-warehouse"),)


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

    async def user(self, person: _Person, *, platform_admin: bool = False) -> int:
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

    async def community(self, alliance_id: int, spec: _Community) -> int:
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

    async def member(self, alliance_id: int, spec: _Member, owner_id: int) -> int:
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
        for spec in MEMBERS:
            owner_id = await loader.user(spec.owner)
            member_id = await loader.member(alliance_id, spec, owner_id)
            members[spec.slug] = member_id
            served = list(communities) if spec.serves == ("*",) else spec.serves
            for name in served:
                await loader.serve(member_id, communities[name])
        for person, slug in STAFF:
            await loader.membership(members[slug], await loader.user(person), "staff")
        for resident in RESIDENTS:
            user_id = await loader.user(resident.person)
            await loader.resident(
                communities[resident.community],
                user_id,
                resident.household,
                members[resident.leader],
            )
    return DemoSummary(
        alliance_slug=DEMO_ALLIANCE_SLUG,
        alliance_id=alliance_id,
        created=loader.created,
        logins=demo_logins(),
    )
