"""S3 stores an object's body as sent, whatever its `Content-Type` (PutObject API reference):
a PUT sent as `application/x-www-form-urlencoded` — what urllib and `curl -d` send unless told
otherwise — is no form to S3, signed or through a presigned URL, UTF-8 or not."""

from __future__ import annotations

import urllib.request

from engine import Engine, Verdicts, items

AREA = "s3_objects"
FORM = "application/x-www-form-urlencoded"
TEXT, BINARY = b"a=1&tagging=2", b"\xff\xfe\x00form"


def presigned_put(engine: Engine, name: str, key: str, body: bytes) -> int:
    url = engine.client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": name, "Key": key, "ContentType": FORM}
    )
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": FORM})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return int(answer.status)


@items("signed_form_body_kept", "presigned_form_body_kept", "presigned_binary_form_body_kept")
def form_typed_bodies(engine: Engine, verdict: Verdicts) -> None:
    s3, name = engine.client("s3"), engine.name("formbody")
    s3.create_bucket(Bucket=name)
    engine.defer(s3.delete_bucket, Bucket=name)
    for key in ("signed", "text", "binary"):
        engine.defer(s3.delete_object, Bucket=name, Key=key)

    s3.put_object(Bucket=name, Key="signed", Body=TEXT, ContentType=FORM)
    stored = s3.get_object(Bucket=name, Key="signed")
    verdict("signed_form_body_kept", stored["Body"].read() == TEXT, stored["ContentType"])
    for item, key, body in (
        ("presigned_form_body_kept", "text", TEXT),
        ("presigned_binary_form_body_kept", "binary", BINARY),
    ):
        status = presigned_put(engine, name, key, body)
        kept = s3.get_object(Bucket=name, Key=key)["Body"].read()
        verdict(item, status == 200 and kept == body, f"{status} {kept!r}")


CHECKS = [form_typed_bodies]
