"""deploy, plan and delete run validate's checks on what they select before any AWS call.

The sandbox endpoint is a test-owned server that records every request and refuses it: a
command stopped by the checks must leave it untouched, one let through must be seen there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from orchestrator.sandbox import lifecycle
from orchestrator.sandbox.guard.keys import EngineKeys
from tests.conftest import CliResult, free_port
from tests.local_http import serving
from tests.sandbox_access import engine_variables, publish
from tests.templates.conftest import MANIFEST, TABLE, write_project
from tests.waiting import wait_until

Firefly = Callable[..., CliResult]
# Refused for good: botocore never retries AccessDenied, so a call that gets through fails fast.
REFUSAL = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
    b"<Message>recorded by the test</Message></Error></ErrorResponse>"
)
SYNTAX_ERROR = "def lambda_handler(event, context):\n    return {'ok': True\n"

OUTPUT_TYPO = (
    "workflows.yaml:19: workflows.func.parameters.TableName.output: stacks/table/template.yaml "
    "(workflow table) declares no output TableNam; it declares: TableName"
)
MISSING_TEMPLATE = (
    "workflows.yaml:16: workflows.func.template: template 'stacks/func/template.yaml' not found "
    "(relative to the manifest's folder); create it or fix the path"
)
INVALID_YAML = "stacks/table/template.yaml:5: YAML syntax error: expected ',' or ']', but got ':'"
UNKNOWN_TYPE = (
    "stacks/table/template.yaml:7: cfn-lint E3006: Resource type 'AWS::DynamoDB::Tabel' does not "
    "exist in 'us-east-1'"
)
CYCLE = (
    "workflows.yaml:14: workflows.table.deploy.needs.func: deploy dependency cycle: "
    "table -> func -> table (each needs the next); remove one of these needs"
)
PYTHON_SYNTAX = "lambdas/func/app.py:2: Python syntax error: '{' was never closed"


class Recorder(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.requests: list[str] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecordingHandler(BaseHTTPRequestHandler):
    server: Recorder

    def _refuse(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(REFUSAL)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(REFUSAL)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _refuse

    def log_message(self, format: str, *args: object) -> None:
        pass  # the test reads `requests`, not stderr


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Recorder]:
    """The sandbox endpoint of every command in the test: records each request it gets."""
    with serving(Recorder()) as server:
        keys = publish(EngineKeys.generate(), tmp_path / "sandbox-state")
        for name, value in engine_variables(server.endpoint, keys).items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        yield server


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's folder, also the current one: problems name paths relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def with_output_typo(root: Path) -> Path:
    return write_project(root, MANIFEST.replace("table.TableName", "table.TableNam"))


def broken_lambda(root: Path) -> Path:
    manifest = write_project(root)
    (root / "lambdas" / "func" / "app.py").write_text(SYNTAX_ERROR, encoding="utf-8")
    return manifest


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "an output-key typo": (with_output_typo, OUTPUT_TYPO),
    "a missing template": (lambda root: write_project(root, func=None), MISSING_TEMPLATE),
    "invalid template YAML": (
        lambda root: write_project(root, table=TABLE.replace("Type: String", "Type: [String")),
        INVALID_YAML,
    ),
    "an unknown resource type": (
        lambda root: write_project(
            root, table=TABLE.replace("AWS::DynamoDB::Table", "AWS::DynamoDB::Tabel")
        ),
        UNKNOWN_TYPE,
    ),
    "a Lambda with a Python syntax error": (broken_lambda, PYTHON_SYNTAX),
}


def assert_stopped_before_aws(result: CliResult, problem: str, aws: Recorder) -> None:
    assert result.code == 2, result.err
    assert result.error_lines == [f"error: {problem}"]
    assert aws.requests == []


@pytest.mark.parametrize("case", CASES)
def test_deploy_stops_on_a_check_before_any_aws_call(
    case: str, firefly: Firefly, aws: Recorder, folder: Path
) -> None:
    write, problem = CASES[case]
    manifest = write(folder)

    result = firefly("deploy", "--env", "local", "--manifest", str(manifest))

    assert_stopped_before_aws(result, problem, aws)


@pytest.mark.slow  # starts and stops a real engine
def test_the_sandbox_starts_while_the_checks_run_and_runs_on_when_they_fail(
    firefly: Firefly, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = folder / "state"
    monkeypatch.delenv("FIREFLY_SANDBOX_ENDPOINT", raising=False)
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(state))
    monkeypatch.setenv("FIREFLY_SANDBOX_PORT", str(free_port()))
    manifest = broken_lambda(folder)
    try:
        result = firefly("deploy", "--env", "local", "--manifest", str(manifest))

        assert (result.code, result.error_lines) == (2, [f"error: {PYTHON_SYNTAX}"])
        # begun before the checks, the engine comes up and stays, as after 'firefly sandbox up'
        wait_until(
            lambda: (info := lifecycle.status(state_dir=state)) is not None and info.answering,
            "the engine the deploy started to answer",
        )
    finally:
        lifecycle.stop(state_dir=state)


SELECTIONS = {
    "plan": (("plan",), with_output_typo, OUTPUT_TYPO),
    # Deleting table deletes func first (it reads table's output): func is checked too.
    "delete --only table": (("delete", "--only", "table", "--yes"), broken_lambda, PYTHON_SYNTAX),
    # func is deployed against table's outputs: table's template is read, though not selected.
    "deploy --only func --no-deps": (
        ("deploy", "--only", "func", "--no-deps"),
        with_output_typo,
        OUTPUT_TYPO,
    ),
}


@pytest.mark.parametrize("selection", SELECTIONS)
def test_the_selected_workflows_are_checked_before_any_aws_call(
    selection: str, firefly: Firefly, aws: Recorder, folder: Path
) -> None:
    command, write, problem = SELECTIONS[selection]
    manifest = write(folder)

    result = firefly(*command, "--env", "local", "--manifest", str(manifest))

    assert_stopped_before_aws(result, problem, aws)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(("--only", "table", "--no-deps"), id="func-not-selected"),
        pytest.param(("--skip-checks",), id="skip-checks"),
    ],
)
def test_the_broken_lambda_does_not_stop_a_deploy(
    options: tuple[str, ...], firefly: Firefly, aws: Recorder, folder: Path
) -> None:
    manifest = broken_lambda(folder)

    result = firefly("deploy", "--env", "local", *options, "--manifest", str(manifest))

    assert PYTHON_SYNTAX not in result.err
    assert aws.requests  # past the checks: the deploy reached the (refusing) endpoint


def test_skip_checks_still_runs_the_structural_checks(
    firefly: Firefly, aws: Recorder, folder: Path
) -> None:
    cycle = MANIFEST.replace(
        "    description: The table\n",
        "    description: The table\n    deploy:\n      needs:\n        func: For the cycle\n",
    )
    manifest = write_project(folder, cycle)

    result = firefly("deploy", "--env", "local", "--skip-checks", "--manifest", str(manifest))

    assert_stopped_before_aws(result, CYCLE, aws)


@pytest.mark.parametrize("command", ["deploy", "plan", "delete"])
def test_skip_checks_says_it_is_for_emergencies(firefly: Firefly, command: str) -> None:
    result = firefly(command, "--help")

    assert "--skip-checks" in result.out
    assert "emergencies" in result.out


def test_validate_reports_a_python_syntax_error(firefly: Firefly, folder: Path) -> None:
    manifest = broken_lambda(folder)

    result = firefly("validate", "--manifest", str(manifest))

    assert result.code == 2
    assert result.error_lines == [f"error: {PYTHON_SYNTAX}"]
