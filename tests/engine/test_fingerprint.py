"""The fingerprint tag: it proves a stack without secrets unchanged, and says nothing about a
secret value, so a guess can never be confirmed against it."""

from __future__ import annotations

import hashlib
import json

from orchestrator.engine.fingerprint import TAG, already_deployed, stamped

BODY = '{"Parameters": {"Bucket": {"Type": "String", "NoEcho": true}}}'
TAGS = {"firefly:project": "demo"}


def old_formula(parameters: dict[str, str]) -> str:
    """The fingerprint before secrets were left out: SHA-256 over everything submitted."""
    payload = json.dumps(
        {"template": BODY, "parameters": dict(sorted(parameters.items())), "tags": TAGS},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def test_the_same_submission_without_secrets_is_already_deployed() -> None:
    tags = stamped(TAGS, BODY, {"Env": "dev"})

    assert already_deployed(tags, stamped(TAGS, BODY, {"Env": "dev"}))
    assert not already_deployed(tags, stamped(TAGS, BODY, {"Env": "prd"}))
    assert not already_deployed(tags, stamped(TAGS, BODY + " ", {"Env": "dev"}))


def test_a_submission_with_secrets_is_never_already_deployed_by_its_tag() -> None:
    parameters = {"Env": "dev", "Bucket": "the-true-secret"}
    tags = stamped(TAGS, BODY, parameters, secret={"Bucket"})

    assert not already_deployed(tags, stamped(TAGS, BODY, parameters, secret={"Bucket"}))


def test_the_tag_cannot_tell_the_true_secret_from_a_guess() -> None:
    true = stamped(TAGS, BODY, {"Env": "dev", "Bucket": "the-true-secret"}, secret={"Bucket"})
    guess = stamped(TAGS, BODY, {"Env": "dev", "Bucket": "a-wrong-guess"}, secret={"Bucket"})

    assert true[TAG] == guess[TAG]  # the secret does not enter it at all
    assert "the-true-secret" not in true[TAG]
    assert true[TAG] != old_formula({"Env": "dev", "Bucket": "the-true-secret"})
    assert true[TAG].removeprefix("nosecrets-") != old_formula(
        {"Env": "dev", "Bucket": "the-true-secret"}
    )


def test_public_parameters_still_change_a_fingerprint_with_secrets() -> None:
    one = stamped(TAGS, BODY, {"Env": "dev", "Bucket": "the-true-secret"}, secret={"Bucket"})
    other = stamped(TAGS, BODY, {"Env": "prd", "Bucket": "the-true-secret"}, secret={"Bucket"})

    assert one[TAG] != other[TAG]
