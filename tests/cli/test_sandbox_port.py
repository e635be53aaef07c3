"""$FIREFLY_SANDBOX_PORT and $FIREFLY_STATE_DIR move the sandbox for every command; a bad port
is one line naming the variable, a taken one names it as the way out (issue 18)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchestrator.sandbox import lifecycle
from tests.conftest import MANIFEST, CliResult, free_port

Firefly = Callable[..., CliResult]
COMMANDS = {
    "sandbox up": ("sandbox", "up"),
    "sandbox status": ("sandbox", "status"),
    "sandbox env": ("sandbox", "env"),
    "sandbox down": ("sandbox", "down"),
    "deploy": ("deploy", "--env", "local", "--manifest", str(MANIFEST)),
    "status": ("status", "--env", "local", "--manifest", str(MANIFEST)),
    "outputs": ("outputs", "--env", "local", "cognito", "--manifest", str(MANIFEST)),
}


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A state folder of the test's own, with no engine reachable any other way."""
    folder = tmp_path / "state"
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(folder))
    monkeypatch.delenv("FIREFLY_SANDBOX_ENDPOINT", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    yield folder
    lifecycle.stop(state_dir=folder)  # only if a test failed by starting one


@pytest.mark.parametrize("value", ["abc", "0", "70000", "-5", "4566.0"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_port_variable_is_one_line_naming_it(
    firefly: Firefly,
    state_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    value: str,
) -> None:
    monkeypatch.setenv("FIREFLY_SANDBOX_PORT", value)

    result = firefly(*COMMANDS[command])

    assert result.code == 2, result.out + result.err
    assert result.err.splitlines() == [
        f"error: FIREFLY_SANDBOX_PORT={value}: not a port; set it to a number from 1 to "
        "65535, or unset it for 4566"
    ]
    assert lifecycle.status(state_dir=state_dir) is None  # nothing was started


def test_a_taken_port_names_the_variable_to_set(
    firefly: Firefly, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("FIREFLY_SANDBOX_PORT", str(port))

        result = firefly("sandbox", "up")

    assert result.code == 1
    assert result.error_lines == [
        f"error: port {port} on 127.0.0.1 is already in use by another program; "
        "stop it or choose another port: set FIREFLY_SANDBOX_PORT (or --port)"
    ]
    assert lifecycle.status(state_dir=state_dir) is None


@pytest.mark.slow  # starts and stops a real engine
def test_sandbox_up_honours_the_port_variable_and_says_whether_the_engine_is_new(
    firefly: Firefly, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("FIREFLY_SANDBOX_PORT", str(port))
    endpoint = f"http://127.0.0.1:{port}"
    try:
        first = firefly("sandbox", "up")
        again = firefly("sandbox", "up")
        status = firefly("sandbox", "status")
        other = firefly("sandbox", "up", "--port", str(free_port()))
    finally:
        down = firefly("sandbox", "down")

    assert first.code == 0, first.err
    assert first.out.startswith(f"started a new, empty sandbox: {endpoint} ")
    assert again.out.startswith(
        f"found the sandbox running, with what was deployed into it: {endpoint} "
    )
    assert status.out.startswith(f"sandbox running at {endpoint} ")
    assert f"log {state_dir / 'sandbox.log'}" in status.out  # $FIREFLY_STATE_DIR holds it
    assert other.code == 2
    assert other.error_lines[0].endswith(f"or use its port: FIREFLY_SANDBOX_PORT={port}")
    assert down.out.strip() == "sandbox stopped"


def test_a_state_dir_that_is_a_file_is_one_line_naming_the_variable(
    firefly: Firefly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    occupied = tmp_path / "a-file"
    occupied.write_text("not a folder\n")
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(occupied))
    monkeypatch.setenv("FIREFLY_SANDBOX_PORT", str(free_port()))

    result = firefly("sandbox", "up")

    assert result.code == 2
    assert result.err.splitlines() == [
        f"error: FIREFLY_STATE_DIR={occupied}: cannot use it as the sandbox's state folder "
        "(File exists); point it at a folder of your own, or unset it for ~/.firefly/sandbox"
    ]


@pytest.mark.slow  # starts and stops a real engine
def test_a_relative_state_dir_is_the_same_folder_for_the_engine_and_the_commands(
    firefly: Firefly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FIREFLY_STATE_DIR", "relative-state")
    monkeypatch.setenv("FIREFLY_SANDBOX_PORT", str(free_port()))
    monkeypatch.delenv("FIREFLY_SANDBOX_ENDPOINT", raising=False)
    # the engine runs in its state folder: given as is, it would write its pid file one
    # folder further down, and the command would wait for it in vain
    monkeypatch.setattr(lifecycle, "START_TIMEOUT", 20.0)
    try:
        up = firefly("sandbox", "up")
        status = firefly("sandbox", "status")
    finally:
        firefly("sandbox", "down")

    assert up.code == 0, up.err
    assert f"log {tmp_path / 'relative-state' / 'sandbox.log'}" in status.out
    assert not (tmp_path / "relative-state" / "relative-state").exists()
