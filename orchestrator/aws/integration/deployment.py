"""The deployed environment as the checks see it: its stacks' outputs, its functions, clients.

Tables, buckets and the state machine come from the outputs of the stacks that own them, not from
the functions' settings: a function deployed against the wrong table or bucket (the seed's
"secret missing" scenario) then fails a check instead of being tested against its own mistake.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from orchestrator.aws.integration.support import CheckFailure
from orchestrator.engine.ports import StackSnapshot

ClientFactory = Callable[[str], Any]


class StackReader(Protocol):
    def snapshot(self, names: Sequence[str]) -> Mapping[str, StackSnapshot]: ...


def deployed_outputs(
    stacks: StackReader, stack_names: Mapping[str, str]
) -> dict[str, Mapping[str, str]]:
    """workflow → its stack's outputs, for every stack of `stack_names` that exists."""
    found = stacks.snapshot(sorted(set(stack_names.values())))
    return {
        workflow: found[stack].outputs for workflow, stack in stack_names.items() if stack in found
    }


@dataclass
class Deployment:
    """One environment's deployed system; clients are shared by the checks (thread-safe)."""

    env_name: str
    outputs: Mapping[str, Mapping[str, str]]
    clients: ClientFactory
    _made: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._made:
                self._made[service] = self.clients(service)
            return self._made[service]

    def output(self, workflow: str, key: str) -> str:
        value = self.outputs.get(workflow, {}).get(key)
        if not value:
            raise CheckFailure(
                f"stack of {workflow} in {self.env_name} has no output {key}: is it deployed?"
            )
        return value

    def function(self, workflow: str) -> str:
        """The name of the function `workflow` deploys (its stack's FunctionName output)."""
        return self.output(workflow, "FunctionName")

    def bucket(self, workflow: str, arn_key: str) -> str:
        """A bucket's name from an output holding its ARN (`arn:aws:s3:::name`)."""
        return self.output(workflow, arn_key).rsplit(":", 1)[-1]

    def invoke(self, workflow: str, event: Mapping[str, Any]) -> Any:
        """Invoke `workflow`'s function synchronously; its decoded result.

        An unhandled error in the handler (`FunctionError`) is the check's failure, with the
        error type and message Lambda reports.
        """
        function = self.function(workflow)
        response = self.client("lambda").invoke(
            FunctionName=function,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode(),
        )
        raw = response["Payload"].read()
        result = json.loads(raw) if raw else None
        if response.get("FunctionError"):
            detail = result if isinstance(result, dict) else {}
            raise CheckFailure(
                f"{function} failed: {detail.get('errorType', 'error')}: "
                f"{str(detail.get('errorMessage', raw[:200]))[:300]}"
            )
        return result
