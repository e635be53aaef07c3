"""Package a template: build its local sources, upload them by content hash, point it at S3.

What `sam package` does for a stack, with builds of different folders in parallel and an
upload only when the bucket lacks the key: an unchanged function costs one existence check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from orchestrator.packaging.build import PackagingError, build_folder, cache_dir_for
from orchestrator.packaging.sources import LocalSource, local_sources

DEFAULT_WORKERS = 4


class ArtifactStore(Protocol):
    """Where zips go: a bucket whose keys are content hashes (implemented in orchestrator.aws)."""

    bucket: str

    def exists(self, key: str) -> bool: ...

    def upload(self, source: Path | bytes, key: str) -> None: ...


@dataclass(frozen=True)
class Artifact:
    """One uploaded (or already present) zip and the template fields that point at it."""

    source: Path
    key: str
    sha256: str
    size: int
    uploaded: bool  # False: the bucket already had the key, nothing was sent
    built: bool  # False: the build cache already had the zip
    fields: tuple[str, ...]
    zip_path: Path  # the zip in the build cache, what an upload sends

    @property
    def reused(self) -> bool:
        return not self.uploaded


@dataclass(frozen=True)
class PackagedTemplate:
    """The template rewritten to S3 locations (Transform kept), and its artifacts."""

    template: dict[str, Any]
    artifacts: tuple[Artifact, ...]

    @property
    def body(self) -> str:
        return template_body(self.template)

    @property
    def uploads(self) -> int:
        return sum(artifact.uploaded for artifact in self.artifacts)


def plain(value: Any) -> Any:
    """A deep copy of parsed YAML as plain dicts, lists and scalars (no located wrappers)."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def read_template(path: Path) -> dict[str, Any]:
    """A template file as plain data with long-form intrinsics (`!Ref X` → `{"Ref": "X"}`)."""
    # Imported here so that packaging alone does not load the manifest and template checks.
    from orchestrator.errors import ManifestError
    from orchestrator.templates import load_template

    template, problems = load_template(path, str(path))
    if template is None or problems:
        raise ManifestError(problems)
    body: dict[str, Any] = plain(template.body)
    return body


def template_body(template: Mapping[str, Any]) -> str:
    """The JSON CloudFormation receives: compact (its TemplateBody limit is 51,200 bytes) and
    stable, keys in template order, so the same template always gives the same text and hash."""
    return json.dumps(template, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class _Job:
    folder: Path
    layer: bool
    fields: tuple[str, ...]


def _jobs(sources: list[LocalSource], template_dir: Path) -> list[_Job]:
    """One job per folder (and kind): a folder named twice is built and uploaded once."""
    grouped: dict[tuple[Path, bool], list[str]] = {}
    for source in sources:
        grouped.setdefault((source.folder(template_dir), source.layer), []).append(source.field)
    return [_Job(folder, layer, tuple(fields)) for (folder, layer), fields in grouped.items()]


def _package_folder(
    job: _Job, store: ArtifactStore, cache_dir: Path, prefix: str, publish: bool
) -> Artifact:
    if not job.folder.is_dir():
        raise PackagingError(
            f"{job.fields[0]}: {job.folder} is not a folder; it must name the "
            "folder of a function's or layer's sources"
        )
    built = build_folder(job.folder, cache_dir, layer=job.layer)
    # The content hash is the key: the same bytes are never stored twice, and an existing key
    # means this exact zip is already there.
    key = f"{prefix}{job.folder.name}/{built.sha256}.zip"
    artifact = Artifact(
        job.folder, key, built.sha256, built.size, False, not built.cached, job.fields, built.path
    )
    return publish_artifact(artifact, store) if publish else artifact


def publish_artifact(artifact: Artifact, store: ArtifactStore) -> Artifact:
    """Upload the zip unless the bucket has its key already (the same bytes, by its hash)."""
    if store.exists(artifact.key):
        return artifact
    store.upload(artifact.zip_path, artifact.key)
    return replace(artifact, uploaded=True)


def package_template(
    template: Mapping[str, Any],
    template_dir: Path,
    store: ArtifactStore,
    *,
    workers: int = DEFAULT_WORKERS,
    cache_dir: Path | None = None,
    key_prefix: str = "",
    publish: bool = True,
) -> PackagedTemplate:
    """Build, upload and point `template` at every local source it names; `template` is not
    changed.

    Args:
        template_dir: the folder the template's relative paths start from.
        workers: folders built and uploaded at once.
        cache_dir: the build cache; by default `.firefly/build` in `template_dir`'s project
            (the nearest folder up holding workflows.yaml). Pass `cache_dir_for(manifest.root)`.
        key_prefix: put before every key (`<prefix><folder name>/<sha256>.zip`).
        publish: False computes the keys without a call to the store (`publish_artifact`
            later, once the stack will really be deployed).
    """
    packaged: dict[str, Any] = plain(template)
    sources = list(local_sources(packaged))
    cache = cache_dir if cache_dir is not None else default_cache_dir(template_dir)
    jobs = _jobs(sources, template_dir)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="package") as pool:
        artifacts = list(
            pool.map(lambda job: _package_folder(job, store, cache, key_prefix, publish), jobs)
        )
    keys = {
        (job.folder, job.layer): artifact.key for job, artifact in zip(jobs, artifacts, strict=True)
    }
    for source in sources:
        source.rewrite(packaged, store.bucket, keys[(source.folder(template_dir), source.layer)])
    return PackagedTemplate(packaged, tuple(artifacts))


def default_cache_dir(template_dir: Path, manifest_name: str = "workflows.yaml") -> Path:
    """`.firefly/build` beside the nearest manifest above `template_dir` (or in it, if none)."""
    start = template_dir.resolve()
    for folder in (start, *start.parents):
        if (folder / manifest_name).is_file():
            return cache_dir_for(folder)
    return cache_dir_for(start)


class PackagingTemplates:
    """The engine's `Templates` port: each workflow's template as CloudFormation receives it.

    A template naming local sources (every SAM stack here) is packaged and sent as JSON; one
    naming none is sent as written, so its YAML reaches CloudFormation untouched. What was
    packaged is kept by workflow for the run's report.

    `body` only builds and computes the content-hash keys: an unchanged stack (its fingerprint
    covers the body, keys included) is skipped without a call to the bucket. `publish` uploads
    what the bucket lacks, once the stack is really going to be deployed.
    """

    def __init__(
        self,
        root: Path,
        store: ArtifactStore,
        *,
        workers: int = DEFAULT_WORKERS,
        cache_dir: Path | None = None,
        key_prefix: str = "",
    ) -> None:
        self.root = root
        self.store = store
        self.workers = workers
        self.cache_dir = cache_dir if cache_dir is not None else cache_dir_for(root)
        self.key_prefix = key_prefix
        self.packaged: dict[str, PackagedTemplate] = {}

    def body(self, workflow: str, template: str) -> str:
        path = self.root / template
        parsed = read_template(path)
        if not any(local_sources(parsed)):
            return path.read_text(encoding="utf-8")
        packaged = package_template(
            parsed,
            path.parent,
            self.store,
            workers=self.workers,
            cache_dir=self.cache_dir,
            key_prefix=self.key_prefix,
            publish=False,
        )
        self.packaged[workflow] = packaged
        return packaged.body

    def publish(self, workflow: str) -> None:
        packaged = self.packaged.get(workflow)
        if packaged is None:
            return  # a template as written: nothing of its own to store
        artifacts = self._publish(packaged.artifacts)
        self.packaged[workflow] = replace(packaged, artifacts=artifacts)

    def _publish(self, artifacts: tuple[Artifact, ...]) -> tuple[Artifact, ...]:
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="upload") as pool:
            return tuple(pool.map(lambda item: publish_artifact(item, self.store), artifacts))
