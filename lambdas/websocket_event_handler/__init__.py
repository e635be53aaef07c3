"""qr-upload-websocket-event-{environment}: WebSocket lifecycle and upload completion (seed 004)."""
