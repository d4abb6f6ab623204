"""Money arithmetic in integer fen: rates in basis points, one explicit rounding mode, and
largest-remainder splits whose parts always add up to the whole. No floats anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from fractions import Fraction
from typing import Final

__all__ = ["BP", "ROUNDING", "apply_rate", "round_fraction", "split", "to_yuan"]

BP: Final = 10_000  # basis points in a whole
ROUNDING: Final = {
    "half_even": ROUND_HALF_EVEN,
    "half_up": ROUND_HALF_UP,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}


def round_fraction(value: Fraction, mode: str) -> int:
    """``value`` rounded to an integer with the named mode: ``half_even``, ``half_up``
    (ties away from zero), ``down`` (towards zero) or ``up`` (away from zero), as Python's
    decimal module defines them. Exact: decided on the fraction, never a binary float."""
    if mode not in ROUNDING:
        raise ValueError(f"unknown rounding mode {mode!r}")
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    remainder = Fraction(rest, magnitude.denominator)
    if remainder == 0:
        return sign * whole
    if mode == "down":
        up = False
    elif mode == "up":
        up = True
    elif remainder != Fraction(1, 2):
        up = remainder > Fraction(1, 2)
    elif mode == "half_up":
        up = True
    else:  # half_even
        up = whole % 2 == 1
    return sign * (whole + int(up))


def apply_rate(amount_fen: int, rate_bp: int, mode: str) -> int:
    """``amount_fen`` x ``rate_bp`` / 10,000, rounded with ``mode``."""
    return round_fraction(Fraction(amount_fen * rate_bp, BP), mode)


def split(total: int, weights: Sequence[int | Decimal | Fraction]) -> list[int]:
    """``total`` (fen, >= 0) shared in proportion to ``weights`` (>= 0, not all zero) by the
    largest-remainder method: every part is the exact share rounded down or up, and the parts
    add up to ``total``. Ties go to the earlier part, so the result is deterministic."""
    if total < 0:
        raise ValueError("split a non-negative amount")
    shares = [Fraction(w) for w in weights]
    if not shares or any(s < 0 for s in shares) or sum(shares) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    whole = sum(shares)
    exact = [total * s / whole for s in shares]
    parts = [e.numerator // e.denominator for e in exact]
    left = total - sum(parts)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def to_yuan(fen: int) -> str:
    """``12345`` -> ``"123.45"`` (for exports; amounts stay integer fen everywhere else)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
