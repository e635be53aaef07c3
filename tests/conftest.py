"""Fixtures shared by the orchestrator's tests: the repository, small manifests, the CLI."""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from orchestrator.manifest.models import Manifest
from tests import early

if TYPE_CHECKING:
    from orchestrator.sandbox.lifecycle import SandboxInfo

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "workflows.yaml"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error: ")]


@pytest.fixture
def firefly(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the firefly command line in-process, through the same error funnel as the script."""
    from orchestrator.cli import run

    def invoke(*argv: str) -> CliResult:
        capsys.readouterr()
        code = run(list(argv))
        captured = capsys.readouterr()
        return CliResult(int(code), captured.out, captured.err)

    return invoke


@pytest.fixture(autouse=True)
def each_command_a_run_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """No run id from outside: under GitHub Actions, GITHUB_RUN_ID would make every firefly
    command of the suite one run sharing one environment lock."""
    for name in ("FIREFLY_RUN_ID", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def write_manifest(tmp_path: Path) -> Callable[[str], Path]:
    """Write a manifest (dedented) into a fresh folder and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "workflows.yaml"
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def repo_manifest() -> Manifest:
    from orchestrator.validation import load_checked

    return load_checked(MANIFEST)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def engine_process(
    state: Path, latency: float | None = None, faults: str = ""
) -> Iterator[SandboxInfo]:
    """The sandbox in its own process, as `firefly sandbox up` runs it (its fixes patch moto
    process-wide, which in-process moto tests must not see), on a free port; always stopped.
    It injects `faults` (none by default, whatever $FIREFLY_SANDBOX_FAULTS says)."""
    from orchestrator.sandbox import lifecycle

    info = lifecycle.start(free_port(), latency, faults=faults, state_dir=state)
    try:
        yield info
    finally:
        lifecycle.stop(state_dir=state)


@pytest.fixture(scope="session")
def sandbox_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxInfo]:
    """One engine for the session."""
    with engine_process(tmp_path_factory.mktemp("sandbox-state")) as info:
        yield info


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "early(start): the test waits for a command started when collection ends"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run tests/sandbox last: its session engine runs in this process and its fixes patch moto
    process-wide, so no in-process moto test (the Lambdas', the adapters') may come after it.
    Mark what lies beyond the fast layers as slow (`pytest -m "not slow"` skips it)."""
    sandbox = REPO / "tests" / "sandbox"
    items.sort(key=lambda item: item.path.is_relative_to(sandbox))
    for item in items:
        if in_slow_folder(item.path) or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


# What makes a test slow without its saying so: a folder beyond the fast layers (engines and
# deploys; the Lambdas over moto, 30 s of their own), or a fixture that starts an engine or
# installs a tool. Any other slow test carries `@pytest.mark.slow` itself.
SLOW_FOLDERS = ("tests/sandbox", "tests/e2e", "tests/lambdas")
SLOW_FIXTURES = frozenset({"sandbox", "sandbox_engine", "actionlint_program"})


def in_slow_folder(path: Path) -> bool:
    return any(path.is_relative_to(REPO / slow) for slow in SLOW_FOLDERS)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With `-m "not slow"`, the slow folders are not even imported (moto's server, seconds)."""
    if config.getoption("markexpr") == "not slow":
        return in_slow_folder(collection_path) or None
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    early.start_marked(session.items)


def pytest_sessionfinish() -> None:
    early.stop_all()


@pytest.fixture
def early_output(request: pytest.FixtureRequest) -> tuple[int, str]:
    """The exit code and output of the command the test's `early` marker names."""
    marker = request.node.get_closest_marker("early")
    assert marker is not None, "early_output needs @pytest.mark.early(start=...)"
    return early.started(marker.kwargs["start"]).finish()
