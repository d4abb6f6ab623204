"""Opaque global IDs: ``base64("Member:42")``.

A client cannot tell one type's IDs from another's or guess at row counts from them, and a
resolver that decodes an ID of the wrong type answers NOT_FOUND, exactly as for a missing row.
"""

from __future__ import annotations

import base64
import binascii
import functools

import strawberry

from kernel.errors import NotFound

__all__ = ["decode_id", "encode_id"]


@functools.lru_cache(maxsize=8192)  # lists encode the same rows' IDs request after request
def encode_id(type_name: str, pk: int | str) -> strawberry.ID:
    """The opaque global ID of row ``pk`` of GraphQL type ``type_name``."""
    return strawberry.ID(
        base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
    )


def decode_id(type_name: str, value: str) -> int:
    """The primary key inside ``value``; NOT_FOUND unless it is an ID of ``type_name``."""
    try:
        padded = value + "=" * (-len(value) % 4)
        kind, _, pk = base64.urlsafe_b64decode(padded.encode("ascii")).decode().partition(":")
        if kind == type_name and pk.isdigit() and len(pk) < 19:
            return int(pk)
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise NotFound(f"{type_name} not found")
