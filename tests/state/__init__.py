"""Tests of the kernel state version and the caches it keeps exact; helpers for the others."""

from __future__ import annotations

from typing import Any

import pytest

from kernel.runtime import Kernel


class QueryCounter:
    """Counts the statements ``kernel``'s engine runs (every piccolo query, raw or built)."""

    def __init__(self, kernel: Kernel, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.statements: list[str] = []
        # On the class: piccolo's PostgresEngine has __slots__.
        engine_class = type(kernel.db.engine)
        original = engine_class.run_querystring

        async def counting(engine: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            self.statements.append(str(querystring))
            return await original(engine, querystring, *args, **kwargs)

        monkeypatch.setattr(engine_class, "run_querystring", counting)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()
