"""Every match against an AWS error code or message, each in one named predicate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from orchestrator.errors import OrchestratorError

T = TypeVar("T")

# "The service is busy, try again": botocore's throttling codes (S3's SlowDown arrives as 503)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
# "It failed on AWS's side, try again": botocore's transient codes and statuses
TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException", "InternalFailure"})
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", str(error)))


def one_line_reason(error: Exception) -> str:
    """An AWS refusal (`Code: message`) or a client-side failure, on one line."""
    if isinstance(error, ClientError):
        return f"{error_code(error)}: {' '.join(error_message(error).split())}"
    return " ".join(str(error).split())


def is_lost_condition(error: ClientError) -> bool:
    """A conditional write or delete that another writer beat: 412 PreconditionFailed (the ETag
    differs, or an object exists where `If-None-Match: *` wanted none), 409
    ConditionalRequestConflict (a concurrent write won), or 404 for an `If-Match` whose object
    is gone."""
    return error_code(error) in {
        "PreconditionFailed",
        "412",
        "ConditionalRequestConflict",
        "409",
        "NoSuchKey",
    }


def is_throttling(error: ClientError) -> bool:
    return error_code(error) in THROTTLING_CODES


def is_retryable(code: str, status: int) -> bool:
    """An answer worth another try: throttled, or failed on AWS's side."""
    return code in THROTTLING_CODES or code in TRANSIENT_CODES or status in TRANSIENT_STATUS


def is_transient(error: ClientError) -> bool:
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return is_retryable(error_code(error), status)


def is_stack_missing(error: ClientError) -> bool:
    # CloudFormation answers a missing stack with a generic ValidationError; only the message
    # tells it apart ("Stack with id X does not exist").
    return error_code(error) == "ValidationError" and "does not exist" in error_message(error)


def is_no_changes(reason: str) -> bool:
    """A change set FAILED only because the template and parameters change nothing."""
    return "didn't contain changes" in reason or "No updates are to be performed" in reason


def is_not_found(error: ClientError) -> bool:
    return error_code(error) in {
        "404",
        "NoSuchKey",
        "NoSuchBucket",
        "NotFound",
        "ChangeSetNotFound",
        "ResourceNotFoundException",
    }


def translated(error: ClientError, service: str = "") -> OrchestratorError:
    """One line for a refused AWS call: which call it was, and AWS's own words."""
    operation = getattr(error, "operation_name", None) or "call"
    prefix = f"{service} " if service else ""
    return OrchestratorError(f"{prefix}{operation} failed: {error_message(error)}")


def call(action: Callable[..., T], *args: Any, service: str = "", **kwargs: Any) -> T:
    """`action(*args, **kwargs)`, with a refusal turned into `translated`'s one line."""
    try:
        return action(*args, **kwargs)
    except ClientError as error:
        raise translated(error, service) from None
