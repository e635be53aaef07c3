"""HTTP API responses with the CORS headers of the QR-upload specification (seed 004)."""

import json
from typing import Any

CORS_HEADERS = {
    "Content-Type": "application/json",
    "Access-Control-Allow-Origin": "*",
}

SUCCESS_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
}


def success_response(data: Any, status_code: int = 200) -> dict[str, Any]:
    return {"statusCode": status_code, "headers": dict(SUCCESS_HEADERS), "body": json.dumps(data)}


def error_response(message: str, status_code: int = 500, **details: Any) -> dict[str, Any]:
    """An error body is always `{"error": message}`, plus any extra fields a caller documents."""
    return {
        "statusCode": status_code,
        "headers": dict(CORS_HEADERS),
        "body": json.dumps({"error": message, **details}),
    }
