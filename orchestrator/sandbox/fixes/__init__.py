"""firefly's fixes to moto, each named after the AWS behaviour it restores.

Every fix module exposes an idempotent `install() -> None`; `install_all()` applies them in the
order of `FIXES`. Add a module by importing it below and listing it in `FIXES`.
"""

from __future__ import annotations

from types import ModuleType

from orchestrator.sandbox.cloudformation import responses as cloudformation_stack_engine
from orchestrator.sandbox.cloudformation.resource_types import (
    apigatewayv2_resources as cfn_apigatewayv2_resources,
)
from orchestrator.sandbox.cloudformation.resource_types import (
    cognito_user_pools as cfn_cognito_user_pools,
)
from orchestrator.sandbox.cloudformation.resource_types import (
    dynamodb_tables as cfn_dynamodb_tables,
)
from orchestrator.sandbox.cloudformation.resource_types import (
    lambda_functions as cfn_lambda_functions,
)
from orchestrator.sandbox.cloudformation.resource_types import s3_buckets as cfn_s3_buckets
from orchestrator.sandbox.cloudformation.resource_types import (
    unsupported_types as cfn_unsupported_types,
)
from orchestrator.sandbox.fixes import (
    apigateway_management_gone_connections,
    apigateway_management_stage_paths,
    apigatewayv2_get_authorizers,
    apigatewayv2_http_endpoint,
    apigatewayv2_websocket_endpoint,
    cognito_explicit_auth_flows,
    cognito_tokens_signed_by_engine,
    dynamodb_stream_mappings_deliver,
    lambda_invoke_runs_handler,
    presigned_urls_name_their_service,
    s3_bodies_are_never_forms,
    s3_bucket_policy_conditions,
    s3_expected_bucket_owner,
    s3_notifications_invoke_lambda_async,
    stepfunctions_executions_run,
)

FIXES: tuple[ModuleType, ...] = (
    # CloudFormation (stacks, change sets, events, rollback, import, SAM, resource types)
    cloudformation_stack_engine,
    cfn_lambda_functions,
    cfn_dynamodb_tables,
    cfn_s3_buckets,
    cfn_cognito_user_pools,
    cfn_apigatewayv2_resources,
    cfn_unsupported_types,
    # services called directly
    presigned_urls_name_their_service,
    lambda_invoke_runs_handler,
    dynamodb_stream_mappings_deliver,
    s3_bodies_are_never_forms,
    s3_bucket_policy_conditions,
    s3_expected_bucket_owner,
    s3_notifications_invoke_lambda_async,
    stepfunctions_executions_run,
    apigatewayv2_get_authorizers,
    apigatewayv2_websocket_endpoint,
    apigatewayv2_http_endpoint,
    cognito_tokens_signed_by_engine,
    cognito_explicit_auth_flows,
    apigateway_management_gone_connections,
    apigateway_management_stage_paths,
)


def install_all() -> None:
    """Apply every fix; safe to call more than once."""
    for fix in FIXES:
        fix.install()
