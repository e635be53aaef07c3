"""What AWS answers a throttled or internally failed call, per service and protocol.

One table, `ANSWERS`: for each eligible service, the protocol's answer builder and the error each
fault is. botocore parses these into the documented error codes and retries them: the throttling
codes are in its throttling list, and a 5xx status is a transient error.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from orchestrator.sandbox.aws_errors import (
    Answer,
    AwsError,
    Builder,
    query_error,
    rest_json_error,
    rest_xml_error,
)
from orchestrator.sandbox.faults.spec import Fault

__all__ = ["ANSWERS", "Answer", "AwsError", "answer"]

# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html and
# https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html: Throttling (400) and
# InternalFailure (500); CloudFormation's throttled calls read "Rate exceeded"
_QUERY_ERRORS = {
    Fault.THROTTLE: AwsError(400, "Throttling", "Rate exceeded"),
    Fault.ERROR: AwsError(
        500,
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
}
ANSWERS: dict[str, tuple[Builder, Mapping[Fault, AwsError]]] = {
    "cloudformation": (
        partial(query_error, "http://cloudformation.amazonaws.com/doc/2010-05-15/"),
        _QUERY_ERRORS,
    ),
    "sts": (partial(query_error, "https://sts.amazonaws.com/doc/2011-06-15/"), _QUERY_ERRORS),
    # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
    "s3": (
        rest_xml_error,
        {
            Fault.THROTTLE: AwsError(503, "SlowDown", "Please reduce your request rate."),
            Fault.ERROR: AwsError(
                500, "InternalError", "We encountered an internal error. Please try again."
            ),
        },
    ),
    # https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors:
    # TooManyRequestsException (429, with its Reason) and ServiceException (500)
    "lambda": (
        rest_json_error,
        {
            Fault.THROTTLE: AwsError(
                429,
                "TooManyRequestsException",
                "Rate exceeded",
                {"Reason": "CallerRateLimitExceeded", "Type": "User"},
            ),
            Fault.ERROR: AwsError(
                500,
                "ServiceException",
                "The Lambda service encountered an internal error.",
                {"Type": "Service"},
            ),
        },
    ),
}


def answer(service: str, fault: Fault, *, head: bool = False) -> Answer:
    """What `service` answers a call that meets `fault`; `head`: the call was a HEAD request."""
    build, errors = ANSWERS[service]
    return build(errors[fault], head)
