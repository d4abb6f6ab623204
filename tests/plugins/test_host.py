"""The host at start: discovery, refusals with one clear log line, check_pending, collisions,
and the hook documentation."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kernel.gateway.app import create_app
from kernel.gateway.parts import kernel_parts
from kernel.plugins import hookdoc
from kernel.plugins.cli import register
from kernel.plugins.declarations import Attribution
from kernel.plugins.discovery import entry_point_candidates
from kernel.plugins.loading import load_plugins
from kernel.plugins.schema import compose_graphql
from kernel.settings import Settings
from tests.plugins.conftest import SAMPLES, sample_host
from tests.plugins.sample_plugins import alpha, beta, clash, future, typeclash, typo


def _refusals(caplog: pytest.LogCaptureFixture) -> dict[str, str]:
    return {
        r.getMessage().split()[1]: r.getMessage()
        for r in caplog.records
        if r.name == "kernel.plugins" and " refused: " in r.getMessage()
    }


async def test_a_plugin_for_another_kernel_is_refused_and_the_kernel_starts(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "kernel.plugins")
    app = create_app(settings, plugins=sample_host(alpha, future))
    for hook in app.on_startup:
        await hook()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            assert (await client.get("/readyz")).json() == {"status": "ok"}
    finally:
        for hook in app.on_shutdown:
            await hook()
    assert _refusals(caplog) == {
        "future": "plugin future refused: requires kernel >=99, this is 0.1.0"
    }
    assert app.state.kernel.plugins.installed == {"alpha"}


def test_a_missing_dependency_refuses_the_dependant(caplog: pytest.LogCaptureFixture) -> None:
    host = sample_host(beta)
    assert host.installed == frozenset()
    assert host.refused == {"beta": "depends on plugin alpha, not installed"}


def test_check_pending_refuses_an_implementation_of_an_unknown_hook() -> None:
    host = sample_host(alpha, typo)
    assert host.refused == {"typo": "implements unknown hook 'on_plugin_enabeld'"}
    assert host.installed == {"alpha"}
    host.pm.check_pending()  # what is left is sound


def test_a_root_field_collision_refuses_the_later_plugin() -> None:
    host = sample_host(alpha, clash)
    assert host.installed == {"alpha"}
    assert "Query field(s) alpha_note already defined by plugin alpha" in host.refused["clash"]
    roots = compose_graphql(host, kernel_parts())
    assert "alpha_note" in {f.name for f in roots["query"].__strawberry_definition__.fields}


def test_a_type_name_collision_refuses_the_later_plugin() -> None:
    host = sample_host(alpha, typeclash)
    assert host.installed == {"alpha"}
    assert "AlphaNote is defined multiple times" in host.refused["typeclash"]


def test_the_block_list_keeps_a_plugin_out() -> None:
    host = sample_host(*SAMPLES, blocked=["faulty", "sleepy"])
    assert host.installed == {"alpha", "beta"}
    assert not host.refused


def test_settings_read_the_block_list_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_PLUGINS_BLOCKED", "groupbuy, bakery")
    assert Settings().plugins_blocked == ["groupbuy", "bakery"]


def test_plugins_own_hookspecs_are_added() -> None:
    host = sample_host(alpha, beta)
    assert host.pm.hook.beta_price.has_spec()


def test_attribution_falls_back_to_the_kernel() -> None:
    host = sample_host(beta)  # beta does not attribute orders
    answer = host.pm.hook.attribute_order(
        kernel=None,
        member_id=1,
        buyer_user_id=2,
        community_id=3,
        leaders=[5, 6],
        referral_code=None,
    )
    assert answer == Attribution(reason="community_leader", leader_member_id=5, source="kernel")
    nobody = host.pm.hook.attribute_order(
        kernel=None,
        member_id=1,
        buyer_user_id=2,
        community_id=3,
        leaders=[],
        referral_code=None,
    )
    assert nobody.reason == "none" and nobody.leader_member_id is None


def test_stock_is_nobodys_by_default() -> None:
    # Without a warehouse plugin nobody answers: the seller uses its own stock.
    host = sample_host(beta)
    assert (
        host.pm.hook.reserve_stock(
            kernel=None, member_id=1, community_id=2, order_ref="o-1", lines={"sku": 1}
        )
        is None
    )


@pytest.fixture
def fake_distribution(tmp_path: Path) -> Iterator[Path]:
    """A distribution installed on sys.path: package ``gamma`` and its entry point."""
    package = tmp_path / "gamma"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "hooks.py").write_text(
        textwrap.dedent(
            """
            from alliance_sdk import PluginManifest, hookimpl

            @hookimpl
            def register_manifest():
                return PluginManifest(
                    slug="gamma", name="Gamma", version="2.0.1", publisher="Elsewhere",
                    requires_kernel=">=0.1,<1",
                )
            """
        )
    )
    dist = tmp_path / "alliance_gamma-2.0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: alliance-gamma\nVersion: 2.0.1\n")
    (dist / "entry_points.txt").write_text("[alliance.plugins]\ngamma = gamma.hooks\n")
    sys.path.insert(0, str(tmp_path))
    try:
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("gamma", "gamma.hooks"):
            sys.modules.pop(name, None)


def test_entry_points_are_discovered(fake_distribution: Path) -> None:
    found = [c for c in entry_point_candidates() if c.name == "gamma"]
    assert found and "alliance-gamma 2.0.1" in found[0].origin
    host = load_plugins(builtin=False)
    assert host.plugins["gamma"].manifest.version == "2.0.1"
    assert host.plugins["gamma"].tier.value == "third-party"
    assert "gamma" not in load_plugins(builtin=False, blocked=["gamma"]).installed


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["plugins", *argv])
    status: int = args.command(args)
    return status


def test_plugins_check_prints_the_start_diagnostics(
    fake_distribution: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli("check", str(fake_distribution)) == 0
    assert "plugin gamma 2.0.1 by Elsewhere: ok" in capsys.readouterr().out
    broken = tmp_path / "delta"
    broken.mkdir()
    (broken / "__init__.py").write_text(
        "from alliance_sdk import PluginManifest, hookimpl\n"
        "@hookimpl\ndef register_manifest():\n"
        "    return PluginManifest(slug='delta', name='D', version='1', publisher='x',"
        " requires_kernel='>=9')\n"
    )
    assert _cli("check", str(broken)) == 1
    assert "plugin delta refused: requires kernel >=9, this is 0.1.0" in capsys.readouterr().err
    sys.modules.pop("delta", None)


def test_every_hook_is_documented() -> None:
    assert hookdoc.specs(), "no hookspecs found"
    assert not hookdoc.undocumented(), f"hooks without docstrings: {hookdoc.undocumented()}"


def test_hooks_page_is_current() -> None:
    assert hookdoc.HOOKS_MD.read_text() == hookdoc.render(), (
        "docs/plugins/hooks.md is stale: run `python -m kernel.plugins.hookdoc`"
    )


def test_manifest_actions_join_the_catalogue_with_their_default_roles() -> None:
    roles = sample_host(alpha).actions.default_roles()
    assert "alpha.notes.write" in roles["owner"].actions
    assert "alpha.notes.write" not in roles["staff"].actions
