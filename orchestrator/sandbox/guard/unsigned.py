"""Which unsigned requests AWS serves, and so the sandbox too.

- S3 reads (GET, HEAD): anonymous requests, which the bucket's policy decides on
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html), and a
  browser's form upload (POST multipart/form-data), authenticated by the signed policy in the form
  (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html).
- The operations the service models mark as unauthenticated: Cognito's sign-up and sign-in
  (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pools-API-operations.html),
  STS's AssumeRoleWithWebIdentity and AssumeRoleWithSAML.
- A CORS preflight (OPTIONS), which never carries credentials: the guard answers one to S3 as
  S3 does (`s3_cors`) and strips the CORS headers of the others.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import botocore.session

# the services whose unauthenticated operations moto routes unsigned (its UNSIGNED_REQUESTS)
_MODELLED = ("cognito-idp", "cognito-identity", "sts")
_S3_READS = ("GET", "HEAD")

Backend = Callable[[dict[str, Any]], str | None]


@functools.cache
def _unauthenticated() -> frozenset[str]:
    """`TargetPrefix.Operation` and bare operation names of every unauthenticated operation."""
    session = botocore.session.get_session()
    names: set[str] = set()
    for service in _MODELLED:
        model = session.get_service_model(service)
        prefix = model.metadata.get("targetPrefix")
        for name in model.operation_names:
            operation = model.operation_model(name)
            schemes = operation.metadata.get("auth") or []
            if operation.auth_type == "none" or "smithy.api#noAuth" in schemes:
                names.add(f"{prefix}.{name}" if prefix else name)
    return frozenset(names)


def _action(environ: dict[str, Any]) -> str | None:
    """The query protocol's `Action`, from the query string or a form body (put back after)."""
    query = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if query:
        return str(query[0])
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return None
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    body = environ["wsgi.input"].read(size)
    environ["wsgi.input"] = io.BytesIO(body)
    found = parse_qs(body.decode(errors="replace")).get("Action")
    return str(found[0]) if found else None


def is_served(environ: dict[str, Any], backend: Backend) -> bool:
    """Whether AWS serves this unsigned request; `backend` names the moto backend it goes to."""
    method = environ.get("REQUEST_METHOD", "")
    if method == "OPTIONS":
        return True
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target in _unauthenticated()
    action = _action(environ)
    if action is not None:
        return action in _unauthenticated()
    if backend(environ) != "s3":
        return False
    form = environ.get("CONTENT_TYPE", "").startswith("multipart/form-data")
    return method in _S3_READS or (method == "POST" and form)
