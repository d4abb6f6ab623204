"""The ``alliance`` command: serve, migrate, demo data, users, members, checks.

Every command reads ``ALLIANCE_*`` settings (and ``.env``) like the server does. Expected
failures print one line on stderr and exit with status 1; usage errors exit with 2.
See docs/cli.md.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import os
import sys
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import kernel
from kernel.cli_common import (
    CLIError,
    display_url,
    ensure_migrated,
    fail,
    load_settings,
    progress,
    running_kernel,
)

if TYPE_CHECKING:
    from kernel.runtime import Kernel

__all__ = ["build_parser", "main"]

Command = Callable[[argparse.Namespace], int]


def _run(work: Callable[[Kernel], Awaitable[int]], *, migrated: bool = True) -> int:
    """Start a kernel, refuse an unmigrated database (if ``migrated``), run ``work``."""
    settings = load_settings()

    async def go() -> int:
        async with running_kernel(settings) as started:
            if migrated:
                await ensure_migrated(started)
            return await work(started)

    return asyncio.run(go())


# --- migrate ---------------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply every unapplied migration and list what was applied."""
    from kernel.db.migrate import MigrationError, apply_migrations, pending_migrations

    settings = load_settings()
    progress(f"Migrating {display_url(settings.database_url)} ...")

    async def work(started: Kernel) -> int:
        pending = await pending_migrations()
        if not pending:
            progress("Nothing to apply: the database is up to date.")
            return 0
        progress(f"Applying {len(pending)} migration(s) ...")
        try:
            await apply_migrations()
        except MigrationError as exc:
            raise CLIError(f"migration failed: {exc}") from None
        for migration_id in pending:
            progress(f"  applied {migration_id}")
        progress(f"Done: {len(pending)} migration(s) applied.")
        return 0

    return _run(work, migrated=False)


# --- demo ------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demo alliance (idempotent) and print its logins."""
    from kernel.demo import load_demo

    async def work(started: Kernel) -> int:
        progress("Loading the demo alliance (hashing new accounts' passwords takes a moment) ...")
        summary = await load_demo(started, progress=progress)
        if summary.changed:
            created = ", ".join(f"{n} {what}" for what, n in summary.created.items() if n)
            progress(f"Created {created}.")
        else:
            progress("The demo alliance is already loaded: nothing to do.")
        progress("")
        progress(f"Demo logins (alliance '{summary.alliance_slug}'):")
        width = max(len(login.email) for login in summary.logins)
        for login in summary.logins:
            progress(f"  {login.email:<{width}}  {login.password}  {login.role}")
        return 0

    return _run(work)


# --- users -----------------------------------------------------------------------------------


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CLIError("no password on stdin")
        return password
    if args.password is not None:
        return str(args.password)
    if not sys.stdin.isatty():
        raise CLIError("no password: pass --password, --password-stdin, or run in a terminal")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CLIError("the passwords do not match")
    return first


def cmd_users_create(args: argparse.Namespace) -> int:
    """Create a user with a password (optionally a platform admin)."""
    if not args.email and not args.phone:
        raise CLIError("give --email or --phone (or both)")
    password = _read_password(args)

    async def work(started: Kernel) -> int:
        from kernel.identity.service import create_user

        progress("Creating the user (hashing the password) ...")
        user = await create_user(
            started,
            email=args.email,
            phone=args.phone,
            password=password,
            display_name=args.display_name,
            platform_admin=args.platform_admin,
        )
        admin = " (platform admin)" if args.platform_admin else ""
        who = " / ".join(x for x in (user.email, user.phone) if x)
        progress(f"Created user #{user.id} {who}{admin}.")
        return 0

    return _run(work)


# --- alliances and members -------------------------------------------------------------------


async def _user_id_by_email(email: str) -> int:
    from kernel.identity.tables import User

    row = await User.select(User.id).where(User.email == email.strip().lower()).first()
    if row is None:
        raise CLIError(f"no user with e-mail {email!r}: create it with `alliance users create`")
    return int(row["id"])


def cmd_alliances_create(args: argparse.Namespace) -> int:
    """Create an alliance, optionally appointing an existing user as its administrator."""

    async def work(started: Kernel) -> int:
        from kernel.tenancy.service import appoint_alliance_admin, create_alliance

        admin_id = await _user_id_by_email(args.admin_email) if args.admin_email else None
        async with started.db.write():
            alliance = await create_alliance(
                started, actor=None, slug=args.slug, name=args.name, region=args.region
            )
            if admin_id is not None:
                await appoint_alliance_admin(
                    started, actor=None, alliance_id=alliance.id, user_id=admin_id
                )
        progress(f"Created alliance #{alliance.id} {args.slug} ({args.name}).")
        return 0

    return _run(work)


def cmd_members_create(args: argparse.Namespace) -> int:
    """Admit a member (store, leader, warehouse_operator, ...) into an alliance."""

    async def work(started: Kernel) -> int:
        from kernel.tenancy.service import create_member
        from kernel.tenancy.tables import Alliance

        row = await Alliance.select(Alliance.id).where(Alliance.slug == args.alliance).first()
        if row is None:
            raise CLIError(f"no alliance with slug {args.alliance!r}")
        owner_id = await _user_id_by_email(args.owner_email) if args.owner_email else None
        member = await create_member(
            started,
            actor=None,
            alliance_id=int(row["id"]),
            kind=args.kind,
            slug=args.slug,
            name=args.name,
            owner_user_id=owner_id,
        )
        owner = f", owner {args.owner_email}" if args.owner_email else ""
        progress(f"Created {args.kind} #{member.id} {args.slug} in {args.alliance}{owner}.")
        return 0

    return _run(work)


# --- check -----------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    """Check configuration and database; print each check, exit 1 if any fails."""
    from kernel.cli_check import run_checks

    return run_checks()


# --- serve -----------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the GraphQL gateway with hypercorn."""
    from kernel.cli_serve import serve

    return serve(
        host=args.host,
        port=args.port,
        workers=args.workers,
        graceful_timeout=args.graceful_timeout,
        access_log=args.access_log,
    )


# --- parser ----------------------------------------------------------------------------------


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port: {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _add(subparsers: Any, name: str, command: Command, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=command.__doc__
    )
    parser.set_defaults(command=command)
    return parser


# Kernel parts that add their own subcommands: each module has ``register(commands)``, where
# ``commands`` is the subparsers object (``commands.add_parser(...)``, then
# ``parser.set_defaults(command=fn)`` with ``fn(args) -> int``).
COMMAND_MODULES: tuple[str, ...] = (
    "kernel.audit.cli",
    "kernel.events.cli",
    "kernel.jobs.cli",
    "kernel.plugins.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``alliance`` (every subcommand)."""
    parser = argparse.ArgumentParser(
        prog="alliance",
        description="The alliance kernel: a platform for regional community-commerce alliances.",
        epilog="Settings come from ALLIANCE_* environment variables and .env; see docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"alliance {kernel.__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    serve = _add(commands, "serve", cmd_serve, "serve the GraphQL gateway (hypercorn)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port to bind (8000)")
    serve.add_argument("--workers", type=_positive, default=1, help="worker processes (1)")
    serve.add_argument(
        "--graceful-timeout",
        type=_seconds,
        default=10.0,
        help="seconds in-flight requests get to finish after SIGTERM/SIGINT (10)",
    )
    serve.add_argument("--access-log", action="store_true", help="log each request to stderr")

    _add(commands, "migrate", cmd_migrate, "apply database migrations")
    _add(commands, "demo", cmd_demo, "load the demo alliance and print its logins")
    _add(commands, "check", cmd_check, "check configuration and database")

    users = commands.add_parser("users", help="manage users").add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    create_user = _add(users, "create", cmd_users_create, "create a user")
    create_user.add_argument("--email", help="e-mail address (sign-in name)")
    create_user.add_argument("--phone", help="phone number (sign-in name)")
    create_user.add_argument("--display-name", default="", help="name shown to others")
    secret = create_user.add_mutually_exclusive_group()
    secret.add_argument("--password", help="the password (visible to other local users: avoid)")
    secret.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    create_user.add_argument(
        "--platform-admin", action="store_true", help="may administer every alliance"
    )

    alliances = commands.add_parser("alliances", help="manage alliances").add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    create_alliance = _add(alliances, "create", cmd_alliances_create, "create an alliance")
    create_alliance.add_argument("--slug", required=True, help="short unique name (URL-safe)")
    create_alliance.add_argument("--name", required=True, help="display name")
    create_alliance.add_argument("--region", default="", help="region, e.g. 'Wuhan, Hubei'")
    create_alliance.add_argument("--admin-email", help="appoint this user as alliance admin")

    members = commands.add_parser("members", help="manage members").add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    create_member = _add(members, "create", cmd_members_create, "admit a member")
    create_member.add_argument("--alliance", required=True, metavar="SLUG", help="alliance slug")
    create_member.add_argument(
        "--kind",
        required=True,
        help="store, leader, warehouse_operator, bakery, government_office, supplier, ...",
    )
    create_member.add_argument("--slug", required=True, help="short name, unique in the alliance")
    create_member.add_argument("--name", required=True, help="display name")
    create_member.add_argument("--owner-email", help="existing user to make the member's owner")
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``alliance`` console script; returns the exit status."""
    from kernel.errors import AllianceError

    args = build_parser().parse_args(argv)
    # piccolo warns (in colour, on stderr) when it cannot read the server version of an
    # unreachable database; the CLI reports that failure itself, in one line.
    warnings.filterwarnings("ignore", message=r".*Unable to (connect|fetch server version)")
    try:
        status: int = args.command(args)
    except CLIError as exc:
        fail(str(exc))
        return 1
    except AllianceError as exc:
        extra = [
            f"{name}: {msg}" for name, msg in exc.field_errors.items() if msg not in exc.message
        ]
        fail("; ".join([exc.message, *extra]) + f" ({exc.code})")
        return 1
    except KeyboardInterrupt:
        fail("interrupted")
        return 130
    except BrokenPipeError:  # `alliance demo | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
