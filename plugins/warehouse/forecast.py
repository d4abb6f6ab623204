"""Holt-Winters additive smoothing with weekly seasonality (period 7), in plain Python.

level_t  = a (y_t - s_{t-m}) + (1 - a)(level_{t-1} + trend_{t-1})
trend_t  = b (level_t - level_{t-1}) + (1 - b) trend_{t-1}
season_t = g (y_t - level_t) + (1 - g) s_{t-m}
forecast_{t+h} = level_t + h trend_t + s_{t+h-m(k+1)}

With fewer than two full weeks of history there is nothing to learn a season from: simple
exponential smoothing (the level only) answers instead.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["SEASON", "holt_winters"]

SEASON = 7


def holt_winters(
    series: Sequence[float],
    horizon: int,
    *,
    alpha: float = 0.3,
    beta: float = 0.05,
    gamma: float = 0.3,
    season: int = SEASON,
) -> list[float]:
    """Forecasts for the ``horizon`` days after ``series`` (oldest first), never negative."""
    if horizon <= 0:
        return []
    if not series:
        return [0.0] * horizon
    if len(series) < 2 * season:
        level = float(series[0])
        for y in series[1:]:
            level = alpha * y + (1 - alpha) * level
        return [max(0.0, level)] * horizon
    first = sum(series[:season]) / season
    second = sum(series[season : 2 * season]) / season
    level, trend = first, (second - first) / season
    seasonal = [series[i] - first for i in range(season)]
    for t in range(season, len(series)):
        y = series[t]
        previous = level
        s = seasonal[t % season]
        level = alpha * (y - s) + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
        seasonal[t % season] = gamma * (y - level) + (1 - gamma) * s
    n = len(series)
    return [
        max(0.0, level + h * trend + seasonal[(n + h - 1) % season]) for h in range(1, horizon + 1)
    ]
