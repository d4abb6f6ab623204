"""GraphQL fields of kernel.plugins."""

from __future__ import annotations

from kernel.gateway.compose import SchemaPart

PART = SchemaPart("kernel.plugins")
