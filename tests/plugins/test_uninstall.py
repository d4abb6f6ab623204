"""``uninstall``: a member's plugin data is exported to JSON, then purged; nobody else's.

The app runs with the sample plugin ``gamma`` (a piccolo app with the member-scoped table
``gamma_note`` and the shared ``gamma_label``), registered through the host; its migration is
applied to the test's database before the app starts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from alliance_sdk import scoped
from kernel.audit.log import recent
from kernel.db.piccolo_conf import APP_REGISTRY
from kernel.errors import BadUserInput, NotFound
from kernel.gateway.app import create_app
from kernel.plugins.discovery import builtin_candidates, entry_point_candidates
from kernel.plugins.loading import install_piccolo_apps
from kernel.plugins.tables import MemberPlugin
from kernel.plugins.uninstall import uninstall
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.conftest import _migrate
from tests.factories import Factory
from tests.plugins.conftest import sample_host
from tests.plugins.sample_plugins.gamma import hooks as gamma
from tests.plugins.sample_plugins.gamma.tables import GammaLabel, GammaNote

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Litestar]:
    host = sample_host(gamma)
    added = install_piccolo_apps(host, APP_REGISTRY)
    try:
        asyncio.run(_migrate(settings.database_url))
        yield create_app(settings, plugins=host)
    finally:
        # The registry is the process's: other tests must not see gamma's migrations.
        for slug in added:
            del APP_REGISTRY.app_configs[slug]
            path = host.plugins[slug].manifest.piccolo_app
            APP_REGISTRY.apps.remove(path)


async def _notes(kernel: Kernel, member_id: int, count: int) -> list[dict[str, Any]]:
    """Insert ``count`` notes for the member; returns them as the export should show them."""
    inserted = []
    for n in range(count):
        note = GammaNote(
            member=member_id,
            text=f"note {n} of {member_id} — ünïcode",
            amount=Decimal(f"{n}.25"),
            ref=uuid.uuid4(),
            created_at=T0 + dt.timedelta(minutes=n),
        )
        await scoped(GammaNote, member_id).insert(note)
        inserted.append(
            {
                "id": note.id,
                "member": member_id,
                "text": note.text,
                "amount": str(note.amount),
                "ref": str(note.ref),
                "created_at": note.created_at.isoformat(),
            }
        )
    return inserted


async def _enable(kernel: Kernel, member_id: int) -> None:
    row = MemberPlugin(
        member=member_id, slug="gamma", enabled=True, config={}, version="0.3.0",
        created_at=T0, updated_at=T0,
    )  # fmt: skip
    await scoped(MemberPlugin, member_id).insert(row)


def _normal(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # SQLite hands NUMERIC back without trailing zeros: compare amounts as numbers.
    return [{**row, "amount": Decimal(row["amount"])} for row in rows]


async def _state(kernel: Kernel, member_id: int) -> tuple[int, bool]:
    notes = await scoped(GammaNote, member_id).count()
    stack = await scoped(MemberPlugin, member_id).exists().where(MemberPlugin.slug == "gamma")
    return notes, stack


async def test_exports_then_purges_only_that_member(
    kernel: Kernel, factory: Factory, tmp_path: Path
) -> None:
    a, b = await factory.member(), await factory.member()
    expected = await _notes(kernel, a.id, 3)
    await _notes(kernel, b.id, 2)
    await _enable(kernel, a.id)
    await _enable(kernel, b.id)
    label = f"shared-{uuid.uuid4().hex[:6]}"
    await GammaLabel.insert(GammaLabel(name=label))
    out = tmp_path / "exports" / "a.json"

    summary = await uninstall(kernel, member_id=a.id, slug="gamma", out=out)

    assert summary.counts == {"gamma_note": 3}
    assert summary.skipped == ("gamma_label",)
    assert summary.stack_entry is True
    document = json.loads(out.read_text(encoding="utf-8"))
    assert set(document) == {"plugin", "version", "member", "exported_at", "tables"}
    assert (document["plugin"], document["version"], document["member"]) == ("gamma", "0.3.0", a.id)
    assert dt.datetime.fromisoformat(document["exported_at"]).tzinfo is not None
    assert set(document["tables"]) == {"gamma_note"}
    assert _normal(document["tables"]["gamma_note"]) == _normal(expected)
    assert [p.name for p in out.parent.iterdir()] == ["a.json"]  # no temporary file left

    assert await _state(kernel, a.id) == (0, False)
    assert await _state(kernel, b.id) == (2, True)
    assert await GammaLabel.exists().where(GammaLabel.name == label)

    entry = (await recent(kernel, 1))[-1]
    assert (entry.action, entry.member_id, entry.subject) == (
        "kernel.plugins.uninstall",
        a.id,
        "plugin:gamma",
    )
    details = json.loads(entry.details)
    assert details["rows"] == {"gamma_note": 3}
    assert details["not_member_scoped"] == ["gamma_label"]


async def test_failed_export_deletes_nothing(
    kernel: Kernel, factory: Factory, tmp_path: Path
) -> None:
    a = await factory.member()
    await _notes(kernel, a.id, 2)
    await _enable(kernel, a.id)
    before = await recent(kernel, 1)
    # A read-only directory stops nobody running as root; a regular file in the path does.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        for out in (blocker / "missing" / "a.json", readonly / "missing" / "a.json"):
            if os.access(readonly, os.W_OK) and out.is_relative_to(readonly):
                continue
            with pytest.raises(OSError):
                await uninstall(kernel, member_id=a.id, slug="gamma", out=out)
            assert not out.exists()
    finally:
        readonly.chmod(0o700)
    assert await _state(kernel, a.id) == (2, True)
    assert await recent(kernel, 1) == before


async def test_refusals(kernel: Kernel, factory: Factory, tmp_path: Path) -> None:
    a = await factory.member()
    with pytest.raises(BadUserInput, match="no plugin 'nope'"):
        await uninstall(kernel, member_id=a.id, slug="nope", out=tmp_path / "x.json")
    with pytest.raises(NotFound, match="no member"):
        await uninstall(kernel, member_id=a.id + 1000, slug="gamma", out=tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()
    existing = tmp_path / "y.json"
    existing.write_text("keep")
    with pytest.raises(BadUserInput, match="exists"):
        await uninstall(kernel, member_id=a.id, slug="gamma", out=existing)
    assert existing.read_text() == "keep"


# --- the command -----------------------------------------------------------------------------


def _alliance(settings: Settings, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``alliance`` with gamma installed as a distribution's entry point would be."""
    site = tmp_path / "site"
    dist = site / "gamma_sample-0.1.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: gamma-sample\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[alliance.plugins]\ngamma = tests.plugins.sample_plugins.gamma.hooks\n"
    )
    # Only gamma: whatever else is installed in this environment is blocked.
    others = {c.name for c in builtin_candidates()} | {c.name for c in entry_point_candidates()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env.update(
        ALLIANCE_PLUGINS_BLOCKED=",".join(sorted(others - {"gamma"})),
        ALLIANCE_DATABASE_URL=settings.database_url,
        ALLIANCE_VAR_DIR=str(settings.var_dir),
        ALLIANCE_MODE="development",
        PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]),
        PYTHONUNBUFFERED="1",
    )
    workdir = tmp_path / "cwd"
    workdir.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "kernel.cli", "plugins", "uninstall", *args],
        env=env,
        cwd=workdir,
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_command(
    kernel: Kernel, factory: Factory, settings: Settings, tmp_path: Path
) -> None:
    a, b = await factory.member(), await factory.member()
    expected = await _notes(kernel, a.id, 2)
    await _notes(kernel, b.id, 1)
    await _enable(kernel, a.id)

    result = await asyncio.to_thread(_alliance, settings, tmp_path, "gamma", "--member", str(a.id))

    assert result.returncode == 0, result.stderr
    exports = list((settings.var_dir / "exports").glob(f"gamma-member-{a.id}-*.json"))
    assert len(exports) == 1
    assert "gamma_note: 2 row(s) exported and deleted" in result.stdout
    assert "gamma_label: not member-scoped, left alone" in result.stdout
    assert f"exported to {exports[0]}" in result.stdout
    document = json.loads(exports[0].read_text(encoding="utf-8"))
    assert _normal(document["tables"]["gamma_note"]) == _normal(expected)
    assert await _state(kernel, a.id) == (0, False)
    assert await _state(kernel, b.id) == (1, False)


@pytest.mark.parametrize(
    ("slug", "member", "message"),
    [("nope", None, "no plugin 'nope' is installed"), ("gamma", 10**6, "no member 1000000")],
)
async def test_command_errors(
    kernel: Kernel,
    factory: Factory,
    settings: Settings,
    tmp_path: Path,
    slug: str,
    member: int | None,
    message: str,
) -> None:
    a = await factory.member()
    await _notes(kernel, a.id, 1)
    member_id = a.id if member is None else member

    result = await asyncio.to_thread(
        _alliance, settings, tmp_path, slug, "--member", str(member_id)
    )

    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("alliance: error: ") and message in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert await _state(kernel, a.id) == (1, False)
    assert not (settings.var_dir / "exports").exists()
