"""Lambda functions for the services tests: zips made in memory, functions made and removed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tests.sandbox.cfn_support import unique


def zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


@contextmanager
def function(aws: Callable[[str], Any], role: str, source: str, **kwargs: Any) -> Iterator[str]:
    """A Python 3.11 function whose `app.handler` is `source`; deleted afterwards."""
    lam, name = aws("lambda"), unique("fn")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zip_bytes({"app.py": source})},
        **kwargs,
    )
    try:
        yield name
    finally:
        lam.delete_function(FunctionName=name)
