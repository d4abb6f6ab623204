"""Permission decisions at 100k policies: casbin's stock Enforcer against the kernel's Authorizer.

    .venv/bin/python -m benchmarks.bench_permissions [--members 2000] [--per-member 50]

Builds a temporary SQLite database with ``members x per-member`` policy lines (per member:
20 memberships -> g lines; 3 custom roles of 9 actions + a rank row each -> 30 CasbinRule
rows), then times, in one run:

- ``stock_enforcer``: one casbin ``Enforcer`` holding every line (few calls: it scans them all);
- ``cold``: our first decision for a member: version read + load its rows + build + decide;
- ``warm_new_request``: a later request (fresh memo): one version read + cached decision;
- ``warm_in_request``: version already read this request, decision not memoised yet;
- ``memo_hit``: the same question again in the same request;
- a cold decision in one member given 5,000 memberships (a large member's reload).

Prints JSON (microseconds per decision, medians over rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import casbin
from casbin.persist.adapter import Adapter

from kernel.db import Database
from kernel.db.migrate import apply_migrations
from kernel.identity.principal import Principal
from kernel.permissions.actions import KERNEL_ACTIONS, MEMBER_ROLES
from kernel.permissions.authorizer import Authorizer
from kernel.permissions.enforcer import MODEL_TEXT

CUSTOM = ["cashier", "clerk", "driver"]
ROLES = sorted(MEMBER_ROLES) + CUSTOM
ACTIONS = sorted(a for a in KERNEL_ACTIONS if not a.startswith("kernel.alliance."))
# The stock enforcer holds the "*" defaults once, so its matcher must accept them anywhere.
STOCK_MODEL = MODEL_TEXT.replace("r.dom == p.dom", '(r.dom == p.dom || p.dom == "*")')


def build(path: Path, members: int, per_member: int, memberships: int, rng: random.Random) -> int:
    """Fill a migrated database directly (sqlite3: seconds, not minutes). Returns lines:
    ``memberships`` g lines per member, the rest its custom roles' rank and p rows."""
    per_role = (per_member - memberships) // len(CUSTOM) - 1
    now = str(dt.datetime.now(dt.UTC))
    users = members * 10
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO kernel_alliance (id, slug, name, region, created_at) "
            "VALUES (1, 'a', 'A', '', ?)",
            (now,),
        )
        con.executemany(
            "INSERT INTO kernel_user (id, email, display_name, is_platform_admin, is_active, "
            "created_at) VALUES (?, ?, '', 0, 1, ?)",
            ((u, f"u{u}@bench.test", now) for u in range(1, users + 1)),
        )
        con.executemany(
            "INSERT INTO kernel_member (id, alliance, kind, slug, name, created_at) "
            "VALUES (?, 1, 'store', ?, ?, ?)",
            ((m, f"m{m}", f"M{m}", now) for m in range(1, members + 1)),
        )
        held, rules = [], []
        for m in range(1, members + 1):
            for u in rng.sample(range(1, users + 1), memberships):
                held.append((m, u, rng.choice(ROLES), now))
            for role in CUSTOM:
                rules.append(("rank", role, f"member:{m}", "15"))
                # Real actions first, then made-up plugin ones to reach the size.
                acts = rng.sample(ACTIONS, min(per_role, len(ACTIONS)))
                acts += [f"bench.plugin.a{i}" for i in range(per_role - len(acts))]
                rules += [("p", role, f"member:{m}", a) for a in acts]
        con.executemany(
            "INSERT INTO kernel_membership (member, user, role, created_at) VALUES (?, ?, ?, ?)",
            held,
        )
        con.executemany(
            "INSERT INTO kernel_casbin_rule (ptype, v0, v1, v2, v3, v4, v5) "
            "VALUES (?, ?, ?, ?, '', '', '')",
            rules,
        )
    con.close()
    return len(held) + len(rules)


class _AllLines(Adapter):  # type: ignore[misc]
    """Every line at once, appended the way casbin's file adapter does (add_policy checks
    for duplicates with a list scan: quadratic at this size)."""

    def __init__(self, p_lines: list[list[str]], g_lines: list[list[str]]) -> None:
        self.p_lines, self.g_lines = p_lines, g_lines

    def load_policy(self, model: Any) -> None:
        model.model["p"]["p"].policy.extend(self.p_lines)
        model.model["g"]["g"].policy.extend(self.g_lines)


def stock_enforcer(path: Path) -> Any:
    con = sqlite3.connect(path)
    p_lines = [
        list(row)
        for row in con.execute("SELECT v0, v1, v2 FROM kernel_casbin_rule WHERE ptype='p'")
    ]
    g_lines = [
        [f"user:{u}", r, f"member:{m}"]
        for m, u, r in con.execute("SELECT member, user, role FROM kernel_membership")
    ]
    con.close()
    model = casbin.Enforcer.new_model(text=STOCK_MODEL)
    return casbin.Enforcer(model, _AllLines(p_lines, g_lines))


async def big_member(path: Path, authorizer: Authorizer, *, users: int, size: int) -> float:
    """Cold decision (median of 3) for member 1 after giving it ``size`` memberships."""
    now = str(dt.datetime.now(dt.UTC))
    con = sqlite3.connect(path)
    with con:
        con.execute("DELETE FROM kernel_membership WHERE member = 1")
        con.executemany(
            "INSERT INTO kernel_membership (member, user, role, created_at) "
            "VALUES (1, ?, 'resident', ?)",
            ((u, now) for u in range(1, min(size, users) + 1)),
        )
    con.close()
    samples = []
    for _ in range(3):
        authorizer.cache.clear()
        start = time.perf_counter()
        await authorizer.allowed(Principal(user_id=1), ACTIONS[0], member_id=1, memo={})
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


async def timed(calls: list[Callable[[], Awaitable[object]]]) -> float:
    """Median microseconds of ``calls``, each timed alone."""
    samples = []
    for call in calls:
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


async def run(
    members: int = 2000,
    per_member: int = 50,
    memberships: int = 20,
    rounds: int = 5,
    stock_calls: int = 10,
    big_size: int = 5000,
) -> dict[str, Any]:
    """The benchmark (``python -m benchmarks permissions`` calls it with the defaults)."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        db = Database(f"sqlite:///{path}", pool_size=4)
        await db.start()
        await apply_migrations()
        authorizer = Authorizer(db, max_domains=members + 10)
        await authorizer.start()
        lines = build(path, members, per_member, memberships, rng)
        con = sqlite3.connect(path)
        held = con.execute("SELECT member, user FROM kernel_membership").fetchall()
        con.close()
        sample = rng.sample(held, 200)

        def ask(m: int, u: int, memo: dict[Any, Any] | None, action: str = ACTIONS[0]) -> Any:
            return lambda: authorizer.allowed(Principal(user_id=u), action, member_id=m, memo=memo)

        stock = stock_enforcer(path)
        stock_us = []
        for m, u in sample[:stock_calls]:
            start = time.perf_counter()
            stock.enforce(f"user:{u}", f"member:{m}", ACTIONS[0])
            stock_us.append((time.perf_counter() - start) * 1e6)
        # Its millions of objects would slow every later garbage collection: not ours to pay.
        del stock
        gc.collect()

        results: dict[str, list[float]] = {
            k: [] for k in ("cold", "warm_new_request", "warm_in_request", "memo_hit")
        }
        for _ in range(rounds):
            authorizer.cache.clear()
            results["cold"].append(await timed([ask(m, u, {}) for m, u in sample]))
            results["warm_new_request"].append(await timed([ask(m, u, {}) for m, u in sample]))
            memos = [{} for _ in sample]  # type: list[dict[Any, Any]]
            for (m, u), memo in zip(sample, memos, strict=True):
                await ask(m, u, memo)()
            results["warm_in_request"].append(
                await timed(
                    [
                        ask(m, u, memo, ACTIONS[1])
                        for (m, u), memo in zip(sample, memos, strict=True)
                    ]
                )
            )
            results["memo_hit"].append(
                await timed(
                    [
                        ask(m, u, memo, ACTIONS[1])
                        for (m, u), memo in zip(sample, memos, strict=True)
                    ]
                )
            )
        big = await big_member(path, authorizer, users=members * 10, size=big_size)
        await db.stop()
    medians = {k: round(statistics.median(v), 1) for k, v in results.items()}
    stock_median = statistics.median(stock_us)
    return {
        "policies": lines,
        "members": members,
        "engine": "sqlite",
        "us_per_decision": {"stock_enforcer": round(stock_median, 1), **medians},
        "stock_over": {k: round(stock_median / v, 1) for k, v in medians.items() if v},
        f"cold_member_with_{big_size}_memberships_us": round(big, 1),
        "calls": {"stock_enforcer": len(stock_us), "ours_per_round": len(sample), "rounds": rounds},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--per-member", type=int, default=50)
    parser.add_argument("--memberships", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stock-calls", type=int, default=10)
    args = parser.parse_args()
    result = asyncio.run(
        run(args.members, args.per_member, args.memberships, args.rounds, args.stock_calls)
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
