"""The `run-integration-tests` suite: its verdicts over fakes, and issue 6's end-to-end run.

End to end: a fresh sandbox engine, `firefly deploy --env local` deploys every workflow and the
suite passes against it; a second deploy leaves every stack `unchanged` without creating a
single change set; a function broken behind CloudFormation's back makes the workflow fail.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from botocore.exceptions import ClientError

from orchestrator.aws.integration import CHECKS, IntegrationSuite, SuiteFailed, firmware, uploads
from orchestrator.aws.integration.api import ApiRequest, HttpApi
from orchestrator.aws.integration.runner import Outcome, run_check, spread, verdict
from orchestrator.aws.integration.support import CheckContext, CheckFailure
from orchestrator.engine.ports import StackSnapshot
from orchestrator.errors import Interrupted
from orchestrator.manifest.models import Environment
from tests.conftest import MANIFEST, CliResult, engine_process
from tests.local_http import serving, url
from tests.sandbox_access import session
from tests.waiting import DEADLINE

WORKFLOW = "run-integration-tests"
LOCAL = Environment("local", "us-east-1", None, True, False, {}, {})
DEV = Environment("dev", "us-east-1", "111111111111", False, False, {}, {})


# --- verdicts, over fakes ------------------------------------------------------------------


def test_a_passing_suite_is_one_summary_line() -> None:
    assert verdict(WORKFLOW, [Outcome("a"), Outcome("b")]) == "2 checks passed"


def test_what_could_not_be_cleaned_up_is_named_without_aws_detail() -> None:
    leftover = Outcome("a", None, ("delete the upload: DeleteObject refused: AccessDenied",))

    assert verdict(WORKFLOW, [leftover]) == (
        "1 check passed (1 cleanup step(s) failed, first in a: delete the upload)"
    )


def test_failures_are_counted_and_each_is_listed() -> None:
    outcomes = [Outcome("a"), Outcome("b", "expected 200, got 500"), Outcome("c", "boom")]

    with pytest.raises(SuiteFailed) as failed:
        verdict(WORKFLOW, outcomes)

    assert failed.value.message == (
        "run-integration-tests: 2 of 3 checks failed: b: expected 200, got 500"
    )
    assert failed.value.lines()[1:] == ["c: boom"]


class _Unused:
    subject = "nobody"

    def call(self, request: ApiRequest) -> Any:
        raise AssertionError("not called")


def _context(deployment: Any = None) -> CheckContext:
    return CheckContext(deployment, _Unused(), "ff-it-test", poll_seconds=0.01)


def test_an_error_in_a_check_is_its_failure_and_its_cleanup_still_runs() -> None:
    undone: list[str] = []

    def breaks(ctx: CheckContext) -> None:
        ctx.defer("undo", lambda: undone.append("undone"))
        raise KeyError("statusCode")

    outcome = run_check(breaks, _context())

    assert outcome == Outcome("breaks", "KeyError: 'statusCode'")
    assert undone == ["undone"]


def test_a_bounded_wait_names_what_never_came() -> None:
    with pytest.raises(CheckFailure, match="the build leaving PENDING not seen within"):
        _context().wait_for("the build leaving PENDING", lambda: None, interval=0.001)


@dataclass
class _Stacks:
    outputs: Mapping[str, Mapping[str, str]]

    def snapshot(self, names: Sequence[str]) -> dict[str, StackSnapshot]:
        return {
            name: StackSnapshot(name, "CREATE_COMPLETE", outputs=self.outputs[name])
            for name in names
            if name in self.outputs
        }


def local_suite(*checks: Callable[[CheckContext], None], workers: int = 4) -> IntegrationSuite:
    """The suite on a sandbox environment whose one stack is func-status, running `checks`."""
    stacks = _Stacks({"firefly-func-status": {"FunctionName": "firefly-status"}})
    return IntegrationSuite(
        stacks,
        {"func-status": "firefly-func-status"},
        lambda service: None,
        LOCAL,
        {},
        checks=checks,
        workers=workers,
    )


def test_the_suite_runs_every_check_and_fails_with_the_first_failure() -> None:
    def passes(ctx: CheckContext) -> None:
        pass

    def fails(ctx: CheckContext) -> None:
        raise CheckFailure(f"{ctx.deployment.output('func-status', 'FunctionName')} said 500")

    suite = local_suite(passes, fails, passes)

    with pytest.raises(
        SuiteFailed,
        match=r"^run-integration-tests: 1 of 3 checks failed: "
        r"fails: firefly-status said 500$",
    ):
        suite.run(WORKFLOW, threading.Event())


def test_independent_checks_run_at_once() -> None:
    # each check waits for the others: the suite passes only if all four run together
    together = threading.Barrier(4, timeout=DEADLINE)

    def meets(ctx: CheckContext) -> None:
        together.wait()

    assert local_suite(meets, meets, meets, meets, workers=4).run(WORKFLOW, threading.Event()) == (
        "4 checks passed"
    )


def test_the_first_wave_of_checks_spans_every_flow() -> None:
    flows = {check.__module__ for check in CHECKS}

    first_wave = {check.__module__ for check in CHECKS[: len(flows)]}

    assert first_wave == flows
    assert spread([1, 2, 3], [4], [5, 6]) == (1, 4, 5, 2, 6, 3)


def test_each_flow_leads_with_its_longest_check() -> None:
    """The suite ends with its longest chain of checks on one worker: a flow's long check that
    starts in a later wave, after another long one, is what made the chain (on a cold engine,
    the upload flow followed the firmware release by a second)."""
    first_wave = set(CHECKS[:5])

    assert {firmware.firmware_release_flow, uploads.qr_upload_completes_session} <= first_wave


def test_an_interrupt_stops_the_suite_between_checks() -> None:
    stop = threading.Event()
    ran = []

    def interrupted_here(ctx: CheckContext) -> None:
        ran.append("first")
        stop.set()  # as Ctrl-C does while this check runs

    def later(ctx: CheckContext) -> None:
        ran.append("later")

    suite = local_suite(interrupted_here, later, later, workers=1)

    with pytest.raises(
        Interrupted,
        match=r"^run-integration-tests: interrupted after 1 of 3 checks \(each cleaned up",
    ):
        suite.run(WORKFLOW, stop)
    assert ran == ["first"]


def _jwt(claims: Mapping[str, str]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{payload}.signature"


class _ApiStub(BaseHTTPRequestHandler):
    """The deployed HTTP API, as far as the suite can tell: 401 without a bearer token."""

    seen: ClassVar[list[tuple[str, str, str | None, bytes]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        token = self.headers.get("Authorization")
        self.seen.append((self.command, self.path, token, body))
        status, answer = (401, {"message": "Unauthorized"}) if not token else (200, {"ok": 1})
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PATCH = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def api_stub() -> Iterator[str]:
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _ApiStub)) as server:
        yield url(server)


def test_on_a_real_environment_routes_go_to_the_http_api_with_the_token(api_stub: str) -> None:
    _ApiStub.seen.clear()
    api = HttpApi(api_stub + "/", _jwt({"sub": "user-7"}))

    answered = api.call(
        ApiRequest(
            "PATCH /firmware/{zip_name}/status", {"zip_name": "f.zip"}, body={"status": "TESTING"}
        )
    )
    refused = api.call(ApiRequest("GET /registration-keys", query={"limit": "5"}, with_token=False))

    assert api.subject == "user-7"
    assert (answered.status, answered.body) == (200, {"ok": 1})
    assert (refused.status, refused.body) == (401, {"message": "Unauthorized"})
    assert _ApiStub.seen == [
        ("PATCH", "/firmware/f.zip/status", f"Bearer {api.token}", b'{"status": "TESTING"}'),
        ("GET", "/registration-keys?limit=5", None, b""),
    ]


class _Cognito:
    """The user pool as the suite uses it; refuses to make users when `refuse` is set."""

    def __init__(self, token: str, refuse: bool = False) -> None:
        self.token, self.refuse, self.calls = token, refuse, []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            user = kwargs.get("Username") or kwargs.get("AuthParameters", {}).get("USERNAME")
            self.calls.append((name, user))
            if self.refuse:
                error = {"Error": {"Code": "AccessDeniedException", "Message": "no"}}
                raise ClientError(error, name)
            return {"AuthenticationResult": {"AccessToken": self.token}}

        return call


def signed_in_suite(
    env: Environment, api_endpoint: str, cognito: _Cognito, environ: Mapping[str, str]
) -> IntegrationSuite:
    """The suite with one check that calls PATCH /firmware/{zip_name}/status."""
    stacks = _Stacks(
        {
            "firefly-api-gateway": {"ApiEndpoint": api_endpoint},
            "firefly-cognito": {"UserPoolId": "us-east-1_pool", "UserPoolClientId": "client"},
        }
    )

    def calls_the_api(ctx: CheckContext) -> None:
        request = ApiRequest(ROUTE, {"zip_name": "f.zip"}, body={"status": "TESTING"})
        answer = ctx.api.call(request)
        if answer.status != 200:
            raise CheckFailure(f"expected 200, got {answer.status}")

    names = {"api-gateway": "firefly-api-gateway", "cognito": "firefly-cognito"}
    return IntegrationSuite(
        stacks, names, lambda service: cognito, env, environ, checks=(calls_the_api,)
    )


ROUTE = "PATCH /firmware/{zip_name}/status"


@pytest.mark.parametrize("env", [LOCAL, DEV], ids=["sandbox", "aws"])
def test_a_temporary_user_signs_in_calls_the_api_and_is_deleted(
    api_stub: str, env: Environment
) -> None:
    _ApiStub.seen.clear()
    cognito = _Cognito(_jwt({"sub": "user-9"}))

    summary = signed_in_suite(env, api_stub, cognito, {}).run(WORKFLOW, threading.Event())

    assert summary == "1 check passed"
    assert [name for name, _ in cognito.calls] == [
        "admin_create_user",
        "admin_set_user_password",
        "admin_initiate_auth",
        "admin_delete_user",
    ]
    assert len({user for _, user in cognito.calls}) == 1  # one user, the one deleted
    assert _ApiStub.seen[0][:3] == ("PATCH", "/firmware/f.zip/status", f"Bearer {cognito.token}")


def test_the_token_variable_replaces_the_test_user(api_stub: str) -> None:
    _ApiStub.seen.clear()
    cognito, token = _Cognito("unused"), _jwt({"sub": "ci-user"})
    environ = {"FIREFLY_INTEGRATION_TOKEN": token}

    assert signed_in_suite(DEV, api_stub, cognito, environ).run(WORKFLOW, threading.Event())
    assert cognito.calls == []
    assert _ApiStub.seen[0][2] == f"Bearer {token}"


def test_a_suite_that_cannot_sign_in_says_what_it_needs(api_stub: str) -> None:
    suite = signed_in_suite(DEV, api_stub, _Cognito("", refuse=True), {})

    with pytest.raises(SuiteFailed, match="set FIREFLY_INTEGRATION_TOKEN to an access token"):
        suite.run(WORKFLOW, threading.Event())


# --- end to end on a fresh sandbox ----------------------------------------------------------


@dataclass(frozen=True)
class Sandbox:
    endpoint: str
    client: Callable[[str], Any]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A fresh engine of this module (own state folder and port), stopped at the end."""
    state = tmp_path_factory.mktemp("sandbox-state")
    with pytest.MonkeyPatch.context() as patch, engine_process(state) as info:
        patch.setenv("FIREFLY_STATE_DIR", str(state))
        patch.setenv("FIREFLY_SANDBOX_PORT", str(info.port))
        assert info.credentials is not None
        client = session(info.credentials)
        yield Sandbox(
            info.endpoint, lambda service: client.client(service, endpoint_url=info.endpoint)
        )


def _deploy(firefly: Callable[..., CliResult], report: Path, *extra: str) -> dict[str, Any]:
    result = firefly(
        "deploy", "--manifest", str(MANIFEST), "--env", "local", "--report", str(report), *extra
    )
    written: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    written["code"], written["output"] = result.code, result.out + result.err
    return written


def _statuses(report: Mapping[str, Any]) -> dict[str, str]:
    return {name: entry["status"] for name, entry in report["workflows"].items()}


def _change_set_ids(cloudformation: Any) -> set[str]:
    stacks = [s["StackName"] for s in cloudformation.describe_stacks()["Stacks"]]
    return {
        summary["ChangeSetId"]
        for stack in stacks
        for summary in cloudformation.list_change_sets(StackName=stack)["Summaries"]
    }


@pytest.fixture(scope="module")
def first_deploy(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`firefly deploy --env local` once on the fresh engine: the module's deployed system."""
    from orchestrator.cli import run

    report = tmp_path_factory.mktemp("reports") / "first.json"
    code = run(["deploy", "--manifest", str(MANIFEST), "--env", "local", "--report", str(report)])
    written: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    written["code"] = int(code)
    return written


def test_deploy_local_deploys_everything_and_a_redeploy_changes_nothing(
    sandbox: Sandbox,
    first_deploy: dict[str, Any],
    firefly: Callable[..., CliResult],
    tmp_path: Path,
) -> None:
    first = _statuses(first_deploy)
    assert {s for w, s in first.items() if w != WORKFLOW} == {"deployed"}, first_deploy
    assert first[WORKFLOW] == "passed", first_deploy["workflows"][WORKFLOW]
    assert first_deploy["code"] == 0
    cloudformation = sandbox.client("cloudformation")
    change_sets = _change_set_ids(cloudformation)

    second = _deploy(firefly, tmp_path / "second.json")

    assert second["code"] == 0, second["workflows"][WORKFLOW]
    statuses = _statuses(second)
    assert {s for w, s in statuses.items() if w != WORKFLOW} == {"unchanged"}, statuses
    assert statuses[WORKFLOW] == "passed"
    assert f"{len(CHECKS)} checks passed" in second["output"]
    assert _change_set_ids(cloudformation) == change_sets


def test_a_failing_check_fails_the_workflow(
    sandbox: Sandbox,
    first_deploy: dict[str, Any],
    firefly: Callable[..., CliResult],
    tmp_path: Path,
) -> None:
    # Drift behind CloudFormation's back: the Status Lambda now reads a table that is not there.
    lambda_client = sandbox.client("lambda")
    function = "firefly-status"
    variables = lambda_client.get_function_configuration(FunctionName=function)["Environment"][
        "Variables"
    ]
    lambda_client.update_function_configuration(
        FunctionName=function,
        Environment={"Variables": {**variables, "DYNAMODB_TABLE": "firefly-no-such-table"}},
    )
    try:
        report = _deploy(firefly, tmp_path / "broken.json", "--only", WORKFLOW, "--no-deps")
    finally:
        lambda_client.update_function_configuration(
            FunctionName=function, Environment={"Variables": variables}
        )

    assert report["code"] == 1
    entry = report["workflows"][WORKFLOW]
    assert entry["status"] == "failed"
    assert re.match(rf"{WORKFLOW}: \d+ of {len(CHECKS)} checks failed: ", entry["error"])
    # Every failure is listed, each with what the check saw instead of what it expected.
    assert (
        "status_lookup_returns_assembly: lookup by the owner: expected 200, got 500"
        in entry["error"]
    ), entry["error"]
    assert (
        "status_other_owner_is_403: lookup by another user: expected 403, got 500" in entry["error"]
    ), entry["error"]
    assert (
        "status_unknown_assembly_is_404: lookup of an unknown assembly: expected 404, "
        "got 500" in entry["error"]
    ), entry["error"]


def test_deleting_the_environment_follows_the_delete_graph_and_keeps_only_retained_data(
    sandbox: Sandbox, first_deploy: dict[str, Any], firefly: Callable[..., CliResult]
) -> None:
    from orchestrator.graph import delete_graph
    from orchestrator.manifest import load_manifest

    result = firefly(
        "delete",
        "--manifest",
        str(MANIFEST),
        "--env",
        "local",
        "--yes",
        "--disable-deletion-protection",
    )

    assert result.code == 0, result.err
    cloudformation = sandbox.client("cloudformation")
    assert [s["StackName"] for s in cloudformation.describe_stacks()["Stacks"]] == []
    lines = result.err.splitlines()

    def position(text: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(text))

    for edge in delete_graph(load_manifest(MANIFEST)).edges():
        assert position(f"[{edge.before}] deleted") < position(f"[{edge.after}] started"), edge
    # Only what a DeletionPolicy keeps is left, and the summary says so.
    assert sandbox.client("dynamodb").list_tables()["TableNames"] == ["firefly-registration-keys"]
    assert (
        "dynamodb-registration-keys: RegistrationKeysTable (AWS::DynamoDB::Table) "
        "firefly-registration-keys"
    ) in result.out
