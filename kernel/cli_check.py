"""``alliance check``: is this deployment's configuration and database in order?

Each check prints ``ok``, ``FAIL`` or ``skip`` and one line of detail; a failed check that
makes the later ones meaningless skips them. The exit status is 1 if anything failed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from kernel.cli_common import (
    CLIError,
    display_url,
    fail,
    load_settings,
    running_kernel,
    sqlite_file,
)
from kernel.settings import Settings

__all__ = ["CheckResult", "run_checks"]


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: ``status`` is ``ok``, ``FAIL`` or ``skip``."""

    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<5} {self.name}: {self.detail}"


def _secret(settings: Settings) -> CheckResult:
    if settings.secret_key is not None:
        return CheckResult("secret", "ok", "ALLIANCE_SECRET_KEY is set")
    path = settings.var_dir / "secret_key"
    existed = path.exists()
    try:
        key = settings.signing_key
    except OSError as exc:
        return CheckResult("secret", "FAIL", f"cannot store a development key in {path}: {exc}")
    if len(key) < 32:
        return CheckResult("secret", "FAIL", f"the key in {path} is shorter than 32 characters")
    verb = "found" if existed else "generated"
    return CheckResult("secret", "ok", f"development key {verb} in {path}")


async def _database(settings: Settings) -> list[CheckResult]:
    from kernel.db.migrate import pending_migrations

    where = display_url(settings.database_url)
    try:
        async with running_kernel(settings) as kernel:
            results = [CheckResult("database", "ok", f"{kernel.db.kind} at {where} answers")]
            pending = await pending_migrations()
    except CLIError as exc:
        return [
            CheckResult("database", "FAIL", str(exc)),
            CheckResult("migrations", "skip", "no database"),
        ]
    if pending:
        names = ", ".join(pending)
        detail = f"{len(pending)} pending ({names}): run `alliance migrate`"
        results.append(CheckResult("migrations", "FAIL", detail))
    else:
        results.append(CheckResult("migrations", "ok", "all applied"))
    return results


def run_checks() -> int:
    """Run every check, print one line each, return the exit status."""
    results: list[CheckResult] = []

    def report(result: CheckResult) -> None:
        results.append(result)
        print(result.line(), flush=True)

    try:
        settings = load_settings()
    except CLIError as exc:
        report(CheckResult("settings", "FAIL", str(exc)))
        for name in ("secret", "database", "migrations"):
            report(CheckResult(name, "skip", "invalid settings"))
    else:
        report(CheckResult("settings", "ok", f"{settings.mode.value} mode"))
        report(_secret(settings))
        path = sqlite_file(settings)
        if path is not None and not Path(path).exists():
            report(
                CheckResult("database", "FAIL", f"{path} does not exist: run `alliance migrate`")
            )
            report(CheckResult("migrations", "skip", "no database"))
        else:
            for result in asyncio.run(_database(settings)):
                report(result)
    failed = [result.name for result in results if result.status == "FAIL"]
    if failed:
        fail(f"{len(failed)} check(s) failed: {', '.join(failed)}")
        return 1
    return 0
