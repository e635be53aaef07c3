"""Which `Host` names this machine: a loopback address, `localhost`, or a name under `.localhost`.

A web page can make the browser send requests to 127.0.0.1 under a name of its own (DNS
rebinding: its domain first resolves to its server, then to 127.0.0.1), and the browser then
treats the sandbox as that page's origin. Such a request still carries the page's name in `Host`,
so refusing every other name stops it (https://en.wikipedia.org/wiki/DNS_rebinding). Names under
`.localhost` always resolve to the loopback (RFC 6761, section 6.3): the served APIs use them
(`{apiId}.execute-api.localhost`).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def _is_loopback_name(name: str) -> bool:
    name = name.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_local_host(host: str | None) -> bool:
    """Whether a `Host` header value (with or without its port) names this machine."""
    if not host:
        return False
    try:
        name = urlsplit(f"//{host}").hostname  # splits the port off, unwraps `[::1]`
    except ValueError:
        return False
    return name is not None and _is_loopback_name(name)


def is_loopback_url(url: str) -> bool:
    """Whether `url` is an http(s) URL of this machine (an engine's endpoint)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and is_local_host(parts.netloc)
