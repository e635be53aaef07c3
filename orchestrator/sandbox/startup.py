"""What keeps the engine's start short: importing moto is most of it.

Garbage collection waits until the import is done: moto loads large tables of AWS data as it
is imported, and the collector would go through them again and again while they grow; after,
they are frozen out of later collections (`gc.freeze`), which they would only survive.

One parse of each AWS SDK service model: moto's EC2 models list the regions of three partitions
as they are imported, each from a new boto3 session that parses botocore's EC2 model anew (about
1 MB of JSON, a fifth of the engine's start on a small machine). Within one session botocore
parses a model once and hands the same dictionary to every client it makes
(`Loader.instance_cache`), so sharing that dictionary between the sessions made meanwhile is
what botocore already does within one; after the import, every loader is its own again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.loaders import Loader


@contextmanager
def models_parsed_once() -> Iterator[None]:
    """Within the block, every botocore loader shares the service models any of them loaded."""
    original = Loader.load_service_model
    loaded: dict[tuple[Any, ...], Any] = {}

    def load_service_model(
        self: Loader, service_name: str, type_name: str, api_version: str | None = None
    ) -> Any:
        key = (tuple(self.search_paths), service_name, type_name, api_version)
        if key not in loaded:
            loaded[key] = original(self, service_name, type_name, api_version)
        return loaded[key]

    Loader.load_service_model = load_service_model
    try:
        yield
    finally:
        Loader.load_service_model = original


@contextmanager
def quick_imports() -> Iterator[None]:
    """Import moto within the block: no garbage collection meanwhile, one parse of each SDK
    model; what the block imported is frozen out of later collections."""
    gc.disable()
    try:
        with models_parsed_once():
            yield
    finally:
        gc.freeze()
        gc.enable()
