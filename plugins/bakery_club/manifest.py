"""What the plugin declares: actions with their default roles, configuration, piccolo app."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, Field

from alliance_sdk import Action, PluginManifest

__all__ = [
    "EVENTS_MANAGE",
    "MANAGE",
    "MODERATE",
    "READ",
    "SLUG",
    "BakeryClubConfig",
    "manifest",
]

SLUG: Final = "bakery_club"

MANAGE: Final = "bakery_club.club.manage"
READ: Final = "bakery_club.members.read"
EVENTS_MANAGE: Final = "bakery_club.events.manage"
MODERATE: Final = "bakery_club.posts.moderate"

_STAFF: Final = frozenset({"owner", "admin", "staff"})


class BakeryClubConfig(BaseModel):
    """What a bakery sets when it enables the club."""

    club_name: str = Field(default="Bakery club", min_length=1, max_length=200)
    points_per_post: int = Field(default=10, ge=0, le=10_000)
    # {code} is replaced by the ambassador's code; groupbuy reads it from ?ref=.
    referral_link_template: str = Field(
        default="https://alliance.example/shop?ref={code}", max_length=300, pattern=r"\{code\}"
    )


def manifest() -> PluginManifest:
    return PluginManifest(
        slug=SLUG,
        name="Bakery club",
        version="0.1.0",
        publisher="Alliance kernel",
        description=(
            "A bakery's fan club: tiers with a member discount, ambassadors with referral "
            "codes, tastings and workshops with seats and a waitlist, free samples, "
            "moderated photos and recipes, and a points ledger."
        ),
        requires_kernel=">=0.1,<0.2",
        actions={
            MANAGE: Action(
                description="Run the club: tiers, member tiers, ambassadors, rewards.",
                roles={"owner", "admin"},
            ),
            READ: Action(
                description="See the club's members, ambassadors, referrals and attendance.",
                roles=_STAFF,
            ),
            EVENTS_MANAGE: Action(
                description="Create tastings, workshops and sample batches; check people in.",
                roles=_STAFF,
            ),
            MODERATE: Action(description="Approve or reject members' posts.", roles=_STAFF),
        },
        config=BakeryClubConfig,
        piccolo_app="plugins.bakery_club.piccolo_app",
    )
