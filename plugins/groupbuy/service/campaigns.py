"""Campaigns: SKUs at a campaign price (with optional tiers), a deadline, a minimum group per
community; and the progress of each community's group."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from alliance_sdk import BadUserInput, placeholders, run_sql, scoped
from plugins.groupbuy.service.common import catalog_changed
from plugins.groupbuy.tables import GroupbuyCampaign, GroupbuyCampaignItem, GroupbuySku

__all__ = [
    "NewCampaign",
    "NewItem",
    "Progress",
    "create_campaign",
    "progress_of",
    "progress_topic",
]


@dataclass
class NewItem:
    sku_code: str
    price_fen: int
    tiers: list[dict[str, int]] = field(default_factory=list)  # min_joined, price_fen


@dataclass
class NewCampaign:
    title: str
    starts_at: dt.datetime
    deadline: dt.datetime
    delivery_date: dt.date
    items: list[NewItem]
    min_group_size: int = 1
    per_resident_limit: int = 0
    invite_size: int = 0
    invite_discount_bps: int = 0
    livestream_url: str = ""


@dataclass(frozen=True)
class Progress:
    """A community's group: ``joined`` of ``needed`` ("25 joined, 5 to go")."""

    campaign_id: int
    community_id: int
    joined: int
    needed: int
    state: str

    @property
    def formed(self) -> bool:
        return self.state == "formed" or self.joined >= self.needed

    def payload(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign_id,
            "community": self.community_id,
            "joined": self.joined,
            "needed": self.needed,
            "state": self.state,
        }


def _check(new: NewCampaign) -> None:
    errors: dict[str, str] = {}
    if not new.title.strip():
        errors["title"] = "required"
    if new.deadline <= new.starts_at:
        errors["deadline"] = "after the start"
    if new.delivery_date < new.deadline.date():
        errors["deliveryDate"] = "on or after the deadline's day"
    if new.min_group_size < 1:
        errors["minGroupSize"] = "1 or more"
    if new.per_resident_limit < 0:
        errors["perResidentLimit"] = "0 (no limit) or more"
    if new.invite_size < 0 or not 0 <= new.invite_discount_bps <= 10_000:
        errors["inviteDiscountBps"] = "0 to 10000 basis points"
    if not new.items:
        errors["items"] = "at least one SKU"
    for i, item in enumerate(new.items):
        if item.price_fen <= 0:
            errors[f"items.{i}.priceFen"] = "a positive amount in fen"
        for tier in item.tiers:
            if tier.get("min_joined", 0) < 1 or tier.get("price_fen", 0) <= 0:
                errors[f"items.{i}.tiers"] = "minJoined >= 1 and a positive priceFen"
    if len({item.sku_code for item in new.items}) != len(new.items):
        errors["items"] = "each SKU once"
    if errors:
        raise BadUserInput("the campaign is not valid", field_errors=errors)


async def create_campaign(kernel: Any, member_id: int, new: NewCampaign) -> int:
    _check(new)
    now = kernel.clock()
    async with kernel.db.write():
        await catalog_changed(kernel, member_id)
        codes = [item.sku_code for item in new.items]
        skus = {
            row["code"]: row["id"]
            for row in await scoped(GroupbuySku, member_id)
            .select(GroupbuySku.id, GroupbuySku.code)
            .where(GroupbuySku.code.is_in(codes))
        }
        unknown = sorted(set(codes) - set(skus))
        if unknown:
            raise BadUserInput(
                "unknown SKU", field_errors={"items": f"not in the catalog: {', '.join(unknown)}"}
            )
        campaign = GroupbuyCampaign(
            member=member_id,
            title=new.title.strip(),
            livestream_url=new.livestream_url,
            starts_at=new.starts_at,
            deadline=new.deadline,
            delivery_date=new.delivery_date,
            min_group_size=new.min_group_size,
            per_resident_limit=new.per_resident_limit,
            invite_size=new.invite_size,
            invite_discount_bps=new.invite_discount_bps,
            state="open" if new.starts_at <= now else "scheduled",
            created_at=now,
        )
        await scoped(GroupbuyCampaign, member_id).insert(campaign)
        await scoped(GroupbuyCampaignItem, member_id).insert(
            *[
                GroupbuyCampaignItem(
                    member=member_id,
                    campaign=campaign.id,
                    sku=skus[item.sku_code],
                    price_fen=item.price_fen,
                    tiers=sorted(item.tiers, key=lambda t: t["min_joined"]),
                )
                for item in new.items
            ]
        )
    return int(campaign.id)


async def progress_of(
    kernel: Any, campaign_id: int, community_ids: list[int]
) -> dict[int, Progress]:
    """Each community's group (a community nobody joined yet: 0 of the minimum)."""
    ids = sorted(set(community_ids))
    campaign = await run_sql(
        kernel.db, "SELECT min_group_size FROM groupbuy_campaign WHERE id = {}", campaign_id
    )
    needed = int(campaign[0]["min_group_size"]) if campaign else 1
    found = {c: Progress(campaign_id, c, 0, needed, "forming") for c in ids}
    if ids:
        rows = await run_sql(
            kernel.db,
            f"{_GROUPS} WHERE campaign = {{}} AND community IN ({placeholders(ids)})",
            campaign_id,
            *ids,
        )
        found.update((int(row["community"]), _progress(row)) for row in rows)
    return found


_GROUPS = "SELECT campaign, community, joined, needed, state FROM groupbuy_community_group"


def _progress(row: dict[str, Any]) -> Progress:
    return Progress(
        int(row["campaign"]),
        int(row["community"]),
        int(row["joined"]),
        int(row["needed"]),
        row["state"],
    )


def progress_topic(campaign_id: int, community_id: int) -> str:
    return f"groupbuy:campaign:{campaign_id}:community:{community_id}"
