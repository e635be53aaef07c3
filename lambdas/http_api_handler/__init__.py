"""qr-upload-http-api-{environment}: QR-upload sessions and presigned upload URLs (seed 004)."""
