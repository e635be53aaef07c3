"""An HTTP API's OpenAPI definition (the `Body` SAM's HttpApi sends) as routes, integrations and
authorizers. moto's own import skips authorizers and route authorization, which a JWT-protected
route needs."""

from __future__ import annotations

from typing import Any

METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch"})
ANY_METHOD = "x-amazon-apigateway-any-method"


def import_body(api: Any, body: dict[str, Any]) -> None:
    """Make on `api` what `body` declares."""
    authorizers = _authorizers(api, body)
    default_security = body.get("security") or []
    for path, operations in (body.get("paths") or {}).items():
        for method, operation in (operations or {}).items():
            if method != ANY_METHOD and method.lower() not in METHODS:
                continue
            verb = "ANY" if method == ANY_METHOD else method.upper()
            _route(api, f"{verb} {path}", operation or {}, authorizers, default_security)
    title = (body.get("info") or {}).get("title")
    if title:
        api.name = str(title)
    if "x-amazon-apigateway-cors" in body:
        api.cors_configuration = body["x-amazon-apigateway-cors"]


def _authorizers(api: Any, body: dict[str, Any]) -> dict[str, Any]:
    schemes = (body.get("components") or {}).get("securitySchemes") or {}
    made = {}
    for name, scheme in schemes.items():
        spec = (scheme or {}).get("x-amazon-apigateway-authorizer")
        if not spec:
            continue
        identity = spec.get("identitySource")
        if isinstance(identity, str):
            identity = [part.strip() for part in identity.split(",")]
        made[name] = api.create_authorizer(
            auth_creds_arn=spec.get("authorizerCredentialsArn"),
            auth_payload_format_version=spec.get("authorizerPayloadFormatVersion"),
            auth_result_ttl=spec.get("authorizerResultTtlInSeconds"),
            authorizer_type=str(spec.get("type", "")).upper(),
            authorizer_uri=spec.get("authorizerUri"),
            enable_simple_response=spec.get("enableSimpleResponses"),
            identity_source=identity,
            identity_validation_expr=None,
            jwt_config=spec.get("jwtConfiguration"),
            name=name,
        )
    return made


def _route(
    api: Any,
    route_key: str,
    operation: dict[str, Any],
    authorizers: dict[str, Any],
    default_security: list[Any],
) -> None:
    target = None
    integration = operation.get("x-amazon-apigateway-integration")
    if integration:
        made = api.create_integration(
            connection_type=integration.get("connectionType") or "INTERNET",
            description=None,
            integration_method=integration.get("httpMethod"),
            integration_type=str(integration.get("type", "")).upper(),
            integration_uri=integration.get("uri"),
            payload_format_version=integration.get("payloadFormatVersion"),
        )
        target = f"integrations/{made.id}"
    kind, authorizer_id, scopes = "NONE", None, []
    for requirement in operation.get("security", default_security) or []:
        for name, wanted_scopes in (requirement or {}).items():
            if name in authorizers:
                authorizer = authorizers[name]
                kind = "JWT" if authorizer.authorizer_type == "JWT" else "CUSTOM"
                authorizer_id, scopes = authorizer.id, list(wanted_scopes or [])
    api.create_route(
        api_key_required=False,
        authorization_scopes=scopes,
        authorization_type=kind,
        authorizer_id=authorizer_id,
        model_selection_expression=None,
        operation_name=operation.get("operationId"),
        request_models=None,
        request_parameters=None,
        route_key=route_key,
        route_response_selection_expression=None,
        target=target,
    )
