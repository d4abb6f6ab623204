"""The committed schema.graphql matches the schema the code builds."""

from __future__ import annotations

import difflib

from kernel.gateway.snapshot import SNAPSHOT, render_schema


def test_schema_snapshot_is_current() -> None:
    current = render_schema()
    committed = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    if current != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                "schema.graphql (committed)",
                "schema (code)",
            )
        )
        raise AssertionError(
            "The GraphQL schema changed. Review the diff, then run "
            "`python -m kernel.gateway.snapshot` (or `make schema`) and commit schema.graphql:\n"
            + diff
        )
