"""A presigned request goes to the service its signature names, whatever its body.

A SigV4 presigned URL carries its credential scope in the query string (`X-Amz-Credential=
KEY/DATE/REGION/SERVICE/aws4_request`), and AWS serves it as that service
(https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html); a SigV2 one
(`AWSAccessKeyId`, `Signature`, `Expires`) is S3's
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html#RESTAuthenticationQueryStringAuth).
moto infers the service of a request without an `Authorization` header from its body instead:
a presigned PUT whose body is sent as `application/x-www-form-urlencoded` (what urllib and
`curl -d` send by default) is parsed as a query-protocol call, and one that is not UTF-8 is read
and never put back, so the request then waits for a body it will not get. Only the inference
sees the signature as an `Authorization` header; the request itself is passed on unchanged.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_MARK = "_firefly_presigned_scope"
_CREDENTIAL = "X-Amz-Credential"
_V2_FIELDS = {"AWSAccessKeyId", "Signature", "Expires"}


def install() -> None:
    original = DomainDispatcherApplication.infer_service_region_host
    if getattr(original, _MARK, False):
        return

    def infer(self: DomainDispatcherApplication, environ: dict[str, Any], path: str) -> Any:
        authorization = _presigned_authorization(environ)
        if authorization is not None:
            environ = {**environ, "HTTP_AUTHORIZATION": authorization}
        return original(self, environ, path)

    setattr(infer, _MARK, True)
    setattr(DomainDispatcherApplication, "infer_service_region_host", infer)  # noqa: B010


def _presigned_authorization(environ: dict[str, Any]) -> str | None:
    """The `Authorization` header a presigned request's query string stands for, if it is one."""
    if environ.get("HTTP_AUTHORIZATION"):
        return None
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    credential = query.get(_CREDENTIAL, [""])[0]
    if credential.count("/") == 4:
        # the form moto parses for a signed request: only its credential scope is read
        return f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=-"
    if query.keys() >= _V2_FIELDS:
        return f"AWS {query['AWSAccessKeyId'][0]}:-"  # not SigV4: moto takes it for S3
    return None
