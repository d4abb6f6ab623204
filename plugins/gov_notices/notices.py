"""The office's side: publishing, withdrawing and listing notices, and the shape of a notice
every other module reads (:class:`Notice`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from alliance_sdk import BadUserInput, Forbidden, NotFound, publish, scoped
from plugins.gov_notices import kernel_data
from plugins.gov_notices.events import NoticePublished, NoticeWithdrawn
from plugins.gov_notices.manifest import OFFICE_KIND, SLUG, GovNoticesConfig
from plugins.gov_notices.tables import GovNoticesNotice, GovNoticesTarget

__all__ = [
    "CATEGORIES",
    "EMERGENCY",
    "Notice",
    "NoticeDraft",
    "live_where",
    "load_notice",
    "notice_office",
    "office_notices",
    "publish_notice",
    "to_notices",
    "withdraw_notice",
]

EMERGENCY: Final = "emergency"
CATEGORIES: Final = ("policy", EMERGENCY, "service", "event")
MAX_TARGETS: Final = 200  # keeps the emergency push under the broadcast size limit
MAX_ATTACHMENTS: Final = 10
MAX_BODY: Final = 10_000

N = GovNoticesNotice
T = GovNoticesTarget


@dataclass
class Notice:
    """A notice as every reader sees it (residents, forwarders, the office)."""

    id: int
    office_id: int
    alliance_id: int
    title: str
    body: str
    category: str
    whole_alliance: bool
    attachments: list[str]
    publish_at: dt.datetime
    expire_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    created_at: dt.datetime
    community_ids: list[int] = field(default_factory=list)
    office_name: str = ""
    # Per reader: a resident's acknowledgement, a forwarder's mark and communities.
    acknowledged: bool | None = None
    forwarded: bool | None = None
    forward_community_ids: list[int] = field(default_factory=list)

    def state(self, now: dt.datetime) -> str:
        if self.withdrawn_at is not None:
            return "WITHDRAWN"
        if self.publish_at > now:
            return "SCHEDULED"
        if self.expire_at is not None and self.expire_at <= now:
            return "EXPIRED"
        return "LIVE"

    def sort_key(self) -> tuple[int, float, int]:
        """Emergencies pinned first, then newest first."""
        return (0 if self.category == EMERGENCY else 1, -self.publish_at.timestamp(), -self.id)


@dataclass(frozen=True)
class NoticeDraft:
    title: str
    body: str
    category: str
    whole_alliance: bool = False
    community_ids: Sequence[int] = ()
    publish_at: dt.datetime | None = None
    expire_at: dt.datetime | None = None
    attachments: Sequence[str] = ()


def utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC (a naive time is taken as UTC), so SQLite's text order is time order."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def live_where(now: dt.datetime) -> Any:
    """Notices residents see at ``now``: published, not expired, not withdrawn."""
    return (
        N.withdrawn_at.is_null()
        & (N.publish_at <= now)
        & (N.expire_at.is_null() | (N.expire_at > now))
    )


def _from_row(row: dict[str, Any]) -> Notice:
    return Notice(
        id=int(row["id"]),
        office_id=int(row["member"]),
        alliance_id=int(row["alliance"]),
        title=str(row["title"]),
        body=str(row["body"]),
        category=str(row["category"]),
        whole_alliance=bool(row["whole_alliance"]),
        attachments=list(json.loads(row["attachments"] or "[]")),
        publish_at=utc(row["publish_at"]),
        expire_at=None if row["expire_at"] is None else utc(row["expire_at"]),
        withdrawn_at=None if row["withdrawn_at"] is None else utc(row["withdrawn_at"]),
        created_at=utc(row["created_at"]),
    )


async def to_notices(office_id: int, rows: Sequence[dict[str, Any]]) -> list[Notice]:
    """Notices of ``rows`` (the office's), with their target communities."""
    notices = [_from_row(row) for row in rows]
    if not notices:
        return []
    targets = (
        await scoped(T, office_id)
        .select(T.notice, T.community)
        .where(T.notice.is_in([n.id for n in notices]))
        .order_by(T.community)
    )
    by_notice: dict[int, list[int]] = {}
    for row in targets:
        by_notice.setdefault(int(row["notice"]), []).append(int(row["community"]))
    for notice in notices:
        notice.community_ids = by_notice.get(notice.id, [])
    return notices


async def load_notice(office_id: int, notice_id: int) -> Notice:
    """The office's notice ``notice_id``; NOT_FOUND when it is not the office's."""
    rows = await scoped(N, office_id).select().where(N.id == notice_id)
    if not rows:
        raise NotFound("Notice not found")
    return (await to_notices(office_id, rows))[0]


async def notice_office(notice_id: int) -> int:
    """The office that owns notice ``notice_id`` (NOT_FOUND if none): an ID names a notice,
    its row names the office; every read after this one is scoped to that office."""
    rows = await N.raw("SELECT member FROM gov_notices_notice WHERE id = {}", int(notice_id))
    if not rows:
        raise NotFound("Notice not found")
    return int(rows[0]["member"])


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return len(url) <= 500 and parts.scheme in ("http", "https") and bool(parts.netloc)


async def _check(
    office: kernel_data.MemberInfo, draft: NoticeDraft, now: dt.datetime, config: GovNoticesConfig
) -> tuple[list[int], dt.datetime, dt.datetime]:
    errors: dict[str, str] = {}
    if not 1 <= len(draft.title.strip()) <= 200:
        errors["title"] = "1 to 200 characters"
    if not 1 <= len(draft.body.strip()) <= MAX_BODY:
        errors["body"] = f"1 to {MAX_BODY} characters"
    if draft.category not in CATEGORIES:
        errors["category"] = f"one of {', '.join(CATEGORIES)}"
    wanted = sorted(set(draft.community_ids))
    if draft.whole_alliance and wanted:
        errors["communityIds"] = "give communities or the whole alliance, not both"
    elif not draft.whole_alliance and not wanted:
        errors["communityIds"] = "choose at least one community, or the whole alliance"
    elif len(wanted) > MAX_TARGETS:
        errors["communityIds"] = f"at most {MAX_TARGETS} communities (or the whole alliance)"
    elif wanted:
        known = await kernel_data.alliance_communities(office.alliance_id, wanted)
        if len(known) != len(wanted):
            # Missing and other alliances' communities read alike.
            errors["communityIds"] = "unknown community"
    publish_at = utc(draft.publish_at) if draft.publish_at is not None else now
    expire_at = (
        utc(draft.expire_at)
        if draft.expire_at is not None
        else publish_at + dt.timedelta(days=config.default_expiry_days)
    )
    if expire_at <= publish_at:
        errors["expireAt"] = "must be after publishAt"
    elif expire_at <= now:
        errors["expireAt"] = "must be in the future"
    if len(draft.attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = f"at most {MAX_ATTACHMENTS}"
    elif not all(_valid_url(url) for url in draft.attachments):
        errors["attachments"] = "http(s) URLs of at most 500 characters"
    if errors:
        raise BadUserInput("invalid notice", field_errors=errors)
    return wanted, publish_at, expire_at


async def office_config(office_id: int) -> GovNoticesConfig:
    return GovNoticesConfig.model_validate(await kernel_data.plugin_config(office_id, SLUG))


async def publish_notice(
    kernel: Any, *, office_id: int, user_id: int | None, draft: NoticeDraft
) -> Notice:
    """Store and announce a notice of ``office_id`` (a government office); one transaction."""
    office = await kernel_data.member_info(office_id)
    if office is None:
        raise NotFound("Member not found")
    if office.kind != OFFICE_KIND:
        raise Forbidden("only government offices publish notices")
    now = kernel.clock()
    community_ids, publish_at, expire_at = await _check(
        office, draft, now, await office_config(office_id)
    )
    row = N(
        member=office_id,
        alliance=office.alliance_id,
        title=draft.title.strip(),
        body=draft.body.strip(),
        category=draft.category,
        whole_alliance=draft.whole_alliance,
        attachments=json.dumps(list(draft.attachments)),
        publish_at=publish_at,
        expire_at=expire_at,
        created_by=user_id,
        created_at=now,
    )
    async with kernel.db.write():
        await scoped(N, office_id).insert(row)
        targets = [T(member=office_id, notice=row.id, community=c) for c in community_ids]
        if targets:
            await scoped(T, office_id).insert(*targets)
        await publish(
            kernel,
            NoticePublished(
                member_id=office_id,
                notice_id=row.id,
                category=draft.category,
                whole_alliance=draft.whole_alliance,
                community_ids=community_ids,
                publish_at=publish_at,
                expire_at=expire_at,
            ),
        )
    notice = await load_notice(office_id, row.id)
    notice.office_name = office.name
    return notice


async def withdraw_notice(kernel: Any, *, office_id: int, notice_id: int) -> Notice:
    """Withdraw the office's notice (idempotent: the first withdrawal's time stands)."""
    async with kernel.db.write():
        changed = (
            await scoped(N, office_id)
            .update({N.withdrawn_at: kernel.clock()})
            .where((N.id == notice_id) & N.withdrawn_at.is_null())
            .returning(N.id)
        )
        if changed:
            await publish(kernel, NoticeWithdrawn(member_id=office_id, notice_id=notice_id))
    return await load_notice(office_id, notice_id)


async def office_notices(office_id: int, *, after_id: int, limit: int) -> list[Notice]:
    """The office's notices in every state, by id."""
    rows = await scoped(N, office_id).select().where(N.id > after_id).order_by(N.id).limit(limit)
    return await to_notices(office_id, rows)
