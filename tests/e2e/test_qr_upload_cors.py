"""Seed 004's browser upload after `firefly deploy --env local`: the QR upload bucket's
CorsConfiguration (its AllowedOrigins from the var QR_UPLOAD_ALLOWED_ORIGINS) lets the web app's
origin preflight a PUT to the bucket, as on AWS, and no other origin."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.e2e.conftest import Firefly

pytestmark = pytest.mark.slow

WEB_APP = "http://localhost:3000"  # QR_UPLOAD_ALLOWED_ORIGINS of the local environment


def _preflight_put(url: str, origin: str) -> tuple[int, str | None]:
    """(status, Access-Control-Allow-Origin) of a browser's preflight for a PUT of an image."""
    request = urllib.request.Request(
        url,
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers.get("Access-Control-Allow-Origin")
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, refused.headers.get("Access-Control-Allow-Origin")


def test_the_web_app_s_origin_may_upload_to_the_qr_bucket_and_no_other(
    local: Firefly, sandbox_engine: SandboxInfo
) -> None:
    deployed = local("deploy", "--env", "local", "--only", "s3-qr-uploads")
    assert deployed.code == 0, deployed.out + deployed.err
    shown = local("outputs", "--env", "local", "s3-qr-uploads", "--json")
    bucket = json.loads(shown.out)["BucketName"]
    upload = f"{sandbox_engine.endpoint}/{bucket}/session-uploads/qr.png"

    assert _preflight_put(upload, WEB_APP) == (200, WEB_APP)
    assert _preflight_put(upload, "http://localhost:3001") == (403, None)
