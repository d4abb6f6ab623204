"""Values remembered by the identity of objects that are costly to hash or compare (parsed
documents, their field nodes), which the parse cache hands out again for every request of
one query.

An ``id()`` is unique only while its object lives: each entry keeps its objects alive, so
no other object can take their ids while the entry exists. Bounded: emptied when it
reaches ``limit`` entries (documents come and go).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Generic, TypeVar

__all__ = ["ByIdentity"]

V = TypeVar("V")


class ByIdentity(Generic[V]):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[tuple[Hashable, ...], tuple[Sequence[Any], V]] = {}

    def get(self, objects: Sequence[Any], extra: Hashable = None) -> V:
        """The value remembered for these objects (and ``extra``, compared by value); raises
        ``KeyError`` when there is none (a value may be None)."""
        return self._entries[(extra, *map(id, objects))][1]

    def put(self, objects: Sequence[Any], value: V, extra: Hashable = None) -> None:
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[(extra, *map(id, objects))] = (tuple(objects), value)
