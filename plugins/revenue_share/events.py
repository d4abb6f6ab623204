"""Events the plugin publishes, in the paying member's stream (declared by ``register_events``)."""

from __future__ import annotations

from typing import ClassVar

from alliance_sdk import Event

__all__ = [
    "EVENTS",
    "CommissionAccrued",
    "CommissionReversed",
    "CommissionsReleased",
    "PayoutRecorded",
    "PeriodSettled",
]


class CommissionAccrued(Event):
    """A picked-up order earned ``amount_fen`` for a leader or ambassador (frozen until
    ``release_at``)."""

    type: ClassVar[str] = "revenue_share.commission_accrued"
    order_ref: str
    party_kind: str
    party_id: int
    amount_fen: int
    attribution_reason: str


class CommissionReversed(Event):
    """A refund took back ``amount_fen`` of an order's commission."""

    type: ClassVar[str] = "revenue_share.commission_reversed"
    order_ref: str
    party_kind: str
    party_id: int
    amount_fen: int
    refunded_total_fen: int


class CommissionsReleased(Event):
    """The freeze ended for ``entries`` accruals of the payer: ``amount_fen`` became available."""

    type: ClassVar[str] = "revenue_share.commissions_released"
    entries: int
    amount_fen: int


class PeriodSettled(Event):
    """The payer settled ``period``: statements for ``parties`` leaders and ambassadors."""

    type: ClassVar[str] = "revenue_share.period_settled"
    period: str
    parties: int
    accrued_fen: int
    available_fen: int


class PayoutRecorded(Event):
    """The payer recorded a payout of ``amount_fen`` to a leader or ambassador."""

    type: ClassVar[str] = "revenue_share.payout_recorded"
    payout_id: int
    party_kind: str
    party_id: int
    amount_fen: int
    period: str | None


EVENTS: tuple[type[Event], ...] = (
    CommissionAccrued,
    CommissionReversed,
    CommissionsReleased,
    PeriodSettled,
    PayoutRecorded,
)
