"""S3 CORS per the bucket's CORS configuration, called as a browser calls S3: a preflight
`OPTIONS` and a presigned PUT, unsigned but for the URL's query ("Using cross-origin resource
sharing (CORS)" and its "How does Amazon S3 evaluate the CORS configuration on a bucket?", the
OPTIONS object reference, "Troubleshooting CORS"). The first rule that allows the origin, the
method and every requested header decides: its origin, methods, the requested headers, max age
and `Access-Control-Allow-Credentials: true` come back; an origin no rule allows gets 403
`AccessForbidden` on its preflight and no CORS header on its (served) request; a bucket without
CORS configuration refuses every preflight. Object URLs come from a presigned URL without its
query, so the checks use path-style on an engine and the bucket's own host on AWS."""

from __future__ import annotations

import urllib.error
import urllib.request

from engine import Engine, Verdicts, items

AREA = "s3_cors"
APP = "http://localhost:3000"
EVIL = "http://evil.example"
RULE = {
    "AllowedMethods": ["PUT"],
    "AllowedOrigins": [APP],
    "AllowedHeaders": ["*"],
    "MaxAgeSeconds": 3000,
}


def send(url: str, method: str, headers: dict[str, str], body: bytes | None = None) -> tuple:
    """(status, lower-case headers, body) of an HTTP request."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def preflight(url: str, origin: str) -> tuple:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type",
    }
    return send(url, "OPTIONS", headers)


def cors_of(answer: tuple) -> dict[str, str]:
    return {k: v for k, v in answer[1].items() if k.startswith("access-control-")}


def bucket(engine: Engine, stem: str, rules: list[dict] | None) -> str:
    s3, name = engine.client("s3"), engine.name(stem)
    s3.create_bucket(Bucket=name)
    engine.defer(s3.delete_bucket, Bucket=name)
    if rules:
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
    return name


def upload_url(engine: Engine, name: str, key: str) -> str:
    """A presigned PUT of `key`; the object it makes is deleted when the check ends."""
    s3 = engine.client("s3")
    engine.defer(s3.delete_object, Bucket=name, Key=key)
    return s3.generate_presigned_url("put_object", Params={"Bucket": name, "Key": key})


@items("allowed_preflight", "allowed_put", "foreign_preflight_403", "foreign_put_no_cors")
def configured_bucket(engine: Engine, verdict: Verdicts) -> None:
    name = bucket(engine, "cors", [RULE])
    app_put, evil_put = upload_url(engine, name, "app.png"), upload_url(engine, name, "evil.png")
    object_url = app_put.split("?", 1)[0]
    # a new CORS configuration takes a moment to apply on AWS
    allowed = engine.until(lambda: preflight(object_url, APP), lambda answer: answer[0] == 200)
    expected = {
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "3000",
        "access-control-allow-credentials": "true",
    }
    verdict("allowed_preflight", (allowed[0], cors_of(allowed)) == (200, expected), allowed[:2])
    image = {"Content-Type": "image/png"}
    put = send(app_put, "PUT", {**image, "Origin": APP}, b"image")
    verdict(
        "allowed_put",
        (put[0], cors_of(put).get("access-control-allow-origin")) == (200, APP),
        put[:2],
    )
    refused = preflight(object_url, EVIL)
    verdict(
        "foreign_preflight_403",
        (refused[0], cors_of(refused), b"AccessForbidden" in refused[2]) == (403, {}, True),
        refused,
    )
    served = send(evil_put, "PUT", {**image, "Origin": EVIL}, b"image")
    verdict("foreign_put_no_cors", (served[0], cors_of(served)) == (200, {}), served[:2])


@items("no_configuration_403")
def unconfigured_bucket(engine: Engine, verdict: Verdicts) -> None:
    name = bucket(engine, "nocors", None)
    object_url = (
        engine.client("s3")
        .generate_presigned_url("put_object", Params={"Bucket": name, "Key": "k"})
        .split("?", 1)[0]
    )
    refused = preflight(object_url, APP)
    verdict(
        "no_configuration_403",
        (refused[0], cors_of(refused), b"CORS is not enabled" in refused[2]) == (403, {}, True),
        refused,
    )


CHECKS = [configured_bucket, unconfigured_bucket]
