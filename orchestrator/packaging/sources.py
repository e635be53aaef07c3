"""The local source folders a template names, and where to write their S3 locations back.

What `sam package` and `aws cloudformation package` rewrite: `CodeUri`/`ContentUri` of SAM
functions and layers (and `Globals.Function.CodeUri`), and `Code`/`Content` of plain Lambda
functions and layers when written as a local path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Resource type → (property, is a layer, written back as an s3:// URI rather than a mapping)
SOURCE_PROPERTIES: dict[str, tuple[str, bool, bool]] = {
    "AWS::Serverless::Function": ("CodeUri", False, True),
    "AWS::Serverless::LayerVersion": ("ContentUri", True, True),
    "AWS::Lambda::Function": ("Code", False, False),
    "AWS::Lambda::LayerVersion": ("Content", True, False),
}
# Already remote: left as written.
REMOTE_PREFIXES = ("s3://", "https://", "http://")


@dataclass(frozen=True)
class LocalSource:
    """One property naming a local folder: the path to its mapping, and how to rewrite it."""

    at: tuple[str, ...]
    name: str  # CodeUri, ContentUri, Code or Content
    value: str
    layer: bool
    s3_uri: bool

    @property
    def field(self) -> str:
        return ".".join((*self.at, self.name))

    def folder(self, template_dir: Path) -> Path:
        return (template_dir / self.value).resolve()

    def location(self, bucket: str, key: str) -> str | dict[str, str]:
        """The S3 location as `sam package` (a URI) or `cloudformation package` writes it."""
        if self.s3_uri:
            return f"s3://{bucket}/{key}"
        return {"S3Bucket": bucket, "S3Key": key}

    def rewrite(self, template: dict[str, Any], bucket: str, key: str) -> None:
        mapping = template
        for name in self.at:
            mapping = mapping[name]
        mapping[self.name] = self.location(bucket, key)


def _is_local(value: Any) -> bool:
    # A mapping (S3Bucket/S3Key, ZipFile, Bucket/Key) or an intrinsic is not a path.
    return isinstance(value, str) and bool(value) and not value.startswith(REMOTE_PREFIXES)


def local_sources(template: Mapping[str, Any]) -> Iterator[LocalSource]:
    """Every property of `template` that names a local folder, in template order.

    A SAM function without CodeUri inherits `Globals.Function.CodeUri`, which is rewritten in
    place (the transform merges it). One with neither is left alone: `sam package` would zip the
    template's own folder, which is never what a stack of this project means.
    """
    globals_ = template.get("Globals")
    function = globals_.get("Function") if isinstance(globals_, Mapping) else None
    if isinstance(function, Mapping) and _is_local(function.get("CodeUri")):
        yield LocalSource(("Globals", "Function"), "CodeUri", function["CodeUri"], False, True)
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping):
            continue
        spec = SOURCE_PROPERTIES.get(str(resource.get("Type")))
        properties = resource.get("Properties")
        if spec is None or not isinstance(properties, Mapping):
            continue
        name, layer, s3_uri = spec
        if _is_local(properties.get(name)):
            yield LocalSource(
                ("Resources", logical_id, "Properties"), name, properties[name], layer, s3_uri
            )
