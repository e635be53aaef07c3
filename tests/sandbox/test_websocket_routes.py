"""Route selection of a WebSocket API: the selection expression's member names the route, and
whatever names none (not JSON, no such member, an unknown or reserved key) goes to `$default`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from orchestrator.sandbox.apis.websocket.routes import WebSocketApi


def api(expression: str, *keys: str) -> WebSocketApi:
    routes = {key: SimpleNamespace(route_key=key, target=None) for key in keys}
    model = SimpleNamespace(route_selection_expression=expression, routes=routes)
    return WebSocketApi("abc", "dev", "123456789012", "us-east-1", model)


@pytest.mark.parametrize(
    ("message", "route"),
    [
        ('{"action": "send"}', "send"),
        ('{"action": "nosuch"}', "$default"),
        ('{"action": "$connect"}', "$default"),  # the reserved routes are never selected
        ('{"action": 3}', "$default"),
        ('{"other": "send"}', "$default"),
        ("send", "$default"),
        ('["send"]', "$default"),
    ],
)
def test_the_action_member_selects_its_route(message: str, route: str) -> None:
    chat = api("$request.body.action", "$connect", "$default", "send")

    assert chat.select_route(message) == route


def test_the_braced_form_and_nested_members_select_too() -> None:
    chat = api("${request.body.meta.kind}", "$default", "ping")

    assert chat.select_route('{"meta": {"kind": "ping"}}') == "ping"


def test_without_default_a_message_no_route_takes_goes_nowhere() -> None:
    assert api("$request.body.action", "send").select_route('{"action": "x"}') is None


def test_the_source_arn_names_the_stage_and_route() -> None:
    assert (
        api("$request.body.action").source_arn("$connect")
        == "arn:aws:execute-api:us-east-1:123456789012:abc/dev/$connect"
    )
