"""The integration suite of the `tests` workflow (`run-integration-tests`).

It checks the seed flows against a deployed environment the way clients use it, on the sandbox
and on AWS alike: a test user signs in through Cognito and calls the HTTP API with its token;
the checks then read the deployed tables, buckets, stream and state machine.
"""

from orchestrator.aws.integration.runner import (
    CHECKS,
    IntegrationSuite,
    SuiteFailed,
    stack_names,
)

__all__ = ["CHECKS", "IntegrationSuite", "SuiteFailed", "stack_names"]
