"""AWS clients and response helpers of the WebSocket/S3 function."""
