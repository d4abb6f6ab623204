"""The plugins part's table: which plugins each member has enabled, with its configuration.

Disabling keeps the row (and the configuration) with ``enabled`` false, and every table the
plugin owns keeps its rows: enabling again picks up where the member left off.
"""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Serial, Timestamptz, Varchar

from kernel.db.scoped import MemberScopedTable, member_column

__all__ = ["MemberPlugin"]


class MemberPlugin(MemberScopedTable, tablename="plugins_member_plugin"):
    """One plugin in one member's stack."""

    id = Serial(primary_key=True)
    member = member_column()
    slug = Varchar(length=40)
    enabled = Boolean(default=True)
    config = JSON(default={})
    # The plugin's version when the member last enabled or configured it.
    version = Varchar(length=40, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()

    unique_together = (("member", "slug"),)
