"""Member-scoped data: the one way to query a member's rows, which cannot forget the filter.

A table that holds one member's data subclasses :class:`MemberScopedTable` (it gets a
``member`` column). Its plain ``select``/``objects``/``update``/``delete``/``count``/``exists``
refuse to run; queries go through :func:`scoped`, which adds ``member == id`` to every one::

    rows = await scoped(ApiKey, member_id).select(ApiKey.id, ApiKey.name)
    await scoped(ApiKey, member_id).update({ApiKey.revoked_at: now}).where(ApiKey.id == key_id)

The escape hatch for the kernel's own cross-member work (migrations, audits, admin tools)
is :func:`unscoped`, which is greppable on purpose.
"""

from __future__ import annotations

import sys
from typing import Any, Generic, TypeVar

from piccolo.columns import ForeignKey, Integer, LazyTableReference, OnDelete
from piccolo.table import Table

__all__ = ["MemberScopedTable", "ScopeError", "member_column", "scoped", "unscoped"]

T = TypeVar("T", bound="MemberScopedTable")


class ScopeError(RuntimeError):
    """A member-scoped table was queried without naming the member."""


def _refuse(name: str) -> Any:
    unscoped_method = getattr(Table, name).__func__

    def refuse(cls: type[MemberScopedTable], *args: Any, **kwargs: Any) -> Any:
        # piccolo builds some queries from others (count() runs a select() carrying the
        # outer query's filter): calls from inside piccolo pass, calls from our code do not.
        if sys._getframe(1).f_globals.get("__name__", "").startswith("piccolo."):
            return unscoped_method(cls, *args, **kwargs)
        raise ScopeError(
            f"{cls.__name__}.{name}() on member-scoped data: use "
            f"scoped({cls.__name__}, member_id).{name}(...)"
        )

    return classmethod(refuse)


def member_column() -> ForeignKey[Any]:
    """The ``member`` column of a member-scoped table: required, indexed, and removed with
    the member."""
    return ForeignKey(
        LazyTableReference("Member", module_path="kernel.tenancy.tables"),
        on_delete=OnDelete.cascade,
        index=True,
        null=False,
    )


class MemberScopedTable(Table):
    """Base for tables of member data. Subclasses add a ``member`` column (FK or Integer)."""

    member: ForeignKey[Any] | Integer

    select = _refuse("select")
    objects = _refuse("objects")
    update = _refuse("update")
    delete = _refuse("delete")
    count = _refuse("count")
    exists = _refuse("exists")


class _Scope(Generic[T]):
    __slots__ = ("member_id", "table")

    def __init__(self, table: type[T], member_id: int) -> None:
        if not isinstance(member_id, int) or isinstance(member_id, bool):
            raise ScopeError(f"member id must be an int, got {member_id!r}")
        self.table = table
        self.member_id = member_id

    def _where(self) -> Any:
        return self.table.member == self.member_id

    def select(self, *columns: Any) -> Any:
        return Table.select.__func__(self.table, *columns).where(self._where())  # type: ignore[attr-defined]

    def objects(self) -> Any:
        return Table.objects.__func__(self.table).where(self._where())  # type: ignore[attr-defined]

    def update(self, values: Any = None, **kwargs: Any) -> Any:
        query = Table.update.__func__(self.table, values, **kwargs)  # type: ignore[attr-defined]
        return query.where(self._where())

    def delete(self) -> Any:
        return Table.delete.__func__(self.table).where(self._where())  # type: ignore[attr-defined]

    def count(self) -> Any:
        return Table.count.__func__(self.table).where(self._where())  # type: ignore[attr-defined]

    def exists(self) -> Any:
        return Table.exists.__func__(self.table).where(self._where())  # type: ignore[attr-defined]

    def insert(self, *rows: T) -> Any:
        for row in rows:
            value = row.member
            value = getattr(value, "id", value)
            if value != self.member_id:
                raise ScopeError(f"row belongs to member {value}, scope is {self.member_id}")
        return self.table.insert(*rows)


def scoped(table: type[T], member_id: int) -> _Scope[T]:
    """Queries on ``table`` restricted to ``member_id``'s rows."""
    return _Scope(table, member_id)


class _Unscoped:
    __slots__ = ("table",)

    def __init__(self, table: type[Table]) -> None:
        self.table = table

    def __getattr__(self, name: str) -> Any:
        method = getattr(Table, name)
        return lambda *args, **kwargs: method.__func__(self.table, *args, **kwargs)


def unscoped(table: type[Table]) -> Any:
    """Every member's rows of ``table``: for kernel-internal cross-member work only."""
    return _Unscoped(table)
