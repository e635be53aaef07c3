"""What the guard answers a request it refuses, in the protocol the caller's SDK parses.

A foreign access key id is answered as AWS answers a key that does not exist: `InvalidClientTokenId`
(403) from the query protocols
(https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html), S3's `InvalidAccessKeyId`
(403, https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList), and
`UnrecognizedClientException` from the JSON protocols: 400 from DynamoDB
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html),
403 from Lambda (https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html). An unsigned
request AWS requires a signature for gets `MissingAuthenticationToken` (403), or S3's
`AccessDenied` (403).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from functools import partial
from typing import Any

from orchestrator.sandbox.aws_errors import (
    Answer,
    AwsError,
    Builder,
    json_error,
    query_error,
    rest_json_error,
    rest_xml_error,
)

_INVALID_TOKEN = "The security token included in the request is invalid."
_MISSING_TOKEN = "Missing Authentication Token"


class Protocol(Enum):
    QUERY = "query"
    JSON = "json"
    REST_JSON = "rest-json"
    S3 = "s3"


_BUILDERS: dict[Protocol, Builder] = {
    # botocore's query parser reads Code and Message whatever the namespace
    Protocol.QUERY: partial(query_error, "https://sts.amazonaws.com/doc/2011-06-15/"),
    Protocol.JSON: json_error,
    Protocol.REST_JSON: rest_json_error,
    Protocol.S3: rest_xml_error,
}
_UNKNOWN_KEY = {
    Protocol.QUERY: AwsError(403, "InvalidClientTokenId", _INVALID_TOKEN),
    Protocol.JSON: AwsError(400, "UnrecognizedClientException", _INVALID_TOKEN),
    Protocol.REST_JSON: AwsError(403, "UnrecognizedClientException", _INVALID_TOKEN),
    Protocol.S3: AwsError(
        403,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
    ),
}
_UNSIGNED = {
    Protocol.QUERY: AwsError(403, "MissingAuthenticationToken", _MISSING_TOKEN),
    Protocol.JSON: AwsError(403, "MissingAuthenticationTokenException", _MISSING_TOKEN),
    Protocol.REST_JSON: AwsError(403, "MissingAuthenticationTokenException", _MISSING_TOKEN),
    Protocol.S3: AwsError(403, "AccessDenied", "Access Denied"),
}


def protocol(environ: Mapping[str, Any], service: str | None) -> Protocol:
    """The protocol of a request: from its signing service, target header or content type."""
    if service == "s3":
        return Protocol.S3
    if environ.get("HTTP_X_AMZ_TARGET"):
        return Protocol.JSON
    form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    if form or "Action=" in environ.get("QUERY_STRING", ""):
        return Protocol.QUERY
    return Protocol.REST_JSON if service else Protocol.S3  # moto's default for the unsigned


def unknown_key(kind: Protocol, head: bool) -> Answer:
    return _BUILDERS[kind](_UNKNOWN_KEY[kind], head)


def unsigned(kind: Protocol, head: bool) -> Answer:
    return _BUILDERS[kind](_UNSIGNED[kind], head)


def foreign_host(host: str, head: bool) -> Answer:
    """A request for a name that is not this machine's (DNS rebinding, see `hosts`)."""
    message = (
        f"the firefly sandbox answers requests for localhost only, not for Host {host!r} "
        "(a guard against DNS rebinding); use http://127.0.0.1:PORT or http://localhost:PORT"
    )
    return rest_xml_error(AwsError(403, "AccessDenied", message), head)


def control_without_key(head: bool) -> Answer:
    """A call to the engine's own endpoints without the client's access key id."""
    message = (
        "the sandbox's own endpoints need the header x-firefly-access-key-id with the key "
        "that 'firefly sandbox env' prints"
    )
    return rest_json_error(AwsError(403, "AccessDeniedException", message), head)
