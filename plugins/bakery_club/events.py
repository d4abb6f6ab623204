"""The events the club publishes, in the bakery's stream, inside the write transaction."""

from __future__ import annotations

from typing import ClassVar

from alliance_sdk import Event

__all__ = [
    "ALL_EVENTS",
    "BakeryClubAmbassadorPromoted",
    "BakeryClubCheckedIn",
    "BakeryClubMemberJoined",
    "BakeryClubMemberLeft",
    "BakeryClubPostModerated",
    "BakeryClubReferralRecorded",
    "BakeryClubRegistrationChanged",
    "BakeryClubRewardRedeemed",
    "BakeryClubSampleAllocated",
]


class BakeryClubMemberJoined(Event):
    type: ClassVar[str] = "bakery_club.member_joined"
    user_id: int
    tier_id: int | None


class BakeryClubMemberLeft(Event):
    type: ClassVar[str] = "bakery_club.member_left"
    user_id: int


class BakeryClubAmbassadorPromoted(Event):
    type: ClassVar[str] = "bakery_club.ambassador_promoted"
    user_id: int
    code: str


class BakeryClubRegistrationChanged(Event):
    """``status``: registered, waitlisted, promoted (waitlist to seat) or cancelled."""

    type: ClassVar[str] = "bakery_club.registration_changed"
    club_event_id: int
    user_id: int
    status: str


class BakeryClubCheckedIn(Event):
    type: ClassVar[str] = "bakery_club.checked_in"
    club_event_id: int
    user_id: int


class BakeryClubSampleAllocated(Event):
    type: ClassVar[str] = "bakery_club.sample_allocated"
    batch_id: int
    user_id: int


class BakeryClubPostModerated(Event):
    type: ClassVar[str] = "bakery_club.post_moderated"
    post_id: int
    author_user_id: int
    approved: bool
    points: int


class BakeryClubRewardRedeemed(Event):
    type: ClassVar[str] = "bakery_club.reward_redeemed"
    reward_id: int
    user_id: int
    points: int


class BakeryClubReferralRecorded(Event):
    """An order with an ambassador's code was placed (``placed``) or picked up (``converted``)."""

    type: ClassVar[str] = "bakery_club.referral_recorded"
    ambassador_user_id: int
    order_ref: str
    status: str


ALL_EVENTS: tuple[type[Event], ...] = (
    BakeryClubMemberJoined,
    BakeryClubMemberLeft,
    BakeryClubAmbassadorPromoted,
    BakeryClubRegistrationChanged,
    BakeryClubCheckedIn,
    BakeryClubSampleAllocated,
    BakeryClubPostModerated,
    BakeryClubRewardRedeemed,
    BakeryClubReferralRecorded,
)
