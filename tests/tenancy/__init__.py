"""Tests of kernel.tenancy: services through GraphQL, on both engines."""

from __future__ import annotations

from kernel.gateway.ids import encode_id

__all__ = ["gid"]


def gid(type_name: str, pk: int) -> str:
    """The global ID of row ``pk`` of ``type_name``."""
    return str(encode_id(type_name, pk))
