"""Event handlers of the WebSocket/S3 function, one module per event."""
