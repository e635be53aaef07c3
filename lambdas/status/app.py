"""Status Lambda (seed 002): an assembly's status by id, for its owner; can re-send its webhook.

Function `{project}-status` (`firefly-status`), handler `app.lambda_handler`, invoked directly
(`aws lambda invoke`, StatusLambdaClient), not through API Gateway.

Event: {"assemblyId": str, "userId"?: str, "triggerWebhook"?: bool}
    assemblyId      required; 1-128 characters of [A-Za-z0-9._:-] (transflow ids are 64 hex chars)
    userId          optional; when given (1-256 characters, no control characters) it must equal the
                    item's user.userId. Absent or null: no ownership check; the caller authenticated
                    the user and decides (seed: take it from a validated JWT, not a query string)
    triggerWebhook  optional JSON boolean; null counts as absent
Response: {"statusCode": int, "headers": {...}, "body": JSON string}
    200  the item exactly as stored: the full AssemblyStatus
    400  {"error": ...} event not an object, assemblyId missing or invalid, userId or
         triggerWebhook of the wrong type
    403  {"error": "Access denied: You don't own this assembly"}
    404  {"error": "Assembly not found", "assembly_id": ...}
    500  {"error": "Failed to fetch assembly status"}: DynamoDB failed, DYNAMODB_TABLE unset or any
         other internal error; the details go to the log only
    Headers: Content-Type: application/json, Cache-Control: no-cache. A 200 with triggerWebhook also
    carries the webhook outcome, so the body stays exactly the AssemblyStatus and the outcome never
    changes the status code:
        X-Webhook-Status       delivered | failed | not_configured | template_not_found |
                               index_error
        X-Webhook-Attempts     POSTs made (delivered, failed)
        X-Webhook-Http-Status  the receiver's last HTTP status, when it answered
    Delivery, signature and retries: see webhook.py.

Environment: DYNAMODB_TABLE (assemblies table), TRANSFLOW_PROJECT (labels log lines `project`),
AWS_REGION (the client's region, set by the runtime), TEMPLATES_INDEX_PATH (templates index JSON,
format in webhook.py; default templates.index.json beside this file, shipped as `{}`: no template
has a webhook until one is added there).

Assemblies table: partition key assembly_id (S), no sort key; each item is an AssemblyStatus:
assembly_id, ok, error, message, uploads, results, execution_duration, created_at, updated_at,
project, branch, template_id (names the template whose webhook applies), user: {"userId": S}, ...
"""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from typing import Any

import boto3
import webhook
from model import BadRequest, Request, owner, parse_event
from shared.config import optional_env
from shared.dynamodb import from_dynamodb
from shared.logging import ContextLogger, get_logger

INTERNAL_ERROR = "Failed to fetch assembly status"
FORBIDDEN = "Access denied: You don't own this assembly"
HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-cache"}
WEBHOOK_STATUS = "X-Webhook-Status"
WEBHOOK_ATTEMPTS = "X-Webhook-Attempts"
WEBHOOK_HTTP_STATUS = "X-Webhook-Http-Status"
# Time kept back from the Lambda deadline to build and return the response after the webhook.
RESPONSE_MARGIN_SECONDS = 1.0
# Without a Lambda context (local runs) the webhook gets what a 30 s function would leave it.
DEFAULT_BUDGET_SECONDS = 25.0


# Not require_env: a missing table is the seed's 500 "DynamoDB/Lambda error" per request (see
# _status), since a failed cold start would give the caller no status code at all.
TABLE_NAME = optional_env("DYNAMODB_TABLE")
PROJECT = optional_env("TRANSFLOW_PROJECT")
TEMPLATES_INDEX_PATH = optional_env("TEMPLATES_INDEX_PATH") or str(
    Path(__file__).with_name("templates.index.json")
)
LOG = ContextLogger(get_logger("status"), {"project": PROJECT})
DYNAMODB = boto3.client("dynamodb", region_name=optional_env("AWS_REGION"))

# Seams for tests: the webhook's backoff and deadline run on these.
CLOCK = time.monotonic
SLEEP = time.sleep
RETRY_POLICY = webhook.DEFAULT_POLICY


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        request = parse_event(event)
    except BadRequest as err:
        return _error(400, str(err))
    try:
        return _status(request, context)
    # The seed's contract is a status code in every case: an unexpected failure is a 500 with a
    # generic message, never an unhandled Lambda error or a leaked internal detail.
    except Exception:
        LOG.exception("Status lookup error", extra={"assembly_id": request.assembly_id})
        return _error(500, INTERNAL_ERROR)


def _status(request: Request, context: Any) -> dict[str, Any]:
    if TABLE_NAME is None:
        LOG.error("DYNAMODB_TABLE environment variable is required")
        return _error(500, INTERNAL_ERROR)
    item = DYNAMODB.get_item(
        TableName=TABLE_NAME,
        Key={"assembly_id": {"S": request.assembly_id}},
        ConsistentRead=True,
    ).get("Item")
    if item is None:
        return _error(404, "Assembly not found", assembly_id=request.assembly_id)
    assembly = from_dynamodb(item)
    if request.user_id is not None and owner(assembly) != request.user_id:
        return _error(403, FORBIDDEN)
    body = json.dumps(assembly, separators=(",", ":"))
    headers = _trigger_webhook(assembly, body, context) if request.trigger_webhook else {}
    return _response(200, body, headers)


def _trigger_webhook(assembly: dict[str, Any], body: str, context: Any) -> dict[str, str]:
    """Send the status webhook; returns the response headers that report the outcome."""
    try:
        return _send_webhook(assembly, body, context)
    # The webhook is a side effect of a successful lookup: whatever breaks in it is reported in
    # the headers and the log, and the caller still gets the status it asked for.
    except Exception:
        LOG.exception(
            "Failed to send status webhook", extra={"assembly_id": assembly["assembly_id"]}
        )
        return {WEBHOOK_STATUS: webhook.FAILED}


def _send_webhook(assembly: dict[str, Any], body: str, context: Any) -> dict[str, str]:
    template_id = assembly.get("template_id")
    extra = {"assembly_id": assembly["assembly_id"], "template_id": template_id}
    if not isinstance(template_id, str) or not template_id:
        LOG.info("No webhook configured: the assembly names no template", extra=extra)
        return {WEBHOOK_STATUS: "not_configured"}
    try:
        template = webhook.find_template(_templates_index(), template_id)
    except webhook.TemplateIndexError as err:
        LOG.error("Failed to load template configuration", extra={**extra, "error": str(err)})
        return {WEBHOOK_STATUS: "index_error"}
    if template is None:
        LOG.warning("Template not found in the templates index", extra=extra)
        return {WEBHOOK_STATUS: "template_not_found"}
    if not template.webhook_url:
        LOG.info("No webhook configured for template", extra=extra)
        return {WEBHOOK_STATUS: "not_configured"}

    return _deliver(template, body, context, extra)


def _deliver(
    template: webhook.Template, body: str, context: Any, extra: dict[str, Any]
) -> dict[str, str]:
    target = webhook.valid_target(template.webhook_url)
    # The URL's path and query may carry tokens: only its host goes to the log.
    extra = {**extra, "webhook_host": target.hostname if target else None}
    LOG.info("Triggering webhook for assembly", extra=extra)
    delivery = webhook.deliver(
        template.webhook_url,
        body.encode("utf-8"),
        template.webhook_secret,
        deadline=_deadline(context),
        clock=CLOCK,
        sleep=SLEEP,
        policy=RETRY_POLICY,
        on_attempt_failed=lambda attempt, reason: LOG.warning(
            "Webhook attempt failed", extra={**extra, "attempt": attempt, "reason": reason}
        ),
    )
    result = {**extra, "attempts": delivery.attempts, "http_status": delivery.http_status}
    if delivery.outcome == webhook.DELIVERED:
        LOG.info("Status webhook sent successfully", extra=result)
    else:
        LOG.error("Failed to send status webhook", extra=result)
    headers = {WEBHOOK_STATUS: delivery.outcome, WEBHOOK_ATTEMPTS: str(delivery.attempts)}
    if delivery.http_status is not None:
        headers[WEBHOOK_HTTP_STATUS] = str(delivery.http_status)
    return headers


@functools.cache
def _templates_index() -> dict[str, Any]:
    # Read once per container; a failed read raises and is not cached, so the next request retries.
    return webhook.load_index(TEMPLATES_INDEX_PATH)


def _deadline(context: Any) -> float:
    try:
        remaining = float(context.get_remaining_time_in_millis()) / 1000
    except AttributeError:
        remaining = DEFAULT_BUDGET_SECONDS
    return CLOCK() + remaining - RESPONSE_MARGIN_SECONDS


def _error(status: int, message: str, **details: Any) -> dict[str, Any]:
    return _response(status, json.dumps({"error": message, **details}))


def _response(
    status: int, body: str, extra_headers: dict[str, str] | None = None
) -> dict[str, Any]:
    # Not the layer's shared.responses: those carry the browser CORS headers of the QR-upload
    # HTTP API (seed 004); this function is invoked directly and its responses must not be cached.
    return {"statusCode": status, "headers": {**HEADERS, **(extra_headers or {})}, "body": body}
