"""AWS clients and response helpers of the HTTP API function."""
