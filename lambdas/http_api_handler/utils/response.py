"""HTTP responses with the seed's CORS headers, from the shared layer (one definition)."""

from shared.responses import error_response, success_response

__all__ = ["error_response", "success_response"]
