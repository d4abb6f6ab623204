"""Isolation between members: every ID-taking query and mutation, tried against member B's
objects by callers who may not touch them, returns none of B's data and changes no row.

The schema is introspected: every root field taking an ID (directly or inside an input) must
have an entry in :data:`CASES`, so a new field fails here until someone writes its case.

Callers: anonymous; the owner of member A in another alliance ("foreign"); the owner of
member A2 in B's own alliance ("neighbour", who may see B's public profile by design but
nothing private and change nothing); an API key of member A with every member action.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)
from litestar import Litestar
from strawberry.utils.str_converters import to_camel_case

from kernel.db import registered_tables
from kernel.db.scoped import scoped, unscoped
from kernel.gateway.ids import encode_id
from kernel.identity.secrets import new_api_key
from kernel.identity.tables import ApiKey
from kernel.runtime import Kernel
from kernel.tenancy.tables import MemberCommunity
from tests.factories import Factory
from tests.graphql_client import GraphQLClient


def gid(type_name: str, pk: int) -> str:
    return str(encode_id(type_name, pk))


@dataclass(frozen=True)
class Target:
    """Member B's objects (or, shifted, ids of rows that do not exist)."""

    alliance: int
    member: int
    community: int
    unserved_community: int  # in B's alliance, not served by B
    staff_user: int
    api_key: int

    def ghost(self) -> Target:
        shift = 1_000_000
        return Target(*(getattr(self, f.name) + shift for f in dataclasses.fields(self)))


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str]
    member: int  # the caller's own member (for anonymous: A's)
    community: int  # a community of the caller's own alliance not served by B
    may_see_public: bool  # B's profile is visible by design (a neighbour in the alliance)
    # A neighbour's community of another alliance (outsiders use B's own).
    elsewhere: int | None = None


Variables = Callable[[Target, Caller, int], dict[str, Any]]  # (B, caller, a user with no roles)


@dataclass(frozen=True)
class Case:
    document: str
    variables: Variables


MEMBER_FIELDS = (
    "id name slug memberships { nodes { role user { id email displayName } } } "
    "plugins { slug config }"
)
KEY_ACTIONS = ["kernel.members.read"]

CASES: dict[str, list[Case]] = {
    # --- tenancy queries ---
    "alliance": [
        Case(
            "query($id: ID!) { alliance(id: $id) { id name slug } }",
            lambda b, me, pawn: {"id": gid("Alliance", b.alliance)},
        )
    ],
    "member": [
        Case(
            f"query($id: ID!) {{ member(id: $id) {{ {MEMBER_FIELDS} }} }}",
            lambda b, me, pawn: {"id": gid("Member", b.member)},
        )
    ],
    "members": [
        Case(
            f"query($a: ID!) {{ members(allianceId: $a) {{ nodes {{ {MEMBER_FIELDS} }} }} }}",
            lambda b, me, pawn: {"a": gid("Alliance", b.alliance)},
        )
    ],
    "communities": [
        Case(
            "query($a: ID!) { communities(allianceId: $a) { nodes { id name address } } }",
            lambda b, me, pawn: {"a": gid("Alliance", b.alliance)},
        )
    ],
    # --- tenancy mutations ---
    "appointAllianceAdmin": [
        Case(
            "mutation($a: ID!, $u: ID!) "
            "{ appointAllianceAdmin(allianceId: $a, userId: $u) { id } }",
            lambda b, me, pawn: {"a": gid("Alliance", b.alliance), "u": gid("User", pawn)},
        )
    ],
    "createMember": [
        Case(
            'mutation($a: ID!, $u: ID) { createMember(allianceId: $a, kind: "store", '
            'slug: "intruder", name: "Intruder", ownerUserId: $u) { id } }',
            lambda b, me, pawn: {"a": gid("Alliance", b.alliance), "u": gid("User", pawn)},
        )
    ],
    "createCommunity": [
        Case(
            'mutation($a: ID!) { createCommunity(allianceId: $a, name: "Fake") { id } }',
            lambda b, me, pawn: {"a": gid("Alliance", b.alliance)},
        )
    ],
    "addMembership": [
        Case(
            'mutation($m: ID!, $u: ID!) { addMembership(memberId: $m, userId: $u, role: "owner") '
            "{ id } }",
            lambda b, me, pawn: {"m": gid("Member", b.member), "u": gid("User", pawn)},
        )
    ],
    "changeRole": [
        Case(
            "mutation($m: ID!, $u: ID!) { changeRole(memberId: $m, userId: $u, "
            'role: "owner") { id role } }',
            lambda b, me, pawn: {"m": gid("Member", b.member), "u": gid("User", b.staff_user)},
        ),
        # B's staff through the caller's own member: not there.
        Case(
            "mutation($m: ID!, $u: ID!) { changeRole(memberId: $m, userId: $u, "
            'role: "staff") { id role } }',
            lambda b, me, pawn: {"m": gid("Member", me.member), "u": gid("User", b.staff_user)},
        ),
    ],
    "removeMembership": [
        Case(
            "mutation($m: ID!, $u: ID!) { removeMembership(memberId: $m, userId: $u) }",
            lambda b, me, pawn: {"m": gid("Member", b.member), "u": gid("User", b.staff_user)},
        ),
        Case(
            "mutation($m: ID!, $u: ID!) { removeMembership(memberId: $m, userId: $u) }",
            lambda b, me, pawn: {"m": gid("Member", me.member), "u": gid("User", b.staff_user)},
        ),
    ],
    "serveCommunity": [
        Case(
            "mutation($m: ID!, $c: ID!) { serveCommunity(memberId: $m, communityId: $c) { id } }",
            lambda b, me, pawn: {"m": gid("Member", b.member), "c": gid("Community", b.community)},
        ),
        # The caller's own member serving a community of another alliance (B's, for outsiders).
        Case(
            "mutation($m: ID!, $c: ID!) { serveCommunity(memberId: $m, communityId: $c) { id } }",
            lambda b, me, pawn: {
                "m": gid("Member", me.member),
                "c": gid("Community", me.elsewhere or b.unserved_community),
            },
        ),
    ],
    # Registering one's own household in a community needs only its ID, by design (see
    # kernel/tenancy/graphql.py), so the foreign part tried here is B's leader: following it
    # from a community it does not serve.
    "registerResident": [
        Case(
            "mutation($c: ID!, $l: ID) { registerResident(communityId: $c, leaderMemberId: $l) "
            "{ household leader { id name } community { id name } } }",
            lambda b, me, pawn: {"c": gid("Community", me.community), "l": gid("Member", b.member)},
        )
    ],
    # --- plugins (kernel.plugins.manage in the member) ---
    "enablePlugin": [
        Case(
            'mutation($m: ID!) { enablePlugin(memberId: $m, slug: "alpha", config: {}) '
            "{ slug enabled config } }",
            lambda b, me, pawn: {"m": gid("Member", b.member)},
        )
    ],
    "configurePlugin": [
        Case(
            'mutation($m: ID!) { configurePlugin(memberId: $m, slug: "alpha", config: {}) '
            "{ slug enabled config } }",
            lambda b, me, pawn: {"m": gid("Member", b.member)},
        )
    ],
    "disablePlugin": [
        Case(
            'mutation($m: ID!) { disablePlugin(memberId: $m, slug: "alpha") { slug config } }',
            lambda b, me, pawn: {"m": gid("Member", b.member)},
        )
    ],
    # --- identity (API keys) ---
    "apiKeys": [
        Case(
            "query($m: ID!) { apiKeys(memberId: $m) { nodes { id name prefix } } }",
            lambda b, me, pawn: {"m": gid("Member", b.member)},
        )
    ],
    "createApiKey": [
        Case(
            'mutation($m: ID!, $actions: [String!]!) { createApiKey(memberId: $m, name: "x", '
            "actions: $actions) { plaintext apiKey { id } } }",
            lambda b, me, pawn: {"m": gid("Member", b.member), "actions": KEY_ACTIONS},
        )
    ],
    "revokeApiKey": [
        Case(
            "mutation($m: ID!, $id: ID!) { revokeApiKey(memberId: $m, id: $id) { id name } }",
            lambda b, me, pawn: {"m": gid("Member", b.member), "id": gid("ApiKey", b.api_key)},
        ),
        # B's key through the caller's own member.
        Case(
            "mutation($m: ID!, $id: ID!) { revokeApiKey(memberId: $m, id: $id) { id name } }",
            lambda b, me, pawn: {"m": gid("Member", me.member), "id": gid("ApiKey", b.api_key)},
        ),
    ],
    # --- consent ---
    # Granting for B (to the caller's own member). Granting from the caller's own member to B
    # is allowed by design for a neighbour in B's alliance; tests/consent covers outsiders.
    "grantConsent": [
        Case(
            "mutation($g: ID!, $e: ID!) { grantConsent(input: {grantorMemberId: $g, "
            'granteeMemberId: $e, scope: "orders:read", purpose: "fulfilment", '
            'legalBasis: "contract"}) { id grantor { id name } grantee { id name } } }',
            lambda b, me, pawn: {"g": gid("Member", b.member), "e": gid("Member", me.member)},
        )
    ],
    "revokeConsent": [
        Case(
            "mutation($m: ID!, $g: ID!) { revokeConsent(memberId: $m, grantId: $g) "
            "{ id scope grantor { id name } } }",
            lambda b, me, pawn: {"m": gid("Member", b.member), "g": gid("ConsentGrant", 1)},
        ),
        # A grant id through the caller's own member (B's grants are not there).
        Case(
            "mutation($m: ID!, $g: ID!) { revokeConsent(memberId: $m, grantId: $g) "
            "{ id scope grantor { id name } } }",
            lambda b, me, pawn: {"m": gid("Member", me.member), "g": gid("ConsentGrant", 1)},
        ),
    ],
    "consentGrants": [
        Case(
            "query($m: ID!) { consentGrants(memberId: $m, direction: GIVEN) "
            "{ nodes { id scope grantor { id name } grantee { id name } } } }",
            lambda b, me, pawn: {"m": gid("Member", b.member)},
        ),
        Case(
            "query($m: ID!) { consentGrants(memberId: $m, direction: RECEIVED) "
            "{ nodes { id scope grantor { id name } grantee { id name } } } }",
            lambda b, me, pawn: {"m": gid("Member", b.member)},
        ),
    ],
}


def _takes_id(arg_type: GraphQLInputType, seen: frozenset[str] = frozenset()) -> bool:
    named = get_named_type(arg_type)
    if named.name == "ID":
        return True
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        return any(_takes_id(f.type, seen | {named.name}) for f in named.fields.values())
    return False


def id_fields(schema: GraphQLSchema) -> set[str]:
    """Root Query/Mutation fields with an ID argument, directly or inside an input."""
    found = set()
    for root in (schema.query_type, schema.mutation_type):
        if isinstance(root, GraphQLObjectType):
            for name, root_field in root.fields.items():
                if any(_takes_id(arg.type) for arg in root_field.args.values()):
                    found.add(name)
    return found


def plugin_fields(app: Litestar) -> set[str]:
    """Root fields contributed by plugins: each plugin's own tests hold their cases."""
    names: set[str] = set()
    for _slug, part in app.state.kernel.plugins.declarations("register_graphql"):
        for root in (part.query, part.mutation):
            if root is not None:
                names |= {
                    f.graphql_name or to_camel_case(f.python_name)
                    for f in root.__strawberry_definition__.fields
                }
    return names


def test_every_id_taking_field_has_a_case(app: Litestar) -> None:
    schemas = app.state.schemas
    fields = id_fields(schemas.public._schema) | id_fields(schemas.privileged._schema)
    fields -= plugin_fields(app)
    missing = sorted(fields - set(CASES))
    assert not missing, f"add cross-member cases to tests/test_cross_member.py for: {missing}"
    stale = sorted(set(CASES) - fields)
    assert not stale, f"cases for fields no longer in the schema: {stale}"


async def _snapshot() -> dict[str, list[dict[str, Any]]]:
    snapshot = {}
    for table in registered_tables():
        rows = await unscoped(table).select().order_by(table._meta.primary_key)
        snapshot[table._meta.tablename] = rows
    return snapshot


async def _api_key(
    kernel: Kernel, member_id: int, name: str, actions: list[str]
) -> tuple[int, str]:
    secret = new_api_key()
    now = kernel.clock()
    key = ApiKey(
        member=member_id,
        name=name,
        prefix=secret.prefix,
        key_hash=secret.hashed,
        actions=actions,
        created_at=now,
        last_used_at=now,
    )
    rows = await scoped(ApiKey, member_id).insert(key).returning(ApiKey.id)
    return int(rows[0]["id"]), secret.plaintext


async def _scene(
    kernel: Kernel, factory: Factory
) -> tuple[Target, list[Caller], int, list[str], list[str]]:
    alliance_a = await factory.alliance(slug="alpha-alliance", name="Alpha Alliance")
    alliance_b = await factory.alliance(slug="bravo-alliance", name="Bravo Secret Alliance")
    member_a = await factory.member(alliance_a, slug="alpha-store", name="Alpha Store")
    member_a2 = await factory.member(alliance_b, slug="neighbour-store", name="Neighbour Store")
    member_b = await factory.member(
        alliance_b, kind="leader", slug="bravo-leader", name="Bravo Secret Leader"
    )
    owner_a = await factory.user(display_name="Alpha Owner")
    owner_a2 = await factory.user(display_name="Neighbour Owner")
    owner_b = await factory.user(email="bravo-owner@secret.test", display_name="Bravo Owner")
    staff_b = await factory.user(email="bravo-staff@secret.test", display_name="Bravo Staff")
    pawn = await factory.user(display_name="Pawn")
    await factory.membership(member_a, owner_a, "owner")
    await factory.membership(member_a2, owner_a2, "owner")
    await factory.membership(member_b, owner_b, "owner")
    await factory.membership(member_b, staff_b, "staff")
    community_a = await factory.community(alliance_a, name="Alpha Gardens")
    community_b = await factory.community(alliance_b, name="Bravo Secret Gardens")
    unserved_b = await factory.community(alliance_b, name="Bravo Quiet Court")
    await scoped(MemberCommunity, member_b.id).insert(
        MemberCommunity(member=member_b.id, community=community_b.id, created_at=kernel.clock())
    )
    key_b, _ = await _api_key(kernel, member_b.id, "bravo-secret-key", KEY_ACTIONS)
    every_member_action = [
        "kernel.members.read",
        "kernel.members.manage",
        "kernel.memberships.manage",
        "kernel.apikeys.manage",
        "kernel.communities.serve",
    ]
    _, key_a = await _api_key(kernel, member_a.id, "alpha-key", every_member_action)

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    callers = [
        Caller("anonymous", {}, member_a.id, community_a.id, False),
        Caller(
            "foreign",
            bearer((await factory.sign_in(owner_a)).token),
            member_a.id,
            community_a.id,
            False,
        ),
        Caller(
            "neighbour",
            bearer((await factory.sign_in(owner_a2)).token),
            member_a2.id,
            unserved_b.id,
            True,
            elsewhere=community_a.id,
        ),
        Caller("api key", {"Authorization": f"ApiKey {key_a}"}, member_a.id, community_a.id, False),
    ]
    target = Target(alliance_b.id, member_b.id, community_b.id, unserved_b.id, staff_b.id, key_b)
    public = [
        "bravo-alliance",
        "Bravo Secret",
        "bravo-leader",
        gid("Alliance", alliance_b.id),
        gid("Member", member_b.id),
        gid("Community", community_b.id),
    ]
    private = [
        "bravo-owner@",
        "bravo-staff@",
        "Bravo Owner",
        "Bravo Staff",
        "bravo-secret-key",
        gid("ApiKey", key_b),
        gid("User", owner_b.id),
        gid("User", staff_b.id),
    ]
    return target, callers, pawn.id, public, private


# Fields whose B data (but none of B's private data) a neighbour in B's alliance may read.
READABLE = {"alliance", "members", "member", "communities"}


def _expected_codes(caller: Caller) -> set[str]:
    if caller.name == "anonymous":
        return {"UNAUTHENTICATED"}
    if caller.name == "foreign":
        # Another alliance's member: B's objects must look exactly like missing ones.
        return {"NOT_FOUND"}
    return {"NOT_FOUND", "FORBIDDEN"}


async def test_no_caller_sees_or_changes_another_members_data(
    kernel: Kernel, factory: Factory, gql: GraphQLClient, app: Litestar
) -> None:
    target, callers, pawn, public, private = await _scene(kernel, factory)
    fields = id_fields(app.state.schemas.public._schema)
    failures: list[str] = []
    for field_name, cases in sorted(CASES.items()):
        assert field_name in fields, f"case for {field_name}, which the schema no longer has"
        for number, case in enumerate(cases):
            for caller in callers:
                label = f"{field_name}#{number} as {caller.name}"
                before = await _snapshot()
                result = await gql(
                    case.document, case.variables(target, caller, pawn), headers=caller.headers
                )
                after = await _snapshot()
                body = json.dumps(result.body, ensure_ascii=False)
                changed = [t for t in before if before[t] != after[t]]
                if changed:
                    failures.append(f"{label}: rows changed in {changed}")
                leaked = [m for m in private if m in body]
                if not caller.may_see_public:
                    leaked += [m for m in public if m in body]
                if leaked:
                    failures.append(f"{label}: leaked {leaked} in {body}")
                codes = set(result.codes)
                # A neighbour may read B's public profile: only private sub-fields refuse.
                refused = bool(codes) and codes <= _expected_codes(caller)
                if not refused and not (caller.may_see_public and field_name in READABLE):
                    failures.append(f"{label}: codes {sorted(codes)}: {body}")
                if caller.name == "foreign" and codes == {"NOT_FOUND"}:
                    ghost = await gql(
                        case.document,
                        case.variables(target.ghost(), caller, pawn),
                        headers=caller.headers,
                    )
                    if [e["message"] for e in ghost.errors] != [
                        e["message"] for e in result.errors
                    ]:
                        failures.append(
                            f"{label}: differs from a missing object: {body} vs "
                            f"{json.dumps(ghost.body)}"
                        )
    assert not failures, "\n".join(failures)
