"""The committed ``schema.graphql``: the API as clients see it, diffed in review.

``python -m kernel.gateway.snapshot`` rewrites it; a test fails when it is stale, so a change
to the API cannot land unnoticed.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["SNAPSHOT", "render_schema"]

SNAPSHOT = Path(__file__).resolve().parents[2] / "schema.graphql"


def render_schema() -> str:
    from kernel.gateway.app import build_schemas

    return build_schemas(production=True).privileged.as_str().rstrip() + "\n"


def main() -> int:
    SNAPSHOT.write_text(render_schema())
    print(f"wrote {SNAPSHOT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
