"""Where a request for a served API names its API: path-style `/_api/{apiId}/...` on any of this
machine's names, or host-style `{apiId}.execute-api.localhost[:port]` (also with a region label,
`{apiId}.execute-api.{region}.localhost`), as AWS names `{apiId}.execute-api.{region}.amazonaws.com`
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop.html).

The URLs the engine hands out (an API's `ApiEndpoint`) are path-style: a name under `.localhost`
resolves to the loopback in curl and browsers, but not through every system resolver (glibc with
`hosts: files dns` does not), and a Lambda handler or a test must reach the API too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

PATH_PREFIX = "/_api/"
_API_ID = r"[a-z0-9]{1,64}"
_PATH_STYLE = re.compile(rf"^{PATH_PREFIX}(?P<api>{_API_ID})(?P<rest>/.*)?$")
_HOST_STYLE = re.compile(rf"^(?P<api>{_API_ID})\.execute-api(\.[a-z0-9-]+)?\.localhost\.?$")


@dataclass(frozen=True)
class ApiAddress:
    """The API a request is for, and its path after the API id (from `/`, the stage segment
    included, no query string)."""

    api_id: str
    path: str


def api_address(environ: dict[str, Any]) -> ApiAddress | None:
    """The served API `environ` addresses, or None for the engine's other traffic."""
    path = environ.get("PATH_INFO", "") or "/"
    by_path = _PATH_STYLE.match(path)
    if by_path:
        return ApiAddress(by_path["api"], by_path["rest"] or "/")
    by_host = _HOST_STYLE.match(host_name(environ.get("HTTP_HOST", "")))
    if by_host:
        return ApiAddress(by_host["api"], path)
    return None


def raw_path(environ: dict[str, Any], address: ApiAddress) -> str:
    """`address.path` as the client sent it, percent-encoding kept (the 2.0 event's `rawPath`;
    werkzeug's `PATH_INFO` is decoded)."""
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").split("?", 1)[0]
    prefix = f"{PATH_PREFIX}{address.api_id}"
    if raw.startswith(prefix):
        raw = raw[len(prefix) :]
    elif _PATH_STYLE.match(environ.get("PATH_INFO", "") or "/"):
        return address.path  # a raw URI that disagrees with PATH_INFO: trust the decoded one
    return raw or address.path


def host_name(host: str) -> str:
    """A `Host` header's name, lower-cased, without its port."""
    try:
        return (urlsplit(f"//{host}").hostname or "").lower()
    except ValueError:
        return ""


def local_url(api_id: str, engine_endpoint: str, scheme: str = "http") -> str:
    """The URL of API `api_id` on the engine at `engine_endpoint` (`http://127.0.0.1:PORT`)."""
    netloc = urlsplit(engine_endpoint).netloc
    return f"{scheme}://{netloc}{PATH_PREFIX}{api_id}"
