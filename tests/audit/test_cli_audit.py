"""``alliance audit verify|head|tail`` run as a subprocess, as an operator (or cron) runs it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from kernel.audit.log import append
from kernel.identity.principal import Principal
from kernel.runtime import Kernel
from tests.audit.test_tampering import tamper
from tests.test_cli import alliance, assert_one_line_error, clean_env


async def run(kernel: Kernel, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = clean_env(tmp_path, kernel.settings.database_url)
    # In a thread: the kernel of this test keeps serving its event loop meanwhile.
    result = await asyncio.to_thread(alliance, env, "audit", *args, cwd=tmp_path)
    return result.returncode, result.stdout, result.stderr


async def test_verify_head_and_tail(kernel: Kernel, tmp_path: Path) -> None:
    assert await run(kernel, tmp_path, "verify") == (0, "ok: 0 entries\n", "")
    for n in range(1, 4):
        await append(
            kernel,
            actor=Principal(user_id=n),
            action="consent.read",
            member_id=10 + n,
            grant_id=n,
            subject=f"member:{n}/orders",
            details={"n": n},
        )
    assert await run(kernel, tmp_path, "verify") == (0, "ok: 3 entries\n", "")

    status, anchor, _ = await run(kernel, tmp_path, "head")
    assert status == 0
    position, digest = anchor.strip().split(":")
    assert position == "3" and len(digest) == 64
    status, out, _ = await run(kernel, tmp_path, "verify", "--expect-head", anchor.strip())
    assert (status, out) == (0, "ok: 3 entries\n")

    status, out, _ = await run(kernel, tmp_path, "tail", "-n", "2")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 2
    assert lines[0].split()[0] == "2" and lines[1].split()[0] == "3"
    assert "user:3  consent.read  member=13 grant=3  member:3/orders" in lines[1]
    assert lines[1].endswith('{"n":3}')


async def test_verify_fails_with_the_position(kernel: Kernel, tmp_path: Path) -> None:
    for n in range(3):
        await append(kernel, actor=None, action="test.append", subject=str(n))
    status, anchor, _ = await run(kernel, tmp_path, "head")
    await tamper(
        kernel.settings.database_url,
        "UPDATE kernel_audit_entry SET subject = 'forged' WHERE position = 2",
    )
    env = clean_env(tmp_path, kernel.settings.database_url)
    result = await asyncio.to_thread(alliance, env, "audit", "verify", cwd=tmp_path)
    assert result.stdout == "FAIL at position 2: edited\n"
    assert_one_line_error(result, "audit log tampered at position 2")

    await tamper(kernel.settings.database_url, "DELETE FROM kernel_audit_entry WHERE position >= 2")
    assert await run(kernel, tmp_path, "verify") == (0, "ok: 1 entries\n", "")
    status, out, _ = await run(kernel, tmp_path, "verify", "--expect-head", anchor.strip())
    assert (status, out) == (1, "FAIL at position 2: deleted\n")


async def test_bad_arguments_are_usage_errors(kernel: Kernel, tmp_path: Path) -> None:
    for args in (("verify", "--expect-head", "3:abc"), ("tail", "-n", "0")):
        status, _, err = await run(kernel, tmp_path, *args)
        assert status == 2 and "usage:" in err
