"""GraphQL fields of kernel.identity."""

from __future__ import annotations

from kernel.gateway.compose import SchemaPart

PART = SchemaPart("kernel.identity")
