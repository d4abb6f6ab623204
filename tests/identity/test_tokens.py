"""Access tokens (JWT) and opaque refresh tokens: the positive path and a catalogue of forgeries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.errors import ErrorCode, Unauthenticated
from kernel.identity.tokens import (
    AccessClaims,
    TokenCodec,
    hash_opaque_token,
    new_refresh_token,
)

SECRET = "test-secret-0123456789abcdef-0123456789abcdef"
OTHER_SECRET = "another-secret-0123456789abcdef-0123456789ab"
ISSUER = "https://alliance.test"
AUDIENCE = "alliance-api"
NOW = datetime(2030, 1, 1, tzinfo=UTC)  # 1893456000
EXP = NOW + timedelta(minutes=15)

# A real RSA-2048 public key (its private half was thrown away after signing RS256_TOKEN).
RSA_PUBLIC_PEM = """\
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArjt5dIulXArzssjMr6EY
rn2xPXPSL8Up3coqPKAZBwuWtvaNbGVNaTMINomRX5AVlfT3OVOEQXX/foLIfVkP
t55xCmfO+14HCz72q+rlvLVa4zc7WAvc/jHOPLX/QmW5DRCrTm5QZkUMQsMMxS/R
vb3/rG1LwcdpYXFDKG+fIEaJLMN+HYM0ETWa07Tr4Mru+hDaLcb8ww5IxtqkOWsU
SNVULiEGkfWY8sRFJDYvb4x2UiRnV0o8bEbEQU0dc04mPEtEF4c5uUg7SF5S4Bqh
dr9IcsTs1lQmNM7E9MJ0DDNj1fdAe+hU1ITUm++Ymg/hXM2O9izVxxE6ZmiKUFZc
2wIDAQAB
-----END PUBLIC KEY-----
"""
# Signed with `openssl dgst -sha256 -sign` by that key; claims otherwise valid at NOW.
RS256_TOKEN = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxIiwic2lkIjoiczEiLCJpYXQiOjE4OTM0NTYwMDAsIm5iZiI6MTg5MzQ1NjAwMCwiZXhwIjoxOD"
    "kzNDU2OTAwLCJpc3MiOiJodHRwczovL2FsbGlhbmNlLnRlc3QiLCJhdWQiOiJhbGxpYW5jZS1hcGkiLCJqdGki"
    "OiJyczI1Ni1qdGkiLCJ0eXAiOiJhY2Nlc3MifQ."
    "Lvvs9IZPuru4yJO1DYeScuDoBArLQsURtBRhtqER6Kzee_SlHCnXb5s2vKJf-aT8sdPIP7p0Cn628M_naEx_K4CY"
    "pavuKoBSCCNsGbTO4rP0eyb6g6LVSY5kf6IgHIoVfT4jVQL7Z4F-C86tS37UhbpKr9Uu_gwJ2fCfzvs4j62K_KrV"
    "I6SijbyU097luNGUnKLAKMOxuAZ09RO67f9c1Q9jTneeeEUYGYu6-guvviVz4SZJifcRFnIkXBQuuoYokONoG8pc"
    "gUUoybm2dh3SGUG2o12iUHBnAaXjjrChXQYrzokMBuUfln1P3UbbmZiikSgjLQbD103V_JlRPkZBtg"
)

INVALID = "invalid or expired access token"


@pytest.fixture
def codec() -> TokenCodec:
    return TokenCodec(SECRET, ISSUER, AUDIENCE)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(obj: object) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def good_claims(**overrides: Any) -> dict[str, Any]:
    """The claims issue_access would produce at NOW, with overrides (None deletes a claim)."""
    ts = int(NOW.timestamp())
    claims: dict[str, Any] = {
        "sub": "42",
        "sid": "session-1",
        "iat": ts,
        "nbf": ts,
        "exp": ts + 900,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": "jti-1",
        "typ": "access",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


_HMAC_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def hs256(claims: dict[str, Any], key: str | bytes = SECRET, alg: str = "HS256") -> str:
    """Sign by hand, so that tests can use keys and algorithms PyJWT would refuse to use."""
    key_bytes = key.encode() if isinstance(key, str) else key
    signing_input = f"{b64json({'alg': alg, 'typ': 'JWT'})}.{b64json(claims)}"
    signature = hmac.new(key_bytes, signing_input.encode(), _HMAC_HASHES[alg]).digest()
    return f"{signing_input}.{b64url(signature)}"


def assert_refused(codec: TokenCodec, token: str, message: str = INVALID) -> None:
    with pytest.raises(Unauthenticated) as info:
        codec.decode_access(token, now=NOW)
    assert info.value.message == message
    assert info.value.code is ErrorCode.UNAUTHENTICATED


# --- positive path -------------------------------------------------------------------------


def test_round_trip(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=42, session_id="session-1", now=NOW)
    claims = codec.decode_access(token, now=NOW)
    assert claims == AccessClaims(
        user_id=42, session_id="session-1", jti=claims.jti, expires_at=EXP
    )
    assert claims.jti


def test_issued_claims_are_complete(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=7, session_id="s", now=NOW)
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    ts = int(NOW.timestamp())
    assert payload == {
        "sub": "7",
        "sid": "s",
        "iat": ts,
        "nbf": ts,
        "exp": ts + 900,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": payload["jti"],
        "typ": "access",
    }


def test_jti_is_unique(codec: TokenCodec) -> None:
    tokens = {codec.issue_access(user_id=1, session_id="s", now=NOW) for _ in range(20)}
    jtis = {codec.decode_access(t, now=NOW).jti for t in tokens}
    assert len(jtis) == 20


def test_real_clock_default(codec: TokenCodec) -> None:
    claims = codec.decode_access(codec.issue_access(user_id=1, session_id="s"))
    remaining = claims.expires_at - datetime.now(UTC)
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)


def test_custom_ttl() -> None:
    codec = TokenCodec(SECRET, ISSUER, AUDIENCE, access_ttl=timedelta(minutes=5))
    token = codec.issue_access(user_id=1, session_id="s", now=NOW)
    assert codec.decode_access(token, now=NOW).expires_at == NOW + timedelta(minutes=5)


def test_fractional_now_is_truncated_to_whole_seconds(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=1, session_id="s", now=NOW + timedelta(seconds=0.9))
    assert codec.decode_access(token, now=NOW).expires_at == EXP


# --- the clock ---------------------------------------------------------------------------


def test_valid_just_before_expiry(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=1, session_id="s", now=NOW)
    codec.decode_access(token, now=EXP - timedelta(microseconds=1))


def test_expired_at_exactly_exp(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=1, session_id="s", now=NOW)
    with pytest.raises(Unauthenticated, match=r"^access token expired$"):
        codec.decode_access(token, now=EXP)


def test_expired_long_after(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=1, session_id="s", now=NOW - timedelta(days=1))
    assert_refused(codec, token, "access token expired")


def test_leeway_extends_both_ends() -> None:
    codec = TokenCodec(SECRET, ISSUER, AUDIENCE, leeway_seconds=30)
    token = codec.issue_access(user_id=1, session_id="s", now=NOW)
    codec.decode_access(token, now=EXP + timedelta(seconds=29))
    codec.decode_access(token, now=NOW - timedelta(seconds=30))
    with pytest.raises(Unauthenticated, match="expired"):
        codec.decode_access(token, now=EXP + timedelta(seconds=30))
    with pytest.raises(Unauthenticated, match=INVALID):
        codec.decode_access(token, now=NOW - timedelta(seconds=31))


def test_not_yet_valid(codec: TokenCodec) -> None:
    ts = int(NOW.timestamp())
    assert_refused(codec, hs256(good_claims(nbf=ts + 60)))


def test_issued_in_the_future(codec: TokenCodec) -> None:
    ts = int(NOW.timestamp())
    assert_refused(codec, hs256(good_claims(iat=ts + 60, nbf=ts)))


def test_token_from_the_future_is_not_valid_yet(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=1, session_id="s", now=NOW + timedelta(seconds=1))
    assert_refused(codec, token)


def test_expiry_is_checked_without_now_too(codec: TokenCodec) -> None:
    # The real clock is far past the fixed NOW: PyJWT's own exp check is off, ours must not be.
    token = codec.issue_access(user_id=1, session_id="s", now=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(Unauthenticated, match="expired"):
        codec.decode_access(token)


def test_nbf_is_checked_without_now_too(codec: TokenCodec) -> None:
    far_future = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
    token = hs256(good_claims(iat=far_future - 10, nbf=far_future, exp=far_future + 900))
    with pytest.raises(Unauthenticated, match=INVALID):
        codec.decode_access(token)


def test_naive_now_is_a_programming_error(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=1, session_id="s", now=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        codec.decode_access(token, now=datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        codec.issue_access(user_id=1, session_id="s", now=datetime(2030, 1, 1))


# --- algorithm attacks -------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_refused(codec: TokenCodec, alg: str) -> None:
    token = f"{b64json({'alg': alg, 'typ': 'JWT'})}.{b64json(good_claims())}."
    assert_refused(codec, token)


def test_alg_none_with_a_signature_refused(codec: TokenCodec) -> None:
    genuine = codec.issue_access(user_id=42, session_id="session-1", now=NOW)
    signature = genuine.rsplit(".", 1)[1]
    token = f"{b64json({'alg': 'none'})}.{b64json(good_claims())}.{signature}"
    assert_refused(codec, token)


def test_missing_alg_refused(codec: TokenCodec) -> None:
    token = f"{b64json({'typ': 'JWT'})}.{b64json(good_claims())}."
    assert_refused(codec, token)


def test_rs256_token_refused(codec: TokenCodec) -> None:
    assert jwt.get_unverified_header(RS256_TOKEN)["alg"] == "RS256"
    assert_refused(codec, RS256_TOKEN)


def test_key_confusion_hs256_signed_with_public_key_refused(codec: TokenCodec) -> None:
    # The classic attack on servers that verify with a public key and trust the header's alg.
    for key in (RSA_PUBLIC_PEM, RSA_PUBLIC_PEM.strip(), RSA_PUBLIC_PEM.encode()):
        assert_refused(codec, hs256(good_claims(), key=key))


def test_public_key_pem_is_not_accepted_as_a_secret() -> None:
    with pytest.raises(ValueError, match="unusable token secret"):
        TokenCodec(RSA_PUBLIC_PEM, ISSUER, AUDIENCE)


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_hmac_algorithms_refused(codec: TokenCodec, alg: str) -> None:
    # Signed with our own secret: only the allow-list stands in the way.
    assert_refused(codec, hs256(good_claims(), alg=alg))


# --- claims ------------------------------------------------------------------------------


def test_hand_signed_good_claims_accepted(codec: TokenCodec) -> None:
    # Guards the helpers: every refusal below differs from this token in one way only.
    assert codec.decode_access(hs256(good_claims()), now=NOW).user_id == 42


def test_wrong_issuer(codec: TokenCodec) -> None:
    assert_refused(codec, hs256(good_claims(iss="https://evil.test")))
    other = TokenCodec(SECRET, "https://other.test", AUDIENCE)
    assert_refused(codec, other.issue_access(user_id=1, session_id="s", now=NOW))


def test_wrong_audience(codec: TokenCodec) -> None:
    assert_refused(codec, hs256(good_claims(aud="other-api")))
    other = TokenCodec(SECRET, ISSUER, "other-api")
    assert_refused(codec, other.issue_access(user_id=1, session_id="s", now=NOW))


def test_audience_list_refused(codec: TokenCodec) -> None:
    assert_refused(codec, hs256(good_claims(aud=[AUDIENCE, "other-api"])))
    assert_refused(codec, hs256(good_claims(aud=[AUDIENCE])))


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "iss", "aud", "sub", "sid", "jti", "typ"])
def test_missing_claim(codec: TokenCodec, claim: str) -> None:
    claims = good_claims()
    del claims[claim]
    assert_refused(codec, hs256(claims))


@pytest.mark.parametrize("typ", ["refresh", "Access", "", None, 1])
def test_wrong_typ(codec: TokenCodec, typ: object) -> None:
    claims = good_claims()
    claims["typ"] = typ
    assert_refused(codec, hs256(claims))


@pytest.mark.parametrize(
    "sub", [42, "", "abc", "042", "+42", " 42", "-1", "4.2", "\uff14\uff12", "1" * 21]
)
def test_malformed_subject(codec: TokenCodec, sub: object) -> None:
    assert_refused(codec, hs256(good_claims(sub=sub)))


@pytest.mark.parametrize(("claim", "value"), [("sid", ""), ("sid", 5), ("jti", ""), ("jti", 5)])
def test_malformed_session_or_jti(codec: TokenCodec, claim: str, value: object) -> None:
    assert_refused(codec, hs256(good_claims(**{claim: value})))


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", ["1893456900", 1893456900.5, True, [1893456900]])
def test_non_integer_times(codec: TokenCodec, claim: str, value: object) -> None:
    assert_refused(codec, hs256(good_claims(**{claim: value})))


# --- tampering -----------------------------------------------------------------------------


def test_tampered_payload(codec: TokenCodec) -> None:
    header, _, signature = codec.issue_access(user_id=42, session_id="s", now=NOW).split(".")
    forged = f"{header}.{b64json(good_claims(sub='1', sid='s'))}.{signature}"
    assert_refused(codec, forged)


def test_tampered_header(codec: TokenCodec) -> None:
    _, payload, signature = codec.issue_access(user_id=42, session_id="s", now=NOW).split(".")
    forged = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': 'x'})}.{payload}.{signature}"
    assert_refused(codec, forged)


def test_tampered_signature(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=42, session_id="s", now=NOW)
    head, signature = token.rsplit(".", 1)
    # Flip the first character: every bit of it is significant (the last one's are not all).
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    assert_refused(codec, f"{head}.{flipped}")
    assert_refused(codec, f"{head}.")
    assert_refused(codec, f"{head}.{signature[:-2]}")


def test_signed_with_another_secret(codec: TokenCodec) -> None:
    other = TokenCodec(OTHER_SECRET, ISSUER, AUDIENCE)
    assert_refused(codec, other.issue_access(user_id=42, session_id="s", now=NOW))
    assert_refused(codec, hs256(good_claims(), key=OTHER_SECRET))


# --- garbage -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "",
        " ",
        "garbage",
        "a.b.c",
        "..",
        "...",
        "a.b",
        "Bearer x.y.z",
        "eyJ.eyJ.eyJ",
        "\x00\x01\x02",
        "é.é.é",
        "\ud800.\ud800.\ud800",
        f"{b64json([1, 2])}.{b64json(good_claims())}.",
        f"{b64json({'alg': 'HS256'})}.{b64json([1, 2])}.",
        f"{b64json({'alg': 'HS256'})}.{b64url(b'not json')}.",
        f"{b64url(b'{')}.{b64json(good_claims())}.",
    ],
)
def test_garbage(codec: TokenCodec, token: str) -> None:
    assert_refused(codec, token)


def test_bearer_prefix_and_whitespace_are_not_stripped(codec: TokenCodec) -> None:
    token = codec.issue_access(user_id=1, session_id="s", now=NOW)
    assert_refused(codec, f"Bearer {token}")
    assert_refused(codec, f" {token}")


def test_oversized_token(codec: TokenCodec) -> None:
    assert_refused(codec, hs256(good_claims(sid="s" * 5_000)))


@settings(database=None, max_examples=300)
@given(
    st.text(max_size=400)
    # Lone surrogates (category Cs) are what JSON "\\ud800" escapes turn into.
    | st.text(st.characters(categories=["Cs", "Lu", "Nd", "Po"], max_codepoint=0xDFFF))
    | st.binary(max_size=300).map(b64url)
)
def test_fuzzed_input_only_ever_raises_unauthenticated(text: str) -> None:
    codec = TokenCodec(SECRET, ISSUER, AUDIENCE)
    for token in (text, f"{text}.{text}.{text}", f"{b64json({'alg': 'HS256'})}.{text}.{text}"):
        with pytest.raises(Unauthenticated):
            codec.decode_access(token, now=NOW)


# --- construction --------------------------------------------------------------------------


def test_secret_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        TokenCodec("x" * 31, ISSUER, AUDIENCE)
    TokenCodec("x" * 32, ISSUER, AUDIENCE)
    TokenCodec("é" * 16, ISSUER, AUDIENCE)  # 32 bytes in UTF-8


@pytest.mark.parametrize(
    "kwargs",
    [
        {"issuer": ""},
        {"audience": ""},
        {"access_ttl": timedelta(0)},
        {"access_ttl": timedelta(seconds=-5)},
        {"leeway_seconds": -1},
    ],
)
def test_bad_configuration(kwargs: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {"secret": SECRET, "issuer": ISSUER, "audience": AUDIENCE}
    with pytest.raises(ValueError):
        TokenCodec(**(arguments | kwargs))


@pytest.mark.parametrize(("user_id", "session_id"), [(-1, "s"), (True, "s"), ("1", "s"), (1, "")])
def test_bad_issue_arguments(codec: TokenCodec, user_id: Any, session_id: str) -> None:
    with pytest.raises(ValueError):
        codec.issue_access(user_id=user_id, session_id=session_id, now=NOW)


# --- refresh tokens ------------------------------------------------------------------------


def test_refresh_token_pair() -> None:
    token, digest = new_refresh_token()
    assert len(token) == 43  # 32 bytes, base64url without padding
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert digest == hash_opaque_token(token)
    assert len(digest) == 64


def test_refresh_tokens_are_unique() -> None:
    pairs = [new_refresh_token() for _ in range(100)]
    assert len({token for token, _ in pairs}) == 100
    assert len({digest for _, digest in pairs}) == 100


def test_hash_opaque_token_distinguishes() -> None:
    assert hash_opaque_token("a") != hash_opaque_token("b")
    assert hash_opaque_token("a") == hash_opaque_token("a")


def test_a_remembered_token_is_still_checked_against_the_clock(codec: TokenCodec) -> None:
    """Verified tokens are remembered (no second HMAC check), but never past their expiry,
    and a token differing in its signature alone is verified afresh."""
    token = codec.issue_access(user_id=7, session_id="s", now=NOW)
    assert codec.decode_access(token, now=NOW).user_id == 7
    assert codec.decode_access(token, now=NOW + timedelta(minutes=1)).user_id == 7
    with pytest.raises(Unauthenticated, match="expired"):
        codec.decode_access(token, now=EXP)
    with pytest.raises(Unauthenticated):
        codec.decode_access(token, now=NOW - timedelta(minutes=1))  # not valid yet
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(Unauthenticated):
        codec.decode_access(forged, now=NOW)
    other = TokenCodec(OTHER_SECRET, ISSUER, AUDIENCE)
    with pytest.raises(Unauthenticated):
        other.decode_access(token, now=NOW)  # remembered by `codec`, not by another secret's


def test_remembered_tokens_are_bounded(codec: TokenCodec) -> None:
    from kernel.identity.tokens import VERIFIED_CACHE_SIZE

    first = codec.issue_access(user_id=1, session_id="s", now=NOW)
    codec.decode_access(first, now=NOW)
    for n in range(VERIFIED_CACHE_SIZE):
        codec.decode_access(codec.issue_access(user_id=n, session_id="s", now=NOW), now=NOW)
    assert len(codec._verified) == VERIFIED_CACHE_SIZE
    assert first not in codec._verified
    assert codec.decode_access(first, now=NOW).user_id == 1  # verified again, still good
