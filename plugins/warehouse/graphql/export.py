"""Pick and sort lists as text for the floor (CSV for printers and spreadsheets, JSON for
handhelds).

Served as a GraphQL field rather than a plugin HTTP route: a field gets the kernel's
authentication (sessions and API keys), ``requires(...)``, the plugin gate and consent
checks for free, while a route cannot authenticate a caller through the SDK.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from alliance_sdk import BadUserInput

__all__ = ["export_text"]

_COLUMNS = {
    "pick": ("zone", "owner", "sku", "lot_code", "expires_on", "units"),
    "sort": ("community", "community_name", "pickup_member", "owner", "sku", "orders", "units"),
}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def export_text(lines: list[dict[str, Any]], list_name: str, format: str) -> str:
    if list_name not in _COLUMNS:
        raise BadUserInput("unknown list", field_errors={"listName": "pick or sort"})
    columns = _COLUMNS[list_name]
    records = [{c: _plain(line.get(c)) for c in columns} for line in lines]
    if format == "json":
        return json.dumps(records, ensure_ascii=False)
    if format != "csv":
        raise BadUserInput("unknown format", field_errors={"format": "csv or json"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()
