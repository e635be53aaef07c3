"""The composition root: an environment of the manifest, connected to AWS or the sandbox.

Commands call `open_environment` and get the engine's ports implemented for that
environment; nothing else decides between the real account and the local engine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator.aws.adoption import AwsAdoptions
from orchestrator.aws.artifacts import S3ArtifactStore, ensure_artifact_bucket
from orchestrator.aws.cloudformation import CloudFormationStacks
from orchestrator.aws.drift import CloudFormationDrifts
from orchestrator.aws.env_lock import S3LockStore
from orchestrator.aws.inventory import AwsInventory
from orchestrator.aws.session import AwsClients, SandboxKeys, connect
from orchestrator.engine.deploy import DeployServices
from orchestrator.engine.lock import EnvironmentLock, run_identity, this_process
from orchestrator.engine.ports import Templates, TestRunner
from orchestrator.errors import UsageError
from orchestrator.manifest import environment
from orchestrator.manifest.models import Environment, Manifest

Notice = Callable[[str], None]
# seconds: the first look at a stack or change set on the engine firefly started or reused with
# no latency, which ends each operation within its call (on AWS, or an engine given by
# FIREFLY_SANDBOX_ENDPOINT, the poller keeps its own pace: their operations take time)
INSTANT_ENGINE_FIRST_LOOK = 0.05


@dataclass(frozen=True)
class Connection:
    env: Environment
    clients: AwsClients
    stacks: CloudFormationStacks
    templates: Templates


@dataclass(frozen=True)
class SandboxTarget:
    """The engine of sandbox environments: where it answers, the key pair it requires, and the
    seconds each operation takes there, as the engine's record says (None: unknown)."""

    endpoint: str
    keys: SandboxKeys
    latency: float | None


def sandbox_target(notice: Notice) -> SandboxTarget:
    """FIREFLY_SANDBOX_ENDPOINT (an engine the caller already runs, e.g. one a test suite
    started, or a proxy in front of one), or the detached engine, started when needed. Either way
    the key pair is the one in the sandbox's state folder ($FIREFLY_STATE_DIR)."""
    from orchestrator.sandbox import lifecycle, state
    from orchestrator.sandbox.guard.hosts import is_loopback_url
    from orchestrator.sandbox_start import ENDPOINT_VARIABLE, sandbox_port

    given = os.environ.get(ENDPOINT_VARIABLE)
    if given:
        if not is_loopback_url(given):
            raise UsageError(
                f"{ENDPOINT_VARIABLE}={given}: a sandbox runs on this machine "
                "only; use http://127.0.0.1:PORT"
            )
        folder = state.default_state_dir()
        engine_keys = state.read_keys(folder)
        if engine_keys is None:
            raise UsageError(
                f"{ENDPOINT_VARIABLE}={given}: no sandbox key pair in {folder}; set "
                "FIREFLY_STATE_DIR to the state folder of the sandbox that answers there"
            )
        client = engine_keys.client
        return SandboxTarget(given, (client.access_key_id, client.secret_access_key), None)

    info, started = lifecycle.ensure_running(sandbox_port())  # or takes start_sandbox_soon's
    lost = lifecycle.lost_notice()
    if lost:
        which = "a new, empty one was started" if started else "another one runs"
        notice(f"{lost}; {which} at {info.endpoint}")
    elif started:
        notice(
            f"started a new, empty sandbox at {info.endpoint} (stop it with 'firefly sandbox down')"
        )
    keys = lifecycle.client_keys(info)
    return SandboxTarget(info.endpoint, (keys.access_key_id, keys.secret_access_key), info.latency)


def open_environment(
    manifest: Manifest,
    env_name: str,
    *,
    profile: str | None = None,
    notice: Notice = lambda _: None,
) -> Connection:
    env = environment(manifest, env_name)
    if env.sandbox and profile:
        notice(f"--profile is ignored: {env.name} runs on the sandbox, never on AWS")
    target = sandbox_target(notice) if env.sandbox else None
    clients = connect(
        env.region,
        expected_account=env.account,
        profile=profile,
        endpoint=target.endpoint if target else None,
        sandbox_keys=target.keys if target else None,
    )
    store = artifact_store(manifest, env, clients)
    pace = {"first_interval": INSTANT_ENGINE_FIRST_LOOK} if target and target.latency == 0 else {}
    stacks = CloudFormationStacks(
        clients.cloudformation,
        large_templates=store,
        service_role=env.cloudformation_role,
        **pace,
    )
    templates = packaged_templates(manifest, store)
    return Connection(env, clients, stacks, templates)


def drift_detector(connection: Connection) -> CloudFormationDrifts:
    return CloudFormationDrifts(connection.clients.cloudformation)


def deploy_services(manifest: Manifest, connection: Connection) -> DeployServices:
    clients = connection.clients
    adoptions = AwsAdoptions(manifest.root, clients.cloudformation, _clients(clients))
    return DeployServices(
        stacks=connection.stacks,
        templates=connection.templates,
        tests=_integration_suite(manifest, connection),
        environ=dict(os.environ),
        adoptions=adoptions,
    )


def _integration_suite(manifest: Manifest, connection: Connection) -> TestRunner:
    """The `tests` workflow's runner; it makes no AWS call before a tests workflow runs."""
    from orchestrator.aws.integration import IntegrationSuite, stack_names

    # AwsClients.client gives each client a session of its own: the suite runs on a worker
    # thread, where sharing the deploy's session would not be safe.
    return IntegrationSuite(
        connection.stacks,
        stack_names(manifest, connection.env),
        connection.clients.client,
        connection.env,
        dict(os.environ),
    )


def _clients(clients: AwsClients) -> Callable[[str], Any]:
    """Made on first use, once: most deploys never need them."""
    made: dict[str, Any] = {}
    lock = threading.Lock()

    def client(service: str) -> Any:
        with lock:
            if service not in made:
                made[service] = clients.s3 if service == "s3" else clients.client(service)
            return made[service]

    return client


def inventory(manifest: Manifest, connection: Connection) -> AwsInventory:
    bucket = artifact_bucket(manifest, connection.env, connection.clients)
    clients = connection.clients
    return AwsInventory(
        clients.cloudformation, clients.client("dynamodb"), clients.s3, bucket, clients.account
    )


def environment_lock(
    manifest: Manifest, connection: Connection, command: str, notice: Notice
) -> EnvironmentLock:
    """The lock deploy and delete hold, for this process's run (FIREFLY_RUN_ID, the GitHub
    Actions run, or its own). Its record lives in the artifact bucket, made first if need be."""
    clients = connection.clients
    ensure_artifact_bucket(
        clients.s3,
        artifact_bucket(manifest, connection.env, clients),
        clients.region,
        clients.account,
    )
    return EnvironmentLock(
        lock_store(manifest, connection),
        connection.env.name,
        run_identity(os.environ),
        this_process(command),
        notice=notice,
    )


def lock_store(manifest: Manifest, connection: Connection) -> S3LockStore:
    """The environment's lock record; reading it never creates the bucket."""
    bucket = artifact_bucket(manifest, connection.env, connection.clients)
    clients = connection.clients
    return S3LockStore(clients.s3, bucket, connection.env.name, clients.account)


def artifact_store(manifest: Manifest, env: Environment, clients: AwsClients) -> EnsuredBucketStore:
    bucket = artifact_bucket(manifest, env, clients)
    return EnsuredBucketStore(S3ArtifactStore(clients.s3, bucket, clients.account), clients)


def packaged_templates(manifest: Manifest, store: EnsuredBucketStore) -> Templates:
    from orchestrator.packaging import PackagingTemplates, cache_dir_for

    return PackagingTemplates(manifest.root, store, cache_dir=cache_dir_for(manifest.root))


def artifact_bucket(manifest: Manifest, env: Environment, clients: AwsClients) -> str:
    """Where SAM artifacts go: one bucket per account and region, as `sam deploy` keeps one."""
    if env.sandbox:
        return f"{manifest.project}-artifacts-{env.name}"
    return f"{manifest.project}-artifacts-{clients.account}-{clients.region}"


class EnsuredBucketStore:
    """The artifact store, whose bucket is created the first time something is stored: a
    deploy of CloudFormation workflows alone never creates it."""

    def __init__(self, store: S3ArtifactStore, clients: AwsClients) -> None:
        self._store = store
        self._clients = clients
        self._ready = False
        self._lock = threading.Lock()
        self.bucket = store.bucket

    def _ensure(self) -> None:
        with self._lock:
            if not self._ready:
                clients = self._clients
                ensure_artifact_bucket(clients.s3, self.bucket, clients.region, clients.account)
                self._ready = True

    def exists(self, key: str) -> bool:
        self._ensure()
        return self._store.exists(key)

    def upload(self, source: Path | bytes, key: str) -> None:
        self._ensure()
        self._store.upload(source, key)

    def url(self, key: str) -> str:
        return self._store.url(key)
