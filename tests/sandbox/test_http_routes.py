"""Stage selection and route matching of a served HTTP API, as "Working with routes for HTTP
APIs" decides them: the most specific route wins, `$default` catches the rest."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from orchestrator.sandbox.apis.http_routes import StagePath, match_route, select_stage


@dataclass(frozen=True)
class Route:
    route_key: str


ROUTES = [
    Route(key)
    for key in (
        "ANY /{proxy+}",
        "GET /pets/{proxy+}",
        "GET /pets/{id}",
        "ANY /pets/dog",
        "GET /pets/dog",
        "$default",
    )
]


@pytest.mark.parametrize(
    ("method", "path", "expected", "parameters"),
    [
        ("GET", "/pets/dog", "GET /pets/dog", {}),  # a literal path and method over all else
        ("POST", "/pets/dog", "ANY /pets/dog", {}),  # a literal path over a greedy one
        ("GET", "/pets/cat", "GET /pets/{id}", {"id": "cat"}),
        ("GET", "/pets/cat/toys", "GET /pets/{proxy+}", {"proxy": "cat/toys"}),
        ("DELETE", "/pets/cat", "ANY /{proxy+}", {"proxy": "pets/cat"}),
        ("GET", "/", "$default", {}),  # a greedy parameter needs a segment at least
    ],
)
def test_the_most_specific_route_wins(
    method: str, path: str, expected: str, parameters: dict[str, str]
) -> None:
    matched = match_route(ROUTES, method, path)

    assert matched is not None
    assert (matched.route.route_key, matched.path_parameters) == (expected, parameters)


def test_without_a_match_or_default_route_there_is_none() -> None:
    assert match_route([Route("GET /pets")], "GET", "/pets/dog") is None
    assert match_route([Route("GET /pets")], "POST", "/pets") is None


def test_a_named_stage_is_the_first_segment_else_the_default_stage() -> None:
    assert select_stage(["$default", "dev"], "/dev/pets") == StagePath("dev", "/pets")
    assert select_stage(["$default", "dev"], "/prod/pets") == StagePath("$default", "/prod/pets")
    assert select_stage(["dev"], "/prod/pets") is None
    assert select_stage(["dev"], "/dev") == StagePath("dev", "/")
