"""How each AWS protocol answers an error: the bodies and headers botocore parses into an error
code and message. The fault injector and the request guard answer with these."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.wsgi import get_input_stream


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


def query_error(namespace: str, error: AwsError, head: bool) -> Answer:
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


def rest_xml_error(error: AwsError, head: bool) -> Answer:
    """S3's REST error response: an `Error` document, and its request ids in headers
    (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html)."""
    request_id, host_id = secrets.token_hex(8).upper(), secrets.token_urlsafe(48)
    members = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in error.fields.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{error.code}</Code><Message>{escape(error.message)}</Message>{members}"
        f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
    )
    headers = [("x-amz-request-id", request_id), ("x-amz-id-2", host_id)]
    return _answer(error.status, "application/xml", headers, body, head)


def rest_json_error(error: AwsError, head: bool) -> Answer:
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


def json_error(error: AwsError, head: bool) -> Answer:
    """The AWS JSON protocols (DynamoDB, Step Functions, Cognito): the error's name in the body's
    `__type` (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html)."""
    request_id = str(uuid.uuid4())
    body = json.dumps({"__type": error.code, "message": error.message})
    return _answer(
        error.status, "application/x-amz-json-1.0", [("x-amzn-RequestId", request_id)], body, head
    )


Builder = Callable[[AwsError, bool], Answer]


def answer_early(
    environ: dict[str, Any], start_response: Callable[..., Any], reply: Answer
) -> list[bytes]:
    """Answer a WSGI request without passing it on, after reading all of it: a client still
    sending an upload (S3 PutObject) would otherwise see its connection reset instead."""
    stream = get_input_stream(environ)
    while stream.read(1 << 16):
        pass
    start_response(reply.status, reply.headers)
    return [reply.body]
