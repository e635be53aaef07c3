"""Parameter values for one deploy: static sources from the environment, outputs from the
stacks upstream (each read once per run), and which of them are secrets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from orchestrator.errors import OrchestratorError
from orchestrator.manifest.models import Environment, Manifest, OutputRef, SecretRef, Workflow
from orchestrator.manifest.sources import resolve_static

OutputsLookup = Callable[[str], Mapping[str, str] | None]  # stack name -> outputs, None: no stack


class ParameterResolver:
    def __init__(
        self,
        manifest: Manifest,
        env: Environment,
        environ: Mapping[str, str],
        lookup: OutputsLookup,
    ) -> None:
        self._manifest = manifest
        self._env = env
        self._environ = environ
        self._lookup = lookup
        self._outputs: dict[str, Mapping[str, str]] = {}
        self._lock = threading.Lock()

    def remember_outputs(self, workflow: str, outputs: Mapping[str, str]) -> None:
        """Outputs of a stack this run just deployed: no need to ask CloudFormation again."""
        with self._lock:
            self._outputs[workflow] = dict(outputs)

    def resolve(self, workflow: Workflow) -> dict[str, str]:
        values = {}
        for parameter in workflow.parameters:
            source = parameter.source
            if isinstance(source, OutputRef):
                value = self._output(workflow, source)
            else:
                resolved = resolve_static(source, self._env, self._environ)
                if resolved is None:
                    raise OrchestratorError(
                        f"{workflow.name}: parameter {parameter.name} has no value for "
                        f"environment {self._env.name}; run 'firefly validate --env "
                        f"{self._env.name}' to see what is unset"
                    )
                value = resolved
            values[parameter.name] = value
        return values

    def _output(self, workflow: Workflow, ref: OutputRef) -> str:
        with self._lock:
            outputs = self._outputs.get(ref.workflow)
        if outputs is None:
            stack = self._manifest.stack_name(ref.workflow, self._env.name)
            found = self._lookup(stack)
            if found is None:
                raise OrchestratorError(
                    f"{workflow.name}: needs output {ref.key} of stack {stack}, which does not "
                    f"exist; deploy {ref.workflow} first (or drop --no-deps)"
                )
            outputs = dict(found)
            with self._lock:
                self._outputs[ref.workflow] = outputs
        if ref.key not in outputs:
            raise OrchestratorError(
                f"{workflow.name}: stack of {ref.workflow} has no output {ref.key} (it has: "
                f"{', '.join(sorted(outputs)) or 'none'}); deploy {ref.workflow} again"
            )
        return outputs[ref.key]


def secret_parameters(workflow: Workflow) -> frozenset[str]:
    """The names of `workflow`'s parameters whose values are secrets."""
    return frozenset(p.name for p in workflow.parameters if isinstance(p.source, SecretRef))
