"""Which stage and which route of an HTTP API a request reaches.

AWS semantics ("Working with routes for HTTP APIs",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html): the
path's first segment names a stage, else the request goes to the `$default` stage with its whole
path; a route key is `METHOD /path` or `$default`; `{name}` matches one segment and `{name+}`
the rest of the path; `ANY` matches every method; the most specific route wins (a literal segment
over a parameter, a parameter over a greedy one, an explicit method over `ANY`); `$default`
catches what no route matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

DEFAULT = "$default"
_LITERAL, _PARAMETER, _GREEDY = 3, 2, 1


@dataclass(frozen=True)
class StagePath:
    """The stage a request reaches and its path as the routes see it (without the stage)."""

    stage: str
    route_path: str


@dataclass(frozen=True)
class RouteMatch:
    route: Any  # moto's Route
    path_parameters: dict[str, str] = field(default_factory=dict)


def select_stage(stage_names: Iterable[str], path: str) -> StagePath | None:
    """The stage of `path` (after the API id), or None when the API has no stage for it."""
    names = set(stage_names)
    first, _, rest = path.lstrip("/").partition("/")
    if first and first != DEFAULT and first in names:
        return StagePath(first, "/" + rest)
    if DEFAULT in names:
        return StagePath(DEFAULT, path or "/")
    return None


def match_route(routes: Iterable[Any], method: str, path: str) -> RouteMatch | None:
    """The most specific route of `routes` for `method` and `path`, else `$default`, else None."""
    best: tuple[tuple[tuple[int, ...], int], RouteMatch] | None = None
    default = None
    for route in routes:
        key = str(route.route_key)
        if key == DEFAULT:
            default = route
            continue
        route_method, _, template = key.partition(" ")
        if route_method not in (method.upper(), "ANY"):
            continue
        parameters = _match_path(template, path)
        if parameters is None:
            continue
        rank = (_specificity(template), 1 if route_method != "ANY" else 0)
        if best is None or rank > best[0]:
            best = (rank, RouteMatch(route, parameters))
    if best is not None:
        return best[1]
    return RouteMatch(default) if default is not None else None


def _segments(path: str) -> list[str]:
    return path.strip("/").split("/") if path.strip("/") else []


def _specificity(template: str) -> tuple[int, ...]:
    """Per segment: literal, parameter or greedy; compared left to right, longer wins on a tie."""
    ranks = []
    for segment in _segments(template):
        if segment.startswith("{") and segment.endswith("+}"):
            ranks.append(_GREEDY)
        elif segment.startswith("{") and segment.endswith("}"):
            ranks.append(_PARAMETER)
        else:
            ranks.append(_LITERAL)
    return tuple(ranks)


def _match_path(template: str, path: str) -> dict[str, str] | None:
    """The path parameters when `path` matches `template`, else None."""
    expected, actual = _segments(template), _segments(path)
    parameters: dict[str, str] = {}
    for index, segment in enumerate(expected):
        if segment.startswith("{") and segment.endswith("+}"):
            rest = actual[index:]
            if not rest:  # a greedy parameter matches one segment at least
                return None
            parameters[segment[1:-2]] = "/".join(rest)
            return parameters
        if index >= len(actual):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            parameters[segment[1:-1]] = actual[index]
        elif segment != actual[index]:
            return None
    return parameters if len(actual) == len(expected) else None
