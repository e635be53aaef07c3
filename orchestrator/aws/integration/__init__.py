"""The integration suite of the `tests` workflow (`run-integration-tests`).

It checks the seed flows against a deployed environment: the functions invoked through the
Lambda API with the events AWS would send them (sandbox), or the HTTP API called with a Cognito
token (real environments), talking to the deployed tables, buckets, stream and state machine.
"""

from orchestrator.aws.integration.runner import (
    CHECKS,
    IntegrationSuite,
    SuiteFailed,
    stack_names,
)

__all__ = ["CHECKS", "IntegrationSuite", "SuiteFailed", "stack_names"]
