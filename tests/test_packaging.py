"""Packaging: reproducible zips, content-hash keys, the build cache, templates rewritten to S3."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from orchestrator.packaging import (
    PackagingError,
    PackagingTemplates,
    build_folder,
    default_cache_dir,
    has_requirements,
    package_template,
    plain,
    read_template,
    template_body,
    zip_folder,
)
from orchestrator.templates import LocatedDict
from tests.conftest import REPO

BUCKET = "firefly-artifacts"
SAM = "AWS::Serverless-2016-10-31"


class MemoryStore:
    """An ArtifactStore in a dict, recording every upload."""

    def __init__(self, bucket: str = BUCKET) -> None:
        self.bucket = bucket
        self.objects: dict[str, bytes] = {}
        self.uploads: list[str] = []

    def exists(self, key: str) -> bool:
        return key in self.objects

    def upload(self, source: Path | bytes, key: str) -> None:
        self.objects[key] = source if isinstance(source, bytes) else source.read_bytes()
        self.uploads.append(key)


def write_tree(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


FUNCTION = {
    "app.py": "def handler(event, context):\n    return 1\n",
    "requirements.txt": "",
    "lib/util.py": "X = 1\n",
}


def members(data: bytes) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: info for info in archive.infolist()}


def sam_function(code_uri: object, **extra: object) -> dict[str, object]:
    return {
        "Type": "AWS::Serverless::Function",
        "Properties": {"CodeUri": code_uri, "Handler": "app.handler", **extra},
    }


# --- zips -----------------------------------------------------------------------------------


def test_the_same_folder_zips_to_the_same_bytes(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "f", FUNCTION)

    assert zip_folder(folder) == zip_folder(folder)


def test_timestamps_and_permissions_do_not_change_the_bytes(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "a", FUNCTION)
    second = write_tree(tmp_path / "b", dict(reversed(FUNCTION.items())))
    for path in second.rglob("*.py"):
        path.chmod(0o600)
        os.utime(path, (1_600_000_000, 1_600_000_000))

    assert zip_folder(first) == zip_folder(second)


def test_entries_are_sorted_with_fixed_times_and_modes(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "f", {**FUNCTION, "bin/run": "#!/bin/sh\n"})
    (folder / "bin/run").chmod(0o700)

    infos = members(zip_folder(folder))

    assert list(infos) == sorted(infos)
    assert list(infos) == ["app.py", "bin/", "bin/run", "lib/", "lib/util.py", "requirements.txt"]
    assert {info.date_time for info in infos.values()} == {(1980, 1, 1, 0, 0, 0)}
    modes = {name: info.external_attr >> 16 for name, info in infos.items()}
    assert modes["app.py"] == stat.S_IFREG | 0o644
    assert modes["bin/run"] == stat.S_IFREG | 0o755
    assert modes["lib/"] == stat.S_IFDIR | 0o755
    assert infos["app.py"].compress_type == zipfile.ZIP_DEFLATED


def test_bytecode_never_goes_into_a_zip(tmp_path: Path) -> None:
    folder = write_tree(
        tmp_path / "f", {**FUNCTION, "__pycache__/app.cpython-311.pyc": "x", "lib/old.pyc": "x"}
    )

    assert set(members(zip_folder(folder))) == {"app.py", "lib/", "lib/util.py", "requirements.txt"}


def test_a_function_leaves_out_what_sam_build_leaves_out(tmp_path: Path) -> None:
    folder = write_tree(
        tmp_path / "f",
        {
            **FUNCTION,
            ".venv/lib/x.py": "",
            ".git/HEAD": "",
            "fast.so": "ELF",
            "f.egg-info/PKG-INFO": "",
        },
    )

    built = build_folder(folder, tmp_path / "cache")

    assert set(members(built.path.read_bytes())) == {
        "app.py",
        "lib/",
        "lib/util.py",
        "requirements.txt",
    }


# --- builds and the cache ---------------------------------------------------------------------


def test_a_second_build_is_a_cache_hit_with_the_same_zip(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "f", FUNCTION)

    first = build_folder(folder, tmp_path / "cache")
    second = build_folder(folder, tmp_path / "cache")

    assert (first.cached, second.cached) == (False, True)
    assert second.sha256 == first.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()


def test_a_changed_file_rebuilds_to_a_different_hash(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "f", FUNCTION)
    before = build_folder(folder, tmp_path / "cache")
    (folder / "lib/util.py").write_text("X = 2\n", encoding="utf-8")

    after = build_folder(folder, tmp_path / "cache")

    assert not after.cached
    assert after.sha256 != before.sha256


def test_a_touched_but_unchanged_folder_is_still_a_cache_hit(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "f", FUNCTION)
    build_folder(folder, tmp_path / "cache")
    os.utime(folder / "app.py", (1_700_000_000, 1_700_000_000))
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__/app.cpython-311.pyc").write_bytes(b"\0")

    assert build_folder(folder, tmp_path / "cache").cached


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", False),
        ("\n# nothing bundled: the runtime ships boto3\n\n", False),
        ("six==1.17.0\n", True),
        ("# pinned\nsix\n", True),
    ],
)
def test_only_a_real_requirement_needs_pip(tmp_path: Path, text: str, expected: bool) -> None:
    (tmp_path / "requirements.txt").write_text(text, encoding="utf-8")

    assert has_requirements(tmp_path / "requirements.txt") is expected


def test_a_missing_folder_is_a_packaging_error(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match="not a folder"):
        build_folder(tmp_path / "nope", tmp_path / "cache")


@pytest.fixture(scope="module")
def six_is_served(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip (only) when pip's index cannot serve `six`: the one test needing the network."""
    target = tmp_path_factory.mktemp("probe")
    probe = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "six==1.17.0",
            "-d",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if probe.returncode != 0:
        lines = probe.stderr.strip().splitlines() or ["no output"]
        pytest.skip(f"the package index does not serve six: {lines[-1]}")


@pytest.mark.usefixtures("six_is_served")
def test_requirements_are_installed_into_the_zip_by_lambda_builders(tmp_path: Path) -> None:
    folder = write_tree(tmp_path / "f", {**FUNCTION, "requirements.txt": "six==1.17.0\n"})

    built = build_folder(folder, tmp_path / "cache")
    again = build_folder(folder, tmp_path / "cache")

    names = set(members(built.path.read_bytes()))
    assert {"app.py", "lib/util.py", "six.py", "six-1.17.0.dist-info/METADATA"} <= names
    assert not any(name.endswith(".pyc") for name in names)
    assert again.cached
    assert again.sha256 == built.sha256


def test_layers_are_zipped_as_their_folder_is(tmp_path: Path) -> None:
    # A layer keeps what a function's sources would drop (a compiled module, say).
    folder = write_tree(
        tmp_path / "layer",
        {
            "python/shared/__init__.py": "",
            "python/shared/fast.so": "ELF",
            "requirements.txt": "six\n",
        },
    )

    names = set(members(build_folder(folder, tmp_path / "cache", layer=True).path.read_bytes()))

    assert "python/shared/fast.so" in names
    assert "six.py" not in names


def test_the_default_cache_is_beside_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "workflows.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "stacks/f").mkdir(parents=True)

    assert default_cache_dir(tmp_path / "stacks/f") == tmp_path.resolve() / ".firefly/build"


# --- templates ----------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path / "lambdas/one", FUNCTION)
    write_tree(tmp_path / "lambdas/two", {**FUNCTION, "app.py": "# two\n"})
    write_tree(tmp_path / "lambdas/layer", {"python/shared/__init__.py": "X = 1\n"})
    (tmp_path / "stacks/s").mkdir(parents=True)
    return tmp_path / "stacks/s"


def test_sam_sources_become_s3_uris_and_the_transform_stays(project: Path) -> None:
    template: dict[str, Any] = {
        "Transform": SAM,
        "Resources": {
            "One": sam_function("../../lambdas/one"),
            "Layer": {
                "Type": "AWS::Serverless::LayerVersion",
                "Properties": {"ContentUri": "../../lambdas/layer"},
            },
        },
    }
    store = MemoryStore()

    packaged = package_template(template, project, store, workers=2, cache_dir=project / "c")

    resources = packaged.template["Resources"]
    one = next(a for a in packaged.artifacts if a.source.name == "one")
    layer = next(a for a in packaged.artifacts if a.source.name == "layer")
    assert resources["One"]["Properties"]["CodeUri"] == f"s3://{BUCKET}/one/{one.sha256}.zip"
    assert resources["Layer"]["Properties"]["ContentUri"] == (
        f"s3://{BUCKET}/layer/{layer.sha256}.zip"
    )
    assert packaged.template["Transform"] == SAM
    assert hashlib.sha256(store.objects[one.key]).hexdigest() == one.sha256
    assert template["Resources"]["One"]["Properties"]["CodeUri"] == "../../lambdas/one"


def test_plain_lambda_code_becomes_bucket_and_key(project: Path) -> None:
    template: dict[str, Any] = {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": "../../lambdas/one"}},
            "Layer": {
                "Type": "AWS::Lambda::LayerVersion",
                "Properties": {"Content": "../../lambdas/layer"},
            },
            "Inline": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Code": {"ZipFile": "def handler(e, c): pass"}},
            },
        }
    }

    packaged = package_template(
        template, project, MemoryStore(), workers=2, cache_dir=project / "c"
    )

    keys = {a.source.name: a.key for a in packaged.artifacts}
    resources = packaged.template["Resources"]
    assert resources["Fn"]["Properties"]["Code"] == {"S3Bucket": BUCKET, "S3Key": keys["one"]}
    assert resources["Layer"]["Properties"]["Content"] == {
        "S3Bucket": BUCKET,
        "S3Key": keys["layer"],
    }
    assert resources["Inline"] == template["Resources"]["Inline"]


def test_globals_code_uri_is_packaged_and_remote_ones_are_left_alone(project: Path) -> None:
    template: dict[str, Any] = {
        "Transform": SAM,
        "Globals": {"Function": {"CodeUri": "../../lambdas/two"}},
        "Resources": {
            "Inherits": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Handler": "app.handler"},
            },
            "Remote": sam_function("s3://elsewhere/code.zip"),
            "Mapping": sam_function({"Bucket": "b", "Key": "k"}),
        },
    }

    packaged = package_template(
        template, project, MemoryStore(), workers=1, cache_dir=project / "c"
    )

    (artifact,) = packaged.artifacts
    assert artifact.fields == ("Globals.Function.CodeUri",)
    assert packaged.template["Globals"]["Function"]["CodeUri"] == f"s3://{BUCKET}/{artifact.key}"
    assert packaged.template["Resources"] == template["Resources"]


def test_a_folder_named_twice_is_built_and_uploaded_once(project: Path) -> None:
    template: dict[str, Any] = {
        "Resources": {
            "A": sam_function("../../lambdas/one"),
            "B": sam_function("../../lambdas/one/"),
        }
    }
    store = MemoryStore()

    packaged = package_template(template, project, store, workers=2, cache_dir=project / "c")

    (artifact,) = packaged.artifacts
    assert artifact.fields == ("Resources.A.Properties.CodeUri", "Resources.B.Properties.CodeUri")
    assert store.uploads == [artifact.key]
    resources = packaged.template["Resources"]
    assert resources["A"]["Properties"]["CodeUri"] == resources["B"]["Properties"]["CodeUri"]


def test_a_second_run_reuses_every_build_and_uploads_nothing(project: Path) -> None:
    template: dict[str, Any] = {
        "Resources": {
            "A": sam_function("../../lambdas/one"),
            "B": sam_function("../../lambdas/two"),
        }
    }
    store = MemoryStore()
    first = package_template(template, project, store, workers=2, cache_dir=project / "c")

    second = package_template(template, project, store, workers=2, cache_dir=project / "c")

    assert first.uploads == 2
    assert second.uploads == 0
    assert all(a.reused and not a.built for a in second.artifacts)
    assert second.body == first.body


def test_a_changed_function_gets_a_new_key_and_only_it_is_uploaded(project: Path) -> None:
    template: dict[str, Any] = {
        "Resources": {
            "A": sam_function("../../lambdas/one"),
            "B": sam_function("../../lambdas/two"),
        }
    }
    store = MemoryStore()
    first = package_template(template, project, store, workers=2, cache_dir=project / "c")
    (project / "../../lambdas/two/app.py").write_text("# changed\n", encoding="utf-8")

    second = package_template(template, project, store, workers=2, cache_dir=project / "c")

    changed = {a.source.name for a in second.artifacts if a.uploaded}
    assert changed == {"two"}
    assert {a.key for a in first.artifacts} != {a.key for a in second.artifacts}


def test_a_missing_folder_names_the_field(project: Path) -> None:
    template: dict[str, Any] = {"Resources": {"A": sam_function("../../lambdas/missing")}}

    with pytest.raises(PackagingError, match=r"Resources\.A\.Properties\.CodeUri"):
        package_template(template, project, MemoryStore(), workers=1, cache_dir=project / "c")


def test_plain_strips_located_nodes_and_copies() -> None:
    located = LocatedDict(3)
    located["Ref"] = "Bucket"
    value = {"a": [located, ("x", 1)]}

    result = plain(value)

    assert result == {"a": [{"Ref": "Bucket"}, ["x", 1]]}
    assert type(result["a"][0]) is dict
    assert result["a"][0] is not located


def test_template_body_is_compact_stable_json() -> None:
    template: dict[str, Any] = {
        "Resources": {"B": {"Type": "T"}, "A": {"Type": "T"}},
        "Description": "é",
    }

    body = template_body(template)

    assert body == '{"Resources":{"B":{"Type":"T"},"A":{"Type":"T"}},"Description":"é"}'
    assert json.loads(body) == template


# --- the repository's own stacks ----------------------------------------------------------------


def test_the_repository_function_and_layer_stacks_package(tmp_path: Path) -> None:
    store = MemoryStore()
    stacks = REPO / "stacks"
    function = read_template(stacks / "func-api-firmware-status-patch/template.yaml")
    layer = read_template(stacks / "shared-layer/template.yaml")

    packaged_function = package_template(
        function, stacks / "func-api-firmware-status-patch", store, workers=2, cache_dir=tmp_path
    )
    packaged_layer = package_template(
        layer, stacks / "shared-layer", store, workers=2, cache_dir=tmp_path
    )

    (code,) = packaged_function.artifacts
    (content,) = packaged_layer.artifacts
    assert code.source == REPO / "lambdas/func-api-firmware-status-patch"
    assert content.source == REPO / "lambdas/shared"
    properties = packaged_function.template["Resources"]["Function"]["Properties"]
    assert properties["CodeUri"] == (
        f"s3://{BUCKET}/func-api-firmware-status-patch/{code.sha256}.zip"
    )
    assert properties["Role"] == {"Fn::GetAtt": ["FunctionRole", "Arn"]}
    layer_properties = packaged_layer.template["Resources"]["SharedLayer"]["Properties"]
    assert layer_properties["ContentUri"] == f"s3://{BUCKET}/shared/{content.sha256}.zip"
    assert packaged_layer.template["Transform"] == SAM
    assert "app.py" in members(store.objects[code.key])
    assert "python/shared/__init__.py" in members(store.objects[content.key])
    json.loads(packaged_function.body)


def test_the_templates_port_packages_sam_stacks_and_sends_plain_ones_as_written(
    tmp_path: Path,
) -> None:
    store = MemoryStore()
    templates = PackagingTemplates(REPO, store, workers=2, cache_dir=tmp_path)
    plain_stack = "stacks/dynamodb-firmware/template.yaml"

    body = templates.body("shared-layer", "stacks/shared-layer/template.yaml")
    as_written = templates.body("dynamodb-firmware", plain_stack)

    (artifact,) = templates.packaged["shared-layer"].artifacts
    assert json.loads(body)["Resources"]["SharedLayer"]["Properties"]["ContentUri"] == (
        f"s3://{BUCKET}/{artifact.key}"
    )
    assert as_written == (REPO / plain_stack).read_text(encoding="utf-8")
    assert "dynamodb-firmware" not in templates.packaged


class CountingStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.checks: list[str] = []

    def exists(self, key: str) -> bool:
        self.checks.append(key)
        return super().exists(key)


def test_the_templates_port_stores_nothing_until_a_workflow_is_published(tmp_path: Path) -> None:
    store = CountingStore()
    templates = PackagingTemplates(REPO, store, workers=2, cache_dir=tmp_path)

    body = templates.body("shared-layer", "stacks/shared-layer/template.yaml")
    assert store.checks == [] and store.uploads == []  # keys computed, the bucket untouched

    templates.publish("shared-layer")
    templates.publish("dynamodb-firmware")  # a plain template: nothing to store

    (artifact,) = templates.packaged["shared-layer"].artifacts
    assert store.uploads == [artifact.key] and artifact.uploaded
    assert f"s3://{BUCKET}/{artifact.key}" in body


def test_a_published_key_is_never_uploaded_again(tmp_path: Path) -> None:
    store = CountingStore()
    for _ in range(2):
        templates = PackagingTemplates(REPO, store, workers=2, cache_dir=tmp_path)
        templates.body("shared-layer", "stacks/shared-layer/template.yaml")
        templates.publish("shared-layer")

    assert len(store.uploads) == 1 and len(store.checks) == 2
    assert templates.packaged["shared-layer"].uploads == 0
