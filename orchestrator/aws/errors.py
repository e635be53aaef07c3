"""Every match against an AWS error code or message, each in one named predicate."""

from __future__ import annotations

from botocore.exceptions import ClientError

_THROTTLING = {"Throttling", "ThrottlingException", "RequestLimitExceeded",
               "TooManyRequestsException", "SlowDown"}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", str(error)))


def is_throttling(error: ClientError) -> bool:
    return error_code(error) in _THROTTLING


def is_stack_missing(error: ClientError) -> bool:
    # CloudFormation answers a missing stack with a generic ValidationError; only the message
    # tells it apart ("Stack with id X does not exist").
    return error_code(error) == "ValidationError" and "does not exist" in error_message(error)


def is_no_changes(reason: str) -> bool:
    """A change set FAILED only because the template and parameters change nothing."""
    return ("didn't contain changes" in reason or "No updates are to be performed" in reason)


def is_not_found(error: ClientError) -> bool:
    return error_code(error) in {"404", "NoSuchKey", "NoSuchBucket", "NotFound",
                                 "ChangeSetNotFound", "ResourceNotFoundException"}
