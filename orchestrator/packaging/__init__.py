"""Reproducible Lambda zips under content-hash keys, and templates pointed at them.

`package_template` is what the deploy engine calls for a SAM (or plain Lambda) template: every
local `CodeUri`/`ContentUri`/`Code`/`Content` folder is built (requirements through
aws-lambda-builders, cached by content), zipped byte-for-byte reproducibly, uploaded through an
`ArtifactStore` unless its key exists, and rewritten to its S3 location. No AWS library here:
the store is a Protocol that `orchestrator.aws.artifacts.S3ArtifactStore` implements.
"""

from __future__ import annotations

from orchestrator.packaging.archive import zip_folder
from orchestrator.packaging.build import (
    CACHE_FOLDER,
    BuiltZip,
    PackagingError,
    build_folder,
    cache_dir_for,
    has_requirements,
)
from orchestrator.packaging.package import (
    Artifact,
    ArtifactStore,
    PackagedTemplate,
    PackagingTemplates,
    default_cache_dir,
    package_template,
    plain,
    read_template,
    template_body,
)
from orchestrator.packaging.sources import LocalSource, local_sources

__all__ = [
    "CACHE_FOLDER",
    "Artifact",
    "ArtifactStore",
    "BuiltZip",
    "LocalSource",
    "PackagedTemplate",
    "PackagingError",
    "PackagingTemplates",
    "build_folder",
    "cache_dir_for",
    "default_cache_dir",
    "has_requirements",
    "local_sources",
    "package_template",
    "plain",
    "read_template",
    "template_body",
    "zip_folder",
]
