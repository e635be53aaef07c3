"""func-api-firmware-status-patch (seed 000): the release state machine and its S3/TTL effects."""
