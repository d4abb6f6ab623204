"""GraphQL types of the plugin (names prefixed ``GovNotices``)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from typing import Any

import strawberry

from alliance_sdk import encode_id
from plugins.gov_notices import kernel_data
from plugins.gov_notices.notices import EMERGENCY, Notice
from plugins.gov_notices.reach import CommunityReach, Contact

__all__ = [
    "TYPES",
    "Category",
    "GovNoticesCommunityType",
    "GovNoticesContactType",
    "GovNoticesEmergencyType",
    "GovNoticesInput",
    "GovNoticesNoticeType",
    "GovNoticesReachType",
    "notice_types",
]


@strawberry.enum(name="GovNoticesCategory")
class Category(enum.Enum):
    POLICY = "policy"
    EMERGENCY = "emergency"
    SERVICE = "service"
    EVENT = "event"


@strawberry.enum(name="GovNoticesState")
class State(enum.Enum):
    SCHEDULED = "SCHEDULED"
    LIVE = "LIVE"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"


@strawberry.type(name="GovNoticesCommunity")
class GovNoticesCommunityType:
    id: strawberry.ID
    name: str


@strawberry.type(name="GovNoticesNotice", description="A notice of a government office.")
class GovNoticesNoticeType:
    id: strawberry.ID
    office_name: str
    title: str
    body: str
    category: Category
    pinned: bool = strawberry.field(description="Emergencies are pinned above other notices.")
    whole_alliance: bool
    communities: list[GovNoticesCommunityType] = strawberry.field(
        description="The communities addressed (empty for the whole alliance)."
    )
    attachments: list[str]
    publish_at: dt.datetime
    expire_at: dt.datetime | None
    state: State
    acknowledged: bool | None = strawberry.field(
        description="Residents' feed: whether the viewer's household read it; else null."
    )
    forwarded: bool | None = strawberry.field(
        description="Forwarders' list: whether the member marked it forwarded; else null."
    )
    forward_communities: list[GovNoticesCommunityType] = strawberry.field(
        description="Forwarders' list: the communities the member serves that it addresses."
    )


@strawberry.input(name="GovNoticesInput")
class GovNoticesInput:
    title: str
    body: str
    category: Category
    whole_alliance: bool = False
    community_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    publish_at: dt.datetime | None = strawberry.field(
        default=None, description="When residents start seeing it (default: now)."
    )
    expire_at: dt.datetime | None = strawberry.field(
        default=None,
        description="When it disappears (default: publishAt + the office's defaultExpiryDays).",
    )
    attachments: list[str] = strawberry.field(
        default_factory=list, description="http(s) URLs, at most 10."
    )


@strawberry.type(
    name="GovNoticesCommunityReach",
    description='Counts for one community; counts of residents below 5 read "< 5".',
)
class GovNoticesCommunityReachType:
    community: GovNoticesCommunityType
    residents_targeted: str = strawberry.field(description='Households registered ("< 5").')
    acknowledgements: str = strawberry.field(description='Households that read it ("< 5").')
    leaders_and_stores_serving: int
    forwarded_by: int = strawberry.field(
        description="Leaders and stores serving it that marked the notice forwarded."
    )


@strawberry.type(name="GovNoticesReach")
class GovNoticesReachType:
    notice: GovNoticesNoticeType
    communities: list[GovNoticesCommunityReachType]


@strawberry.type(
    name="GovNoticesContact",
    description="A resident released to the office by their leader's consent grant.",
)
class GovNoticesContactType:
    id: strawberry.ID
    community: GovNoticesCommunityType
    display_name: str
    household: str
    phone: str | None
    acknowledged: bool


@strawberry.type(name="GovNoticesEmergency", description="An emergency notice, as it is pushed.")
class GovNoticesEmergencyType:
    notice_id: strawberry.ID
    office_name: str
    title: str
    category: Category
    published_at: dt.datetime
    community_ids: list[strawberry.ID] | None = strawberry.field(
        description="The communities addressed; null for the whole alliance."
    )

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> GovNoticesEmergencyType:
        communities = payload.get("communities")
        return cls(
            notice_id=strawberry.ID(str(payload["notice"])),
            office_name=str(payload["office"]),
            title=str(payload["title"]),
            category=Category(payload["category"]),
            published_at=dt.datetime.fromisoformat(str(payload["publishedAt"])),
            community_ids=None
            if communities is None
            else [encode_id("Community", int(c)) for c in communities],
        )


def _community(names: dict[int, str], pk: int) -> GovNoticesCommunityType:
    return GovNoticesCommunityType(id=encode_id("Community", pk), name=names.get(pk, ""))


async def _names(ids: Iterable[int]) -> dict[int, str]:
    return await kernel_data.community_names(set(ids))


async def notice_types(notices: Sequence[Notice], now: dt.datetime) -> list[GovNoticesNoticeType]:
    names = await _names(c for n in notices for c in (*n.community_ids, *n.forward_community_ids))
    return [
        GovNoticesNoticeType(
            id=encode_id("GovNoticesNotice", n.id),
            office_name=n.office_name,
            title=n.title,
            body=n.body,
            category=Category(n.category),
            pinned=n.category == EMERGENCY,
            whole_alliance=n.whole_alliance,
            communities=[_community(names, c) for c in n.community_ids],
            attachments=n.attachments,
            publish_at=n.publish_at,
            expire_at=n.expire_at,
            state=State(n.state(now)),
            acknowledged=n.acknowledged,
            forwarded=n.forwarded,
            forward_communities=[_community(names, c) for c in n.forward_community_ids],
        )
        for n in notices
    ]


async def reach_type(
    notice: Notice, rows: Sequence[CommunityReach], now: dt.datetime
) -> GovNoticesReachType:
    (notice_type,) = await notice_types([notice], now)
    return GovNoticesReachType(
        notice=notice_type,
        communities=[
            GovNoticesCommunityReachType(
                community=GovNoticesCommunityType(
                    id=encode_id("Community", r.community_id), name=r.name
                ),
                residents_targeted=r.residents_targeted,
                acknowledgements=r.acknowledgements,
                leaders_and_stores_serving=r.leaders_and_stores_serving,
                forwarded_by=r.forwarded_by,
            )
            for r in rows
        ],
    )


def contact_type(contact: Contact) -> GovNoticesContactType:
    return GovNoticesContactType(
        id=encode_id("Resident", contact.id),
        community=GovNoticesCommunityType(
            id=encode_id("Community", contact.community_id), name=contact.community_name
        ),
        display_name=contact.display_name,
        household=contact.household,
        phone=contact.phone,
        acknowledged=contact.acknowledged,
    )


TYPES: tuple[type, ...] = (
    GovNoticesNoticeType,
    GovNoticesReachType,
    GovNoticesCommunityReachType,
    GovNoticesContactType,
    GovNoticesEmergencyType,
)
