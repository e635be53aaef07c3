"""qr-upload-http-api-{environment} (seed 004): POST /sessions and GET /upload-url, one test
module per source module."""
