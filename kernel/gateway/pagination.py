"""Cursor connections: every list in the API is one, with ``first`` capped at 100.

Keyset pagination on the primary key: the cursor is an opaque encoding of the last row's id,
so a page costs one indexed range query however deep the client pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from kernel.errors import BadUserInput
from kernel.gateway.ids import decode_id, encode_id

__all__ = ["MAX_PAGE", "Connection", "Edge", "PageInfo", "PageRequest", "page_request"]

MAX_PAGE = 100
DEFAULT_PAGE = 20
_CURSOR = "cursor"

N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What to fetch: ``limit`` rows (one more than asked, to know if there is a next page)
    with primary key greater than ``after_id``."""

    first: int
    after_id: int

    @property
    def limit(self) -> int:
        return self.first + 1

    def connection(self, rows: Sequence[Any], to_node: Callable[[Any], N]) -> Connection[N]:
        """Build the page from rows fetched in primary-key order with :attr:`limit`."""
        page = rows[: self.first]
        edges = [Edge(cursor=encode_id(_CURSOR, _pk(row)), node=to_node(row)) for row in page]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > self.first,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


def _pk(row: Any) -> int:
    return int(row["id"] if isinstance(row, dict) else row.id)


def page_request(first: int | None, after: str | None) -> PageRequest:
    """Validate ``first``/``after`` (BAD_USER_INPUT with field errors)."""
    size = DEFAULT_PAGE if first is None else first
    if not 0 <= size <= MAX_PAGE:
        raise BadUserInput(
            f"first must be between 0 and {MAX_PAGE}", field_errors={"first": f"max {MAX_PAGE}"}
        )
    after_id = 0
    if after is not None:
        try:
            after_id = decode_id(_CURSOR, after)
        except Exception:
            raise BadUserInput("invalid cursor", field_errors={"after": "invalid cursor"}) from None
    return PageRequest(first=size, after_id=after_id)
