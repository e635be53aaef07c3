"""Messages to WebSocket clients through the API Gateway Management API."""

import json
from typing import Any

import boto3
from shared.config import require_env
from shared.constants import WS_API_ENDPOINT_ENV
from shared.logging import get_logger
from shared.validators import endpoint_region, management_endpoint_url

logger = get_logger(__name__)

WS_API_ENDPOINT = require_env(WS_API_ENDPOINT_ENV)
ENDPOINT_URL = management_endpoint_url(WS_API_ENDPOINT)

# Created once per container; the seed built one per message, paying its setup each time.
api_client = boto3.client(
    "apigatewaymanagementapi",
    endpoint_url=ENDPOINT_URL,
    region_name=endpoint_region(ENDPOINT_URL),
)


def send_message(connection_id: str, data: dict[str, Any]) -> bool:
    """
    Send message to WebSocket connection

    True when delivered, False when the connection is gone (the caller forgets it); any other
    failure is logged and raised.
    """
    try:
        api_client.post_to_connection(
            ConnectionId=connection_id,
            Data=json.dumps(data).encode("utf-8"),
        )
    except api_client.exceptions.GoneException:
        logger.warning("Stale connection", extra={"connectionId": connection_id})
        return False
    except Exception:
        logger.exception("Error sending message", extra={"connectionId": connection_id})
        raise
    return True
