"""qr-upload-websocket-event-{environment} (seed 004): $connect, $disconnect and S3 completion,
one test module per source module."""
