"""The access key id a request is signed with, wherever the request carries it.

SigV4 puts it in the credential scope, in the `Authorization` header or, for a presigned URL, in
the `X-Amz-Credential` query parameter; S3's older SigV2 in `Authorization: AWS KEY:SIGNATURE` or
the `AWSAccessKeyId` query parameter
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html).
Only the key id is checked, not the signature bytes: the key id is as private as the secret here
(both live in the same 0600 file), and the engine never logs either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

_SIGV4 = re.compile(r"Credential=([^/,\s]+)/[^/,\s]*/[^/,\s]*/([^/,\s]+)/aws4_request")
_SIGV2 = re.compile(r"^AWS ([^:\s]+):")


def header_scope(environ: Mapping[str, Any]) -> tuple[str, str] | None:
    """(access key id, service) of a request signed with a SigV4 `Authorization` header."""
    signed = _SIGV4.search(environ.get("HTTP_AUTHORIZATION", ""))
    return (signed.group(1), signed.group(2)) if signed is not None else None


def _scope(environ: Mapping[str, Any]) -> tuple[str, str] | None:
    """(access key id, service) of a SigV4 request, header or query."""
    signed = header_scope(environ)
    if signed is not None:
        return signed
    query = parse_qs(environ.get("QUERY_STRING", ""))
    credential = (query.get("X-Amz-Credential") or [""])[0].split("/")
    if len(credential) == 5 and credential[0]:
        return credential[0], credential[3]
    return None


def access_key_id(environ: Mapping[str, Any]) -> str | None:
    """The key id the request names, or None for an unsigned request."""
    scope = _scope(environ)
    if scope is not None:
        return scope[0]
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    sigv2 = _SIGV2.search(authorization)
    if sigv2 is not None:
        return sigv2.group(1)
    presigned_v2 = parse_qs(environ.get("QUERY_STRING", "")).get("AWSAccessKeyId")
    if presigned_v2:
        return str(presigned_v2[0])
    # an Authorization header of no known scheme is a signature we cannot read: not unsigned
    return str(authorization).strip() or None


def signing_service(environ: Mapping[str, Any]) -> str | None:
    """The service a SigV4 request is signed for (`s3`, `dynamodb`, ...), else None."""
    scope = _scope(environ)
    return scope[1] if scope is not None else None
