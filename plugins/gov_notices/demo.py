"""The plugin's part of the demo: the Shuiguohu street office's notices (one emergency), the
plugin enabled for the office and for the leaders and stores serving its communities, one
notice forwarded and one acknowledged. Idempotent: notices are looked up by title."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from alliance_sdk import DemoContext, scoped
from plugins.gov_notices import readers
from plugins.gov_notices.manifest import FORWARDER_KINDS, SLUG
from plugins.gov_notices.notices import NoticeDraft, publish_notice
from plugins.gov_notices.tables import GovNoticesNotice

__all__ = ["OFFICE", "seed"]

OFFICE: Final = "shuiguohu-service-centre"
DAY: Final = dt.timedelta(days=1)


def _drafts(demo: DemoContext, now: dt.datetime) -> list[NoticeDraft]:
    c = demo.communities
    return [
        NoticeDraft(
            title="Water supply interruption tomorrow 09:00-15:00",
            body="Pipe repairs on Shuiguohu Road: tap water stops from 09:00 to 15:00. Please "
            "store water tonight. Elderly residents living alone can ask the service centre "
            "for delivered water: call 027-8765-4321.",
            category="emergency",
            community_ids=[c["Shuiguohu Garden"], c["Donghu Xincun"]],
            expire_at=now + 2 * DAY,
        ),
        NoticeDraft(
            title="Household waste sorting: new collection times from 1 December",
            body="Kitchen waste is collected 07:00-09:00 and 18:00-20:00 at each building's "
            "sorting station; recyclables on Saturdays. Volunteers will be at the stations "
            "during the first week.",
            category="policy",
            whole_alliance=True,
            expire_at=now + 30 * DAY,
            attachments=["https://example.org/shuiguohu/waste-sorting-guide.pdf"],
        ),
        NoticeDraft(
            title="Free blood pressure and blood sugar checks for residents over 60",
            body="Doctors from the community health station visit the Luojia Hill clubhouse "
            "every Tuesday morning this month. Bring your medical insurance card.",
            category="service",
            community_ids=[c["Luojia Hill Residences"]],
            expire_at=now + 21 * DAY,
        ),
        NoticeDraft(
            title="Neighbourhood cultural evening at Donghu Xincun square",
            body="Opera, square dancing and a children's drawing corner, Saturday 19:00.",
            category="event",
            community_ids=[c["Donghu Xincun"]],
            publish_at=now + DAY,
            expire_at=now + 5 * DAY,
        ),
    ]


async def seed(kernel: Any, demo: DemoContext) -> None:
    if OFFICE not in demo.members:
        return
    office = demo.members[OFFICE]
    await demo.enable(OFFICE, SLUG)
    mine = set(demo.served.get(OFFICE, []))
    forwarders = [
        slug
        for slug, kind in demo.member_kinds.items()
        if kind in FORWARDER_KINDS and mine & set(demo.served.get(slug, []))
    ]
    for slug in forwarders:
        await demo.enable(slug, SLUG)
    existing = {
        str(row["title"])
        for row in await scoped(GovNoticesNotice, office).select(GovNoticesNotice.title)
    }
    now = kernel.clock()
    published = []
    for draft in _drafts(demo, now):
        if draft.title in existing:
            continue
        published.append(
            await publish_notice(kernel, office_id=office, user_id=demo.owners[OFFICE], draft=draft)
        )
    demo.created("gov_notices notices", len(published))
    emergency = next((n for n in published if n.category == "emergency"), None)
    if emergency is None:
        return  # seeded before
    leader = "auntie-wang-group"
    if leader in forwarders:
        await readers.forward(
            kernel,
            member_id=demo.members[leader],
            user_id=demo.owners[leader],
            notice_id=emergency.id,
        )
        demo.created("gov_notices forwards")
    reader = next((r for r in demo.residents if r.community_id in emergency.community_ids), None)
    if reader is not None:
        await readers.acknowledge(kernel, user_id=reader.user_id, notice_id=emergency.id)
        demo.created("gov_notices acknowledgements")
