"""S3 stores a request's body as sent, whatever its `Content-Type`.

S3 never reads an object's body as a form: a PUT whose `Content-Type` is
`application/x-www-form-urlencoded` (what urllib and `curl -d` send unless told otherwise)
stores those bytes as the object, with that content type
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html; only a browser's POST
upload is a form, and it is `multipart/form-data`). moto's request object parses such a body as
form fields before S3 sees it, so the object was stored empty and the fields were read as
query parameters. For S3, the raw body is read first and the form is left empty.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.s3.responses import S3Response
from werkzeug.datastructures import ImmutableMultiDict

_MARK = "_firefly_bodies_not_forms"
_FORM = "application/x-www-form-urlencoded"


def install() -> None:
    original = S3Response.setup_class
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def setup_class(self: S3Response, request: Any, *args: Any, **kwargs: Any) -> None:
        if str(request.headers.get("Content-Type", "")).startswith(_FORM):
            _keep_raw_body(request)
        original(self, request, *args, **kwargs)

    setattr(setup_class, _MARK, True)
    setattr(S3Response, "setup_class", setup_class)  # noqa: B010


def _keep_raw_body(request: Any) -> None:
    """Cache the body unparsed, and give the request an empty form (werkzeug's `form` and
    `files` are cached properties: a value in the instance's dict is what they answer)."""
    request.get_data(cache=True, parse_form_data=False)
    empty: Callable[[], ImmutableMultiDict[str, Any]] = ImmutableMultiDict
    request.__dict__["form"] = empty()
    request.__dict__["files"] = empty()
