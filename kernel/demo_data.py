"""The demo alliance's people and places: East Lake (Wuhan) communities, the members of the
alliance, their staff and residents. Data only; :mod:`kernel.demo` loads it.

Figures follow /work/shared/DOMAIN.md: a leader serves a few communities of 300-500
households, one cloud warehouse 3-5 km away serves every community of the alliance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "ADMIN",
    "COMMUNITIES",
    "MEMBERS",
    "RESIDENTS",
    "STAFF",
    "DemoCommunity",
    "DemoMember",
    "DemoPerson",
    "DemoResidentSpec",
]


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    address: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    phone: str | None = None


@dataclass(frozen=True)
class DemoMember:
    kind: str
    slug: str
    name: str
    owner: DemoPerson
    serves: tuple[str, ...]  # community names; ("*",) means every community


@dataclass(frozen=True)
class DemoResidentSpec:
    person: DemoPerson
    community: str
    household: str
    leader: str  # member slug


ADMIN: Final = DemoPerson("admin@demo.alliance", "Alliance Admin (Zhou Min)")

COMMUNITIES: Final = (
    DemoCommunity(
        "Donghu Xincun", "88 Donghu Road, Wuchang District, Wuhan, Hubei", 30.5592, 114.3598
    ),
    DemoCommunity(
        "Shuiguohu Garden", "12 Shuiguohu Road, Wuchang District, Wuhan, Hubei", 30.5531, 114.3462
    ),
    DemoCommunity(
        "Luojia Hill Residences", "299 Bayi Road, Wuchang District, Wuhan, Hubei", 30.5386, 114.3652
    ),
    DemoCommunity(
        "Zhongbei Road Apartments",
        "166 Zhongbei Road, Wuchang District, Wuhan, Hubei",
        30.5664,
        114.3418,
    ),
    DemoCommunity(
        "Moshan Lakeside Village",
        "7 Moshan Scenic Road, Hongshan District, Wuhan, Hubei",
        30.5519,
        114.4003,
    ),
    DemoCommunity(
        "Xudong New Town", "38 Xudong Avenue, Hongshan District, Wuhan, Hubei", 30.5893, 114.3471
    ),
)

MEMBERS: Final = (
    DemoMember(
        "store",
        "lakeside-fresh-mart",
        "Lakeside Fresh Mart",
        DemoPerson("store@demo.alliance", "Liu Yang (Lakeside Fresh Mart)"),
        ("Donghu Xincun", "Shuiguohu Garden"),
    ),
    DemoMember(
        "store",
        "xudong-neighbourhood-store",
        "Xudong Neighbourhood Store",
        DemoPerson("store2@demo.alliance", "Huang Lei (Xudong Neighbourhood Store)"),
        ("Xudong New Town",),
    ),
    DemoMember(
        "leader",
        "auntie-wang-group",
        "Auntie Wang's Group Buy",
        DemoPerson("leader@demo.alliance", "Wang Fang (retired teacher)"),
        ("Donghu Xincun", "Shuiguohu Garden", "Luojia Hill Residences"),
    ),
    DemoMember(
        "leader",
        "chen-family-group",
        "Chen Family Group Buy",
        DemoPerson("leader2@demo.alliance", "Chen Jing"),
        ("Zhongbei Road Apartments", "Xudong New Town"),
    ),
    DemoMember(
        "leader",
        "li-kitchen-club",
        "Li's Kitchen Club",
        DemoPerson("leader3@demo.alliance", "Li Na"),
        ("Moshan Lakeside Village",),
    ),
    DemoMember(
        "warehouse_operator",
        "east-lake-cloud-warehouse",
        "East Lake Cloud Warehouse",
        DemoPerson("warehouse@demo.alliance", "Zhang Wei (warehouse manager)"),
        ("*",),
    ),
    DemoMember(
        "bakery",
        "luojia-bakery-club",
        "Luojia Bakery Club",
        DemoPerson("bakery@demo.alliance", "Sun Li (baker)"),
        ("Luojia Hill Residences", "Donghu Xincun"),
    ),
    DemoMember(
        "government_office",
        "shuiguohu-service-centre",
        "Shuiguohu Street Community Service Centre",
        DemoPerson("gov@demo.alliance", "Zhao Qiang (service centre)"),
        ("Shuiguohu Garden", "Donghu Xincun", "Luojia Hill Residences"),
    ),
    DemoMember(
        "supplier",
        "jiangxia-green-farm",
        "Jiangxia Green Farm",
        DemoPerson("supplier@demo.alliance", "He Ping (Jiangxia farm)"),
        (),
    ),
)

RESIDENTS: Final = (
    DemoResidentSpec(
        DemoPerson("resident@demo.alliance", "Xu Hui"),
        "Donghu Xincun",
        "Building 3, Unit 2, Room 501",
        "auntie-wang-group",
    ),
    DemoResidentSpec(
        DemoPerson("resident2@demo.alliance", "Ma Qing"),
        "Shuiguohu Garden",
        "Building 11, Room 1202",
        "auntie-wang-group",
    ),
    DemoResidentSpec(
        DemoPerson("resident3@demo.alliance", "Guo Tao"),
        "Luojia Hill Residences",
        "Building 6, Unit 1, Room 302",
        "auntie-wang-group",
    ),
    DemoResidentSpec(
        DemoPerson("resident4@demo.alliance", "Yang Xue"),
        "Zhongbei Road Apartments",
        "Tower B, Room 2306",
        "chen-family-group",
    ),
    DemoResidentSpec(
        DemoPerson("resident5@demo.alliance", "Deng Yu"),
        "Xudong New Town",
        "Building 9, Unit 3, Room 701",
        "chen-family-group",
    ),
    DemoResidentSpec(
        DemoPerson("resident6@demo.alliance", "Feng Rui"),
        "Moshan Lakeside Village",
        "Courtyard 4, House 12",
        "li-kitchen-club",
    ),
)

# A member's staff beyond its owner (add_membership).
STAFF: Final = (
    (DemoPerson("picker@demo.alliance", "Wu Gang (picker)"), "east-lake-cloud-warehouse"),
)
