"""Permission decisions (filled in by the permissions work)."""

from __future__ import annotations

from typing import Any

__all__ = ["Authorizer"]


class Authorizer:
    def __init__(self, db: Any) -> None:
        self.db = db
