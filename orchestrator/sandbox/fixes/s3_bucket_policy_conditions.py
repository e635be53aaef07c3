"""S3 bucket policies are evaluated the way AWS evaluates them, conditions included.

moto evaluates a bucket policy for object requests (`FakeBucket.get_permission`, through
`moto.iam.access_control.IAMPolicyStatement`) but knows one condition operator, skips the
others, and answers a statement whose condition is not met with a deny, even for a Deny
statement: the usual `DenyInsecureTransport` statement then refuses every object request.
Here the policy is decided by `resource_policy.evaluate` against the request's context: the
caller (from the request's access key, as STS GetCallerIdentity names it) and the transport.

moto asks only about object requests (Get/Put/Head/Delete/Post on a key, DeleteObjects), as
before: bucket-level requests (ListBucket and its `s3:prefix` key included) stay unchecked.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

from orchestrator.sandbox.policy_conditions import Context
from orchestrator.sandbox.resource_policy import Decision, evaluate

_MARK = "_firefly_policy_conditions"
# the S3 request being served on this thread (werkzeug serves each request on its own thread)
_REQUEST: ContextVar[Any] = ContextVar("firefly_s3_request", default=None)
_PERMISSION = {
    Decision.DENY: PermissionResult.DENIED,
    Decision.ALLOW: PermissionResult.PERMITTED,
    Decision.NO_DECISION: PermissionResult.NEUTRAL,
}
_ROLE_SESSION = re.compile(
    r"^arn:(?P<partition>[\w-]+):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/"
)
# moto names the action after the HTTP method; AWS authorizes HeadObject with s3:GetObject and
# a browser-form POST upload (and the multipart POSTs) with s3:PutObject
_ACTIONS = {"s3:HeadObject": "s3:GetObject", "s3:PostObject": "s3:PutObject"}


def install() -> None:
    if getattr(FakeBucket.get_permission, _MARK, False):
        return
    for name in ("_key_response", "_bucket_response_delete_keys"):
        setattr(S3Response, name, _serving(getattr(S3Response, name)))
    setattr(_get_permission, _MARK, True)
    setattr(FakeBucket, "get_permission", _get_permission)  # noqa: B010  # mypy refuses a method


def _serving(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` of S3Response, remembering the response (its request) while it runs."""

    @functools.wraps(method)
    def serve(self: Any, *args: Any, **kwargs: Any) -> Any:
        with serving(self):
            return method(self, *args, **kwargs)

    return serve


@contextmanager
def serving(response: Any) -> Iterator[None]:
    token = _REQUEST.set(response)
    try:
        yield
    finally:
        _REQUEST.reset(token)


def _get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    action = _ACTIONS.get(action, action)
    context = request_context(self.account_id, self.partition, _REQUEST.get())
    decision = evaluate(json.loads(self.policy), action, resource, context)
    return _PERMISSION[decision]


def request_context(account_id: str, partition: str, response: Any) -> Context:
    """The condition keys of the request `response` serves (None: an in-process call).

    `aws:SecureTransport` is "true": clients reach the engine over plain http on the loopback,
    but the sandbox stands for AWS, where every request a deploy makes travels over TLS.
    """
    context: dict[str, list[str]] = {"aws:securetransport": ["true"]}
    if response is None:  # a call inside the engine: the account acts for itself
        context.update(
            _principal(account_id, f"arn:{partition}:iam::{account_id}:root", account_id)
        )
        return context
    address = getattr(response.request, "remote_addr", None)
    if address:
        context["aws:sourceip"] = [str(address)]
    if _is_signed(response):
        context.update(_caller(response))
    return context


def _is_signed(response: Any) -> bool:
    """An anonymous request carries no principal keys (moto's own test: header or signature)."""
    signatures = {"Signature", "X-Amz-Signature"} & set(response.querystring)
    return "Authorization" in response.headers or bool(signatures)


def _caller(response: Any) -> Context:
    access_key = response.get_access_key()
    credential = response.querystring.get("X-Amz-Credential")
    if credential:  # a presigned SigV4 URL names its key there, not in a header
        access_key = credential[0].split("/")[0]
    partition = get_partition(response.region)
    sts = sts_backends[response.current_account][partition]
    user_id, arn, caller_account = sts.get_caller_identity(access_key, response.region)
    # a role session's aws:PrincipalArn is its role's ARN, not the session's
    role = _ROLE_SESSION.match(str(arn))
    if role:
        arn = f"arn:{role['partition']}:iam::{role['account']}:role/{role['role']}"
    return _principal(str(caller_account), str(arn), str(user_id))


def _principal(account: str, arn: str, user_id: str) -> dict[str, list[str]]:
    # the sandbox's callers all belong to its account and act for it, also when a service
    # acts on its behalf (aws:SourceAccount names the account the service acts for)
    return {
        "aws:principalaccount": [account],
        "aws:sourceaccount": [account],
        "aws:principalarn": [arn],
        "aws:userid": [user_id],
    }
