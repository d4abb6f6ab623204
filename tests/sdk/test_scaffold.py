"""``alliance plugins new``: the rendered project installs, is discovered, and its tests pass."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kernel.cli import main
from kernel.plugins.scaffold import ScaffoldError, kernel_requirement, render, tokens, valid_name


@pytest.mark.parametrize(
    "name", ["Bad", "1abc", "a", "has-dash", "double__under", "trailing_", "class", "kernel"]
)
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ScaffoldError):
        valid_name(name)


def test_tokens() -> None:
    assert tokens("pickup_reminders", "0.1.3") == {
        "{{name}}": "pickup_reminders",
        "{{pascal}}": "PickupReminders",
        "{{camel}}": "pickupReminders",
        "{{title}}": "Pickup Reminders",
        "{{kernel_requires}}": ">=0.1,<0.2",
    }
    assert kernel_requirement("1.4.0") == ">=1.4,<2"


def test_cli_renders_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plugins", "new", "notes", "--dir", str(tmp_path)]) == 0
    project = tmp_path / "alliance-plugin-notes"
    assert "created" in capsys.readouterr().out
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert {
        "pyproject.toml",
        "README.md",
        "notes/__init__.py",
        "notes/hooks.py",
        "notes/tables.py",
        "notes/piccolo_app.py",
        "notes/migrations/__init__.py",
        "notes/migrations/notes_2026_01_01t00_00_00_000000.py",
        "tests/test_notes.py",
    } == files
    text = (project / "pyproject.toml").read_text()
    assert 'notes = "notes.hooks"' in text
    assert "{{" not in "".join(p.read_text() for p in project.rglob("*") if p.is_file())
    assert main(["plugins", "new", "notes", "--dir", str(tmp_path)]) == 2
    assert main(["plugins", "new", "Not-A-Name", "--dir", str(tmp_path)]) == 2


def _run(*args: str, cwd: Path, site: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def test_rendered_project_installs_and_its_tests_pass(tmp_path: Path) -> None:
    # Installed into a directory of its own (on PYTHONPATH), never into the shared venv: a
    # run killed half-way must not leave a broken plugin behind for every later run.
    name = f"sdk_{uuid.uuid4().hex[:8]}"
    project = render(name, tmp_path)
    site = tmp_path / "site"
    installed = _run(
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--target",
        str(site),
        str(project),
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr
    listed = _run("-m", "kernel.cli", "plugins", "list", cwd=tmp_path, site=site)
    assert f"{name} 0.1.0  third-party  entry point {name} = {name}.hooks" in listed.stdout
    tested = _run(
        "-m",
        "pytest",
        str(project / "tests"),
        "-q",
        "-p",
        "no:cacheprovider",
        cwd=project,
        site=site,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    passed = re.search(r"(\d+) passed", tested.stdout)
    assert passed is not None and int(passed.group(1)) >= 2, tested.stdout
