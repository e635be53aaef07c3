"""The engine's start: no collection while moto imports, one parse of each SDK model."""

from __future__ import annotations

import gc

from botocore.loaders import create_loader

from orchestrator.sandbox.startup import models_parsed_once, quick_imports


def test_loaders_share_what_one_parsed_within_the_block_only() -> None:
    with models_parsed_once():
        first = create_loader().load_service_model("sts", "service-2")
        second = create_loader().load_service_model("sts", "service-2")
        other = create_loader().load_service_model("sts", "paginators-1")

    assert second is first  # parsed once, as one session's loader hands it out
    assert other is not first and "pagination" in other
    assert first["metadata"]["endpointPrefix"] == "sts"
    after = create_loader().load_service_model("sts", "service-2")
    assert after is not first and after == first  # every loader is its own again


def test_no_collection_while_moto_imports_and_its_objects_frozen_after() -> None:
    frozen = gc.get_freeze_count()
    try:
        with quick_imports():
            assert not gc.isenabled()
            data = [{"table": n} for n in range(1000)]  # what an import would load

        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(data)
    finally:
        gc.unfreeze()
