"""The `tests` workflow's runner: every check against the deployed environment, one verdict."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Event
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.integration import builds, firmware, registration, status, uploads
from orchestrator.aws.integration.deployment import (
    ClientFactory,
    Deployment,
    StackReader,
    deployed_outputs,
)
from orchestrator.aws.integration.signin import TOKEN_VARIABLE, SignedInApi
from orchestrator.aws.integration.support import CheckContext, CheckFailure, describe
from orchestrator.errors import Interrupted, OrchestratorError
from orchestrator.manifest.models import Environment, Manifest

Check = Callable[[CheckContext], None]
T = TypeVar("T")


def spread(*groups: Sequence[T]) -> tuple[T, ...]:
    """The checks of each flow in turn (one of each, then the second of each, ...).

    The checks of one flow call the same functions. Started together, they would each meet a
    cold execution environment (Lambda runs one invocation per environment at a time); spread
    out, the first wave warms one environment per function and later checks reuse it.
    """
    waves = itertools.zip_longest(*groups)
    return tuple(check for wave in waves for check in wave if check is not None)


CHECKS: tuple[Check, ...] = spread(
    firmware.CHECKS, registration.CHECKS, status.CHECKS, builds.CHECKS, uploads.CHECKS
)
# Checks are independent (each names its own data by the run id and cleans up after itself), so
# they run at once: their Lambda calls and waits overlap without crowding a small machine.
WORKERS = 4


@dataclass(frozen=True)
class Outcome:
    check: str
    failure: str | None = None
    cleanup_problems: tuple[str, ...] = ()


class SuiteFailed(OrchestratorError):
    """One line for the verdict; `lines()` adds every further failure for the report."""

    def __init__(self, workflow: str, failures: Sequence[Outcome], total: int) -> None:
        self.failures = [f"{o.check}: {o.failure}" for o in failures]
        super().__init__(
            f"{workflow}: {len(failures)} of {total} checks failed: {self.failures[0]}"
        )

    def lines(self) -> list[str]:
        return [self.message, *self.failures[1:]]


def run_check(check: Check, context: CheckContext) -> Outcome:
    """Run one check and undo what it made; any exception is its failure, never the suite's."""
    try:
        check(context)
    except CheckFailure as failure:
        outcome = Outcome(check.__name__, str(failure))
    except Exception as error:  # an AWS error or a bug in the system under test: a failure
        outcome = Outcome(check.__name__, describe(error))
    else:
        outcome = Outcome(check.__name__)
    problems = tuple(context.clean_up())
    return Outcome(outcome.check, outcome.failure, problems)


def verdict(workflow: str, outcomes: Sequence[Outcome]) -> str:
    """The one-line summary of a passing suite; raises SuiteFailed otherwise."""
    failed = [o for o in outcomes if o.failure is not None]
    if failed:
        raise SuiteFailed(workflow, failed, len(outcomes))
    leftovers = [(o.check, problem) for o in outcomes for problem in o.cleanup_problems]
    summary = f"{len(outcomes)} check{'' if len(outcomes) == 1 else 's'} passed"
    if leftovers:
        # Only what was left and by which check: an AWS message may name a secret bucket, and
        # progress lines are not redacted the way failures are.
        check, problem = leftovers[0]
        summary += (
            f" ({len(leftovers)} cleanup step(s) failed, first in {check}: "
            f"{problem.split(':', 1)[0]})"
        )
    return summary


def stack_names(manifest: Manifest, env: Environment) -> dict[str, str]:
    """workflow → stack name in `env`, for every workflow that has a stack."""
    return {
        name: manifest.stack_name(name, env.name)
        for name, workflow in manifest.workflows.items()
        if workflow.has_stack
    }


class IntegrationSuite:
    """`TestRunner` of the engine: runs CHECKS against one connected environment."""

    def __init__(
        self,
        stacks: StackReader,
        names: Mapping[str, str],
        clients: ClientFactory,
        env: Environment,
        environ: Mapping[str, str],
        *,
        checks: Sequence[Check] = CHECKS,
        poll_seconds: float = 30.0,
        workers: int = WORKERS,
    ) -> None:
        self._stacks = stacks
        self._names = dict(names)
        self._clients = clients
        self._env = env
        self._environ = environ
        self._checks = tuple(checks)
        self._poll_seconds = poll_seconds
        self._workers = workers

    def run(self, workflow: str, stop: Event) -> str:
        try:
            deployment = self._deployment()
        except (ClientError, BotoCoreError) as error:
            raise OrchestratorError(
                f"{workflow}: cannot read the deployed stacks: {describe(error)}"
            ) from None
        run_id = f"ff-it-{secrets.token_hex(4)}"
        # every environment alike: a test user signs in, the checks call the HTTP API as it
        token = self._environ.get(TOKEN_VARIABLE, "").strip() or None
        api = SignedInApi(deployment, run_id, token)
        try:
            outcomes = self._run_checks(deployment, api, run_id, stop)
        finally:
            problem = api.close()
        if len(outcomes) < len(self._checks) and all(o.failure is None for o in outcomes):
            raise Interrupted(
                f"{workflow}: interrupted after {len(outcomes)} of {len(self._checks)} "
                "checks (each cleaned up after itself); the rest did not start"
            )
        if problem is not None:  # reported as a check's leftovers are
            outcomes.append(Outcome("sign_in", cleanup_problems=(problem,)))
        return verdict(workflow, outcomes)

    def _run_checks(
        self, deployment: Deployment, api: SignedInApi, run_id: str, stop: Event
    ) -> list[Outcome]:
        def one(check: Check) -> Outcome | None:
            if stop.is_set():
                return None  # Ctrl-C: the suite stops between checks, never inside one
            context = CheckContext(deployment, api, run_id, poll_seconds=self._poll_seconds)
            return run_check(check, context)

        with ThreadPoolExecutor(
            max_workers=self._workers, thread_name_prefix="integration"
        ) as pool:
            return [o for o in pool.map(one, self._checks) if o is not None]

    def _deployment(self) -> Deployment:
        outputs = deployed_outputs(self._stacks, self._names)
        return Deployment(self._env.name, outputs, self._clients)
