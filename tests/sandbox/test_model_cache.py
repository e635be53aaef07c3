"""The engine's start parses each SDK service model once, however many sessions moto makes."""

from __future__ import annotations

from botocore.loaders import create_loader

from orchestrator.sandbox.model_cache import models_parsed_once


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
