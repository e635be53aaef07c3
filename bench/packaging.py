"""How long packaging every SAM stack of the repository takes, cold and warm, and what it uploads.

Cold: an empty build cache and an empty bucket (every folder built, zipped and uploaded). Warm:
the same cache and bucket again, as a redeploy with no source change sees them. Target: the warm
run uploads nothing (and builds nothing). Templates are packaged concurrently, as the deploy
engine runs workflows. The bucket is in memory unless --moto, which goes through
S3ArtifactStore to moto's in-process S3.
Then, apart, a function with a real third-party dependency (every requirements.txt of the
repository is empty): written in a temporary folder, its requirements installed from the registry
by aws-lambda-builders as `sam build` does, cold and warm (pip's own download cache is not
emptied: cold is firefly's build cache and the bucket).
Run: python bench/packaging.py [--concurrency N] [--workers N] [--moto]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from orchestrator.packaging import (  # noqa: E402  (the repository is put on the path first)
    ArtifactStore,
    PackagedTemplate,
    package_template,
    read_template,
)

SAM = "AWS::Serverless-2016-10-31"
BUCKET = "firefly-bench-artifacts"
# A small pure-Python package, pinned so that every run installs the same files.
DEPENDENCY = "six==1.17.0"
DEPENDENCY_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Function:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../../lambdas/with-dependency
      Handler: app.handler
      Runtime: python3.11
"""
DEPENDENCY_HANDLER = """import six


def handler(event, context):
    return {"six": six.__version__}
"""


class MemoryStore:
    def __init__(self) -> None:
        self.bucket = BUCKET
        self.objects: dict[str, int] = {}

    def exists(self, key: str) -> bool:
        return key in self.objects

    def upload(self, source: Path | bytes, key: str) -> None:
        data = source if isinstance(source, bytes) else source.read_bytes()
        self.objects[key] = len(data)


@contextmanager
def moto_store() -> Iterator[ArtifactStore]:
    import boto3
    from moto import mock_aws

    from orchestrator.aws.artifacts import S3ArtifactStore, ensure_artifact_bucket

    with mock_aws():
        s3 = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench"
        )
        ensure_artifact_bucket(s3, BUCKET, "us-east-1")
        yield S3ArtifactStore(s3, BUCKET)


@contextmanager
def nullstore() -> Iterator[ArtifactStore]:
    yield MemoryStore()


def sam_templates() -> list[Path]:
    found = []
    for path in sorted((REPO / "stacks").glob("*/template.yaml")):
        transform = read_template(path).get("Transform")
        if SAM in (transform if isinstance(transform, list) else [transform]):
            found.append(path)
    return found


def dependency_template(folder: Path) -> Path:
    """Write a project whose one function needs `DEPENDENCY`; its template's path."""
    source = folder / "lambdas" / "with-dependency"
    source.mkdir(parents=True)
    (source / "app.py").write_text(DEPENDENCY_HANDLER, encoding="utf-8")
    (source / "requirements.txt").write_text(DEPENDENCY + "\n", encoding="utf-8")
    template = folder / "stacks" / "with-dependency" / "template.yaml"
    template.parent.mkdir(parents=True)
    template.write_text(DEPENDENCY_TEMPLATE, encoding="utf-8")
    return template


def package_all(
    paths: list[Path], store: ArtifactStore, cache: Path, concurrency: int, workers: int
) -> tuple[float, list[PackagedTemplate]]:
    templates = [(read_template(path), path.parent) for path in paths]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        packaged = list(
            pool.map(
                lambda item: package_template(
                    item[0], item[1], store, workers=workers, cache_dir=cache
                ),
                templates,
            )
        )
    return time.perf_counter() - start, packaged


def report(label: str, seconds: float, packaged: list[PackagedTemplate]) -> None:
    artifacts = {a.key: a for p in packaged for a in p.artifacts}.values()
    size = sum(a.size for a in artifacts)
    uploads = sum(p.uploads for p in packaged)
    builds = sum(a.built for p in packaged for a in p.artifacts)
    print(
        f"{label:5} {seconds:7.3f} s  {len(artifacts):2} zips  {size:9,} bytes  "
        f"{builds:2} builds  {uploads:2} uploads"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--moto", action="store_true")
    options = parser.parse_args()
    paths = sam_templates()
    print(
        f"{len(paths)} SAM templates under stacks/, concurrency {options.concurrency}, "
        f"workers {options.workers}, bucket {'moto S3' if options.moto else 'in memory'}"
    )
    with (
        tempfile.TemporaryDirectory(prefix="firefly-bench-") as cache,
        moto_store() if options.moto else nullstore() as store,
    ):
        cold = package_all(paths, store, Path(cache), options.concurrency, options.workers)
        warm = package_all(paths, store, Path(cache), options.concurrency, options.workers)
    report("cold", *cold)
    report("warm", *warm)
    uploads = sum(p.uploads for p in warm[1])
    verdict = "ok" if uploads == 0 else "MISSED"
    print(f"uploads on the second run: {uploads} (target 0) -> {verdict}")
    bench_dependency(options)


def bench_dependency(options: argparse.Namespace) -> None:
    print(f"a function with a third-party dependency ({DEPENDENCY}), built by aws-lambda-builders")
    with (
        tempfile.TemporaryDirectory(prefix="firefly-bench-") as folder,
        moto_store() if options.moto else nullstore() as store,
    ):
        paths = [dependency_template(Path(folder, "project"))]
        cache = Path(folder, "cache")
        cold = package_all(paths, store, cache, options.concurrency, options.workers)
        warm = package_all(paths, store, cache, options.concurrency, options.workers)
    report("cold", *cold)
    report("warm", *warm)


if __name__ == "__main__":
    main()
