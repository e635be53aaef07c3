"""What AWS answers a throttled or internally failed call, per service and protocol.

One table, `ANSWERS`: for each eligible service, the protocol's answer builder and the error each
fault is. botocore parses these into the documented error codes and retries them: the throttling
codes are in its throttling list, and a 5xx status is a transient error.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from xml.sax.saxutils import escape

from orchestrator.sandbox.faults.spec import Fault


@dataclass(frozen=True)
class AwsError:
    """An error as a service documents it; `fields` are further members of the error body."""

    status: int
    code: str
    message: str
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, ready for a WSGI `start_response`."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


def _query(namespace: str, error: AwsError, head: bool) -> Answer:
    """The AWS Query protocol (CloudFormation, STS): an `ErrorResponse` document whose `Type` says
    whose fault it was (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html)."""
    request_id = str(uuid.uuid4())
    kind = "Sender" if error.status < 500 else "Receiver"
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
        f"<Code>{error.code}</Code><Message>{escape(error.message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return _answer(error.status, "text/xml", [("x-amzn-RequestId", request_id)], body, head)


def _rest_xml(error: AwsError, head: bool) -> Answer:
    """S3's REST error response: an `Error` document, and its request ids in headers
    (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html)."""
    request_id, host_id = secrets.token_hex(8).upper(), secrets.token_urlsafe(48)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{error.code}</Code><Message>{escape(error.message)}</Message>"
        f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
    )
    headers = [("x-amz-request-id", request_id), ("x-amz-id-2", host_id)]
    return _answer(error.status, "application/xml", headers, body, head)


def _rest_json(error: AwsError, head: bool) -> Answer:
    """The REST-JSON protocol (Lambda): the error's name in `x-amzn-ErrorType`, its members in
    the body (https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html)."""
    request_id = str(uuid.uuid4())
    body = json.dumps({**error.fields, "message": error.message})
    headers = [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", error.code)]
    return _answer(error.status, "application/json", headers, body, head)


def _answer(
    status: int, content_type: str, headers: list[tuple[str, str]], body: str, head: bool
) -> Answer:
    payload = b"" if head else body.encode()  # a HEAD answer is its status and headers only
    return Answer(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", content_type), ("Content-Length", str(len(payload))), *headers],
        payload,
    )


Builder = Callable[[AwsError, bool], Answer]

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
        partial(_query, "http://cloudformation.amazonaws.com/doc/2010-05-15/"),
        _QUERY_ERRORS,
    ),
    "sts": (partial(_query, "https://sts.amazonaws.com/doc/2011-06-15/"), _QUERY_ERRORS),
    # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
    "s3": (
        _rest_xml,
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
        _rest_json,
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
