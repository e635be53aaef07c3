"""After `firefly deploy --env local`, the HTTP API answers on the sandbox's port the way it
answers on AWS: curl with a token from the sandbox's Cognito reaches PATCH /firmware/{zip_name}/
status and gets seed 000's answers; without a token, API Gateway's 401."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.e2e.conftest import Firefly
from tests.sandbox.served_api_support import signed_in_user

CURL = "/usr/bin/curl"
PASSWORD = "Served-api-e2e-7!"
ROUTE = "func-api-firmware-status-patch"

pytestmark = pytest.mark.skipif(
    shutil.which(CURL) is None,
    reason=f"the served API is called with the real curl, {CURL} is absent",
)


@dataclass(frozen=True)
class Deployed:
    api_endpoint: str
    pool_id: str
    client_id: str
    table: str


def outputs(local: Firefly, workflow: str) -> dict[str, str]:
    result = local("outputs", "--env", "local", workflow, "--json")
    assert result.code == 0, result.err
    found: dict[str, str] = json.loads(result.out)
    return found


@pytest.fixture
def deployed(local: Firefly) -> Deployed:
    # the function reads the firmware table, which the manifest deploys beside it, not before it
    result = local("deploy", "--env", "local", "--only", ROUTE, "--only", "dynamodb-firmware")
    assert result.code == 0, result.out + result.err
    cognito = outputs(local, "cognito")
    return Deployed(
        outputs(local, "api-gateway")["ApiEndpoint"],
        cognito["UserPoolId"],
        cognito["UserPoolClientId"],
        outputs(local, "dynamodb-firmware")["TableName"],
    )


@pytest.fixture
def token(deployed: Deployed, aws: Callable[[str], Any]) -> Iterator[str]:
    """An access token of a new operator of the deployed pool, signed in as the tests sign in."""
    email, tokens = signed_in_user(aws, deployed.pool_id, deployed.client_id)
    yield tokens["AccessToken"]
    aws("cognito-idp").admin_delete_user(UserPoolId=deployed.pool_id, Username=email)


@pytest.fixture
def firmware(deployed: Deployed, aws: Callable[[str], Any]) -> Iterator[str]:
    zip_name = f"e2e-{uuid.uuid4().hex[:8]}.zip"
    dynamodb = aws("dynamodb")
    item = {"zip_name": {"S": zip_name}, "status": {"S": "READY_TO_TEST"}}
    dynamodb.put_item(TableName=deployed.table, Item=item)
    yield zip_name
    dynamodb.delete_item(TableName=deployed.table, Key={"zip_name": {"S": zip_name}})


def curl(url: str, status: str, token: str | None) -> tuple[int, dict[str, Any], str]:
    """PATCH `url` with `{"status": status}`: the status code, the JSON body, the headers."""
    command = [CURL, "--silent", "--show-error", "--max-time", "60", "--request", "PATCH"]
    command += ["--header", "Content-Type: application/json", "--dump-header", "-"]
    command += ["--data", json.dumps({"status": status}), "--write-out", "\n%{http_code}"]
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=90, check=True)
    head, _, rest = done.stdout.partition("\n\n")  # text mode made each CRLF a newline
    body, _, code = rest.rpartition("\n")
    return int(code), json.loads(body), head.lower()


def test_outputs_show_the_api_s_local_url(deployed: Deployed, sandbox_engine: SandboxInfo) -> None:
    assert deployed.api_endpoint.startswith(f"{sandbox_engine.endpoint}/_api/")


def test_curl_with_a_token_walks_the_release_state_machine(
    deployed: Deployed, token: str, firmware: str
) -> None:
    url = f"{deployed.api_endpoint}/firmware/{firmware}/status"

    moved = curl(url, "TESTING", token)
    again = curl(url, "TESTING", token)
    unknown = curl(f"{deployed.api_endpoint}/firmware/no-such-{firmware}/status", "TESTING", token)
    invalid = curl(url, "SHIPPED", token)

    assert moved[0] == 200, moved
    assert moved[1]["status"] == "TESTING"
    assert again[0] == 409, again  # TESTING -> TESTING is no transition of seed 000
    assert (again[1]["current_status"], again[1]["requested_status"]) == ("TESTING", "TESTING")
    assert unknown[0] == 404, unknown
    assert invalid[0] == 400, invalid


def test_curl_without_a_token_gets_api_gateway_s_401(deployed: Deployed, firmware: str) -> None:
    code, body, headers = curl(
        f"{deployed.api_endpoint}/firmware/{firmware}/status", "TESTING", None
    )

    assert (code, body) == (401, {"message": "Unauthorized"})
    assert "www-authenticate: bearer" in headers


def test_the_app_client_refuses_a_flow_it_does_not_enable(
    deployed: Deployed, aws: Callable[[str], Any]
) -> None:
    with pytest.raises(ClientError) as refused:
        aws("cognito-idp").initiate_auth(
            ClientId=deployed.client_id,
            AuthFlow="USER_PASSWORD_AUTH",  # the stack enables SRP and ADMIN_USER_PASSWORD only
            AuthParameters={"USERNAME": "someone@example.com", "PASSWORD": PASSWORD},
        )

    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
