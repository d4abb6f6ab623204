"""Settlement periods: ``2026-11`` (a calendar month) or ``2026-W47`` (an ISO week), in
China Standard Time (UTC+8, no daylight saving), as instants in UTC."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from alliance_sdk import BadUserInput

__all__ = ["LOCAL", "Period", "parse_period", "period_of"]

LOCAL: Final = dt.timezone(dt.timedelta(hours=8), "CST")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    """``[starts_at, ends_at)`` in UTC; ``key`` names it, ``kind`` is weekly or monthly."""

    key: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    def previous(self) -> Period:
        return period_of(self.kind, self.starts_at - dt.timedelta(seconds=1))


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), LOCAL).astimezone(dt.UTC)


def parse_period(key: str, field: str = "period") -> Period:
    """The period named ``key``; a malformed one is ``BAD_USER_INPUT`` on ``field``."""
    month = _MONTH.match(key)
    week = _WEEK.match(key)
    try:
        if month:
            year, number = int(month[1]), int(month[2])
            first = dt.date(year, number, 1)
            following = dt.date(year + number // 12, number % 12 + 1, 1)
            return Period(key, "monthly", _utc(first), _utc(following))
        if week:
            monday = dt.date.fromisocalendar(int(week[1]), int(week[2]), 1)
            return Period(key, "weekly", _utc(monday), _utc(monday + dt.timedelta(days=7)))
    except ValueError:
        pass
    raise BadUserInput(
        "bad period", field_errors={field: "a month 2026-11 or an ISO week 2026-W47"}
    )


def period_of(kind: str, instant: dt.datetime) -> Period:
    """The ``kind`` (weekly/monthly) period containing ``instant``."""
    local = instant.astimezone(LOCAL).date()
    if kind == "weekly":
        year, week, _ = local.isocalendar()
        return parse_period(f"{year}-W{week:02d}")
    return parse_period(f"{local.year}-{local.month:02d}")
