"""When to try a failed delivery again: exponential backoff with jitter, capped."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["Backoff"]


@dataclass(frozen=True)
class Backoff:
    """``base * 2**(attempt-1)`` seconds, at most ``cap``, times a random factor in
    ``[1 - jitter, 1]`` (consumers failing together do not retry together); after
    ``max_attempts`` attempts the delivery is dead."""

    base: float = 1.0
    cap: float = 300.0
    max_attempts: int = 8
    jitter: float = 0.25
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base or self.max_attempts < 1:
            raise ValueError("need 0 < base <= cap and max_attempts >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")

    def delay(self, attempt: int) -> float | None:
        """Seconds to wait after failed attempt number ``attempt`` (1-based); None: give up."""
        if attempt >= self.max_attempts:
            return None
        raw = min(self.cap, self.base * 2.0 ** min(attempt - 1, 62))
        return raw * (1 - self.jitter * self.rng.random())
