"""What the office learns about a notice's reach: aggregated counts per community, small
resident counts masked; residents' identities only under a consent grant, each read audited.

Who grants residents' contact data: the member that holds the relationship with the
household, i.e. the leader the resident follows (``Resident.leader`` in the kernel). A grant
``residents:contact`` / ``public-service`` from that leader to the office releases the
leader's followers in the notice's communities, and nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from piccolo.query.functions.aggregate import Count

from alliance_sdk import live_grants, record_read, scoped
from plugins.gov_notices import kernel_data
from plugins.gov_notices.manifest import CONTACT_PURPOSE, CONTACT_SCOPE, FORWARDER_KINDS
from plugins.gov_notices.notices import Notice, load_notice
from plugins.gov_notices.tables import GovNoticesAck, GovNoticesForward

__all__ = ["MIN_SHOWN", "CommunityReach", "Contact", "contacts", "masked", "reach"]

A, F = GovNoticesAck, GovNoticesForward
# Counts of residents below this are shown as "< 5": nobody can be singled out.
MIN_SHOWN: Final = 5


def masked(count: int) -> str:
    """``count`` as shown to the office: ``"< 5"`` below :data:`MIN_SHOWN`."""
    return f"< {MIN_SHOWN}" if count < MIN_SHOWN else str(count)


@dataclass(frozen=True)
class CommunityReach:
    community_id: int
    name: str
    residents_targeted: str  # masked
    acknowledgements: str  # masked
    leaders_and_stores_serving: int
    forwarded_by: int


@dataclass(frozen=True)
class Contact:
    id: int  # the kernel's resident row
    community_id: int
    community_name: str
    display_name: str
    household: str
    phone: str | None
    acknowledged: bool


async def _communities(notice: Notice) -> list[int]:
    if notice.whole_alliance:
        return await kernel_data.alliance_communities(notice.alliance_id)
    return list(notice.community_ids)


async def _per_community(table: Any, office_id: int, notice_id: int) -> dict[int, int]:
    rows = (
        await scoped(table, office_id)
        .select(table.community, Count(alias="n"))
        .where(table.notice == notice_id)
        .group_by(table.community)
    )
    return {int(row["community"]): int(row["n"]) for row in rows}


async def reach(office_id: int, notice_id: int) -> tuple[Notice, list[CommunityReach]]:
    """Per targeted community: households targeted and acknowledgements (masked), leaders
    and stores serving it and how many of them forwarded the notice (businesses of the
    alliance, not residents: exact)."""
    notice = await load_notice(office_id, notice_id)
    communities = await _communities(notice)
    names = await kernel_data.community_names(communities)
    households = await kernel_data.resident_counts(communities)
    serving = await kernel_data.serving_counts(communities, FORWARDER_KINDS)
    acks = await _per_community(A, office_id, notice_id)
    forwards = await _per_community(F, office_id, notice_id)
    return notice, [
        CommunityReach(
            community_id=c,
            name=names.get(c, ""),
            residents_targeted=masked(households.get(c, 0)),
            acknowledgements=masked(acks.get(c, 0)),
            leaders_and_stores_serving=serving.get(c, 0),
            forwarded_by=forwards.get(c, 0),
        )
        for c in communities
    ]


async def contacts(
    kernel: Any,
    *,
    actor: Any,
    office_id: int,
    notice_id: int,
    after_id: int,
    first: int,
    memo: dict[str, Any] | None = None,
) -> list[Contact]:
    """The residents of the notice's communities whose leader granted the office
    ``residents:contact`` for ``public-service``, by resident id; each one returned is
    recorded (``consent.read``, naming the grant) in one transaction. No grant: nobody.
    Returns up to ``first + 1`` contacts: the last one is the page's look-ahead (whether
    there is a next page), neither recorded nor meant to be shown."""
    notice = await load_notice(office_id, notice_id)
    grants = await live_grants(
        kernel,
        grantee_member_id=office_id,
        scope=CONTACT_SCOPE,
        purpose=CONTACT_PURPOSE,
        memo=memo,
    )
    if not grants:
        return []
    communities = await _communities(notice)
    rows = await kernel_data.residents_following(
        communities, set(grants), after_id=after_id, limit=first + 1
    )
    if not rows:
        return []
    names = await kernel_data.community_names({r.community_id for r in rows})
    acked = await (
        scoped(A, office_id)
        .select(A.resident, A.community)
        .where((A.notice == notice_id) & A.resident.is_in(sorted({r.user_id for r in rows})))
    )
    seen = {(int(a["resident"]), int(a["community"])) for a in acked}
    async with kernel.db.write():
        for row in rows[:first]:
            await record_read(
                kernel,
                actor=actor,
                grant_id=grants[row.leader_member_id],
                grantor_member_id=row.leader_member_id,
                grantee_member_id=office_id,
                scope=CONTACT_SCOPE,
                purpose=CONTACT_PURPOSE,
                subject=f"Resident:{row.id} (gov_notices notice {notice_id})",
            )
    return [
        Contact(
            id=row.id,
            community_id=row.community_id,
            community_name=names.get(row.community_id, ""),
            display_name=row.display_name,
            household=row.household,
            phone=row.phone,
            acknowledged=(row.user_id, row.community_id) in seen,
        )
        for row in rows
    ]
