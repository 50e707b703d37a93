"""Signed app tokens: who they prove, and every way a token is refused."""
from __future__ import annotations

import argparse
import stat
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.identity as identity
from bot.identity import (
    AUDIENCE,
    DEFAULT_LIFETIME,
    BadSignature,
    InvalidToken,
    MalformedToken,
    Principal,
    Role,
    TokenExpired,
    WeakSecret,
    WrongAudience,
    issue_token,
    load_secret,
    principal_from_metadata,
    proof_expired,
    verify_token,
)
from bot.identity.cli import add_token_arguments, token_from_arguments

SECRET = "test-secret-" + "x" * 60
OTHER_SECRET = "other-secret-" + "y" * 40


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _signed(claims: dict, secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def _claims(**changes) -> dict:
    now = _now()
    claims = {"sub": "C000123", "role": "client", "aud": AUDIENCE,
              "iat": int(now.timestamp()), "exp": int((now + timedelta(hours=1)).timestamp())}
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def test_public_names_exist():
    for name in identity.__all__:
        assert hasattr(identity, name), name


@pytest.mark.parametrize("role,subject_id", [(Role.CLIENT, "C000123"), (Role.ADVISOR, "RM001"), (Role.AGENT, "A007")])
def test_a_token_proves_its_role_and_subject_until_it_expires(role, subject_id):
    issued_at = _now()
    principal = verify_token(issue_token(role, subject_id, SECRET, now=issued_at), SECRET)
    assert principal == Principal(role, subject_id, issued_at + DEFAULT_LIFETIME)
    assert principal.conversation_id == f"{role.value}:{subject_id}"


def test_expired_token_is_refused_as_expired():
    token = issue_token(Role.CLIENT, "C000123", SECRET, now=_now() - DEFAULT_LIFETIME - timedelta(hours=1))
    with pytest.raises(TokenExpired):
        verify_token(token, SECRET)


def test_token_for_another_audience_is_refused():
    token = issue_token(Role.CLIENT, "C000123", SECRET, audience="some-other-service")
    with pytest.raises(WrongAudience):
        verify_token(token, SECRET)


def test_token_signed_with_another_key_is_refused():
    with pytest.raises(BadSignature):
        verify_token(issue_token(Role.CLIENT, "C000123", OTHER_SECRET), SECRET)


def test_changing_the_subject_of_a_signed_token_breaks_it():
    header, _, signature = issue_token(Role.CLIENT, "C000123", SECRET).split(".")
    forged_payload = _signed(_claims(sub="C000999")).split(".")[1]
    with pytest.raises(BadSignature):
        verify_token(f"{header}.{forged_payload}.{signature}", SECRET)


@pytest.mark.parametrize("algorithm", ["none", "HS512"])
def test_other_algorithms_are_refused(algorithm):
    token = jwt.encode(_claims(), None if algorithm == "none" else SECRET, algorithm=algorithm)
    with pytest.raises(BadSignature):
        verify_token(token, SECRET)


@pytest.mark.parametrize("token", [None, 42, {"token": "x"}, "", "not a token", "a.b.c", "x" * 5000])
def test_what_is_not_a_token_is_malformed(token):
    with pytest.raises(MalformedToken):
        verify_token(token, SECRET)


@pytest.mark.parametrize("changes", [
    {"role": None},                  # missing role
    {"sub": None},                   # missing subject
    {"exp": None},                   # no expiry
    {"iat": None},
    {"role": "admin"},               # a role we do not know
    {"role": ["client"]},
    {"sub": "C000123:client:C1"},    # would reach into another conversation id
    {"sub": "客户"},
    {"sub": 123},
    {"iat": int((_now() + timedelta(hours=1)).timestamp())},  # issued in the future
])
def test_signed_token_with_bad_claims_is_malformed(changes):
    with pytest.raises(MalformedToken):
        verify_token(_signed(_claims(**changes)), SECRET)


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=300),
    st.builds(lambda cut, junk: issue_token(Role.CLIENT, "C000123", SECRET)[:cut] + junk,
              st.integers(0, 250), st.text(max_size=20)),
))
def test_no_pyjwt_error_escapes_untranslated(token):
    try:
        verify_token(token, SECRET)
    except InvalidToken as error:
        assert not isinstance(error, jwt.PyJWTError)


def test_the_error_tree_is_ours():
    for error in (TokenExpired, WrongAudience, BadSignature, MalformedToken):
        assert issubclass(error, InvalidToken) and not issubclass(error, jwt.PyJWTError)


# --- claims in Rasa metadata ----------------------------------------------------------


def _principal(hours: float = 1) -> Principal:
    return Principal(Role.CLIENT, "C000123", _now() + timedelta(hours=hours))


def test_metadata_carries_the_claims_and_nothing_else():
    principal = _principal()
    metadata = principal.to_metadata()
    assert set(metadata) == {"verified", "role", "subject_id", "expires_at"}
    assert principal_from_metadata(metadata, input_channel="app") == principal


def test_claims_posted_through_the_rest_channel_are_not_trusted():
    assert principal_from_metadata(_principal().to_metadata(), input_channel="rest") is None


def test_claims_past_their_expiry_are_not_trusted():
    principal = _principal()
    later = principal.expires_at + timedelta(seconds=1)
    assert principal_from_metadata(principal.to_metadata(), input_channel="app", now=later) is None


@pytest.mark.parametrize("metadata", [
    None,
    {},
    {"verified": False, "reason": "missing"},
    {"verified": "true", "role": "client", "subject_id": "C000123", "expires_at": "2999-01-01T00:00:00+00:00"},
    {"verified": True, "role": "root", "subject_id": "C000123", "expires_at": "2999-01-01T00:00:00+00:00"},
    {"verified": True, "role": "client", "expires_at": "2999-01-01T00:00:00+00:00"},
    {"verified": True, "role": "client", "subject_id": "C000123", "expires_at": "tomorrow"},
    {"verified": True, "role": "client", "subject_id": "C000123", "expires_at": "2999-01-01T00:00:00"},
])
def test_metadata_that_is_not_a_proof_gives_no_principal(metadata):
    assert principal_from_metadata(metadata, input_channel="app") is None


def test_a_proof_that_ran_out_is_told_apart_from_no_proof():
    principal = _principal()
    later = principal.expires_at + timedelta(seconds=1)
    assert proof_expired(principal.to_metadata(), input_channel="app", now=later)
    assert not proof_expired(principal.to_metadata(), input_channel="app")
    assert proof_expired({"verified": False, "reason": "expired"}, input_channel="app")
    assert not proof_expired({"verified": False, "reason": "missing"}, input_channel="app")


@pytest.mark.parametrize("metadata", [
    None, {}, {"verified": True, "expires_at": "tomorrow"}, {"verified": True, "expires_at": "2000-01-01T00:00:00"},
    {"verified": "false", "reason": "expired"},
])
def test_what_is_not_an_expired_proof(metadata):
    assert not proof_expired(metadata, input_channel="app")


def test_an_expired_reason_posted_to_the_rest_channel_is_not_believed():
    assert not proof_expired({"verified": False, "reason": "expired"}, input_channel="rest")


# --- the secret -------------------------------------------------------------------


def test_secret_from_the_environment(tmp_path):
    secret_file = tmp_path / "var" / "app_token_secret"
    assert load_secret({"APP_TOKEN_SECRET": SECRET}, secret_file) == SECRET.encode()
    assert not secret_file.exists()


def test_short_secret_from_the_environment_is_refused(tmp_path):
    with pytest.raises(WeakSecret):
        load_secret({"APP_TOKEN_SECRET": "short"}, tmp_path / "app_token_secret")


def test_dev_secret_is_made_once_readable_only_by_its_owner(tmp_path):
    secret_file = tmp_path / "var" / "app_token_secret"
    first = load_secret({}, secret_file)
    assert len(first) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert load_secret({}, secret_file) == first
    assert list(secret_file.parent.iterdir()) == [secret_file]  # no draft left behind


def test_dev_secret_file_readable_by_others_is_closed(tmp_path):
    secret_file = tmp_path / "app_token_secret"
    secret_file.write_text("z" * 64)
    secret_file.chmod(0o644)
    assert load_secret({}, secret_file) == b"z" * 64
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_truncated_dev_secret_is_refused(tmp_path):
    secret_file = tmp_path / "app_token_secret"
    secret_file.write_text("short\n")
    with pytest.raises(WeakSecret):
        load_secret({}, secret_file)


# --- python -m bot token ---------------------------------------------------------------


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot token")
    add_token_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.parametrize("option,role", [("--client", Role.CLIENT), ("--advisor", Role.ADVISOR), ("--agent", Role.AGENT)])
def test_token_command_prints_a_token_the_channel_accepts(option, role):
    token = token_from_arguments(_parse(option, "X001"), {"APP_TOKEN_SECRET": SECRET})
    principal = verify_token(token, SECRET)
    assert (principal.role, principal.subject_id) == (role, "X001")


def test_token_command_lifetime_in_hours():
    token = token_from_arguments(_parse("--advisor", "RM001", "--hours", "2"), {"APP_TOKEN_SECRET": SECRET})
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 2 * 3600


@pytest.mark.parametrize("argv", [[], ["--client", "C1", "--advisor", "RM001"]])
def test_token_command_needs_exactly_one_subject(argv, capsys):
    with pytest.raises(SystemExit):
        _parse(*argv)


@pytest.mark.parametrize("argv", [["--client", "C1 23"], ["--client", "C1", "--hours", "0"]])
def test_token_command_refuses_bad_input(argv):
    with pytest.raises(SystemExit):
        token_from_arguments(_parse(*argv), {"APP_TOKEN_SECRET": SECRET})
