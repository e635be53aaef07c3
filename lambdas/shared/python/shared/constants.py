"""Constants of the QR-upload flow (seed 004), shared by both of its Lambda functions."""

SESSION_STATUS = {
    "AWAITING_SCAN": "AWAITING_SCAN",
    "UPLOAD_REQUESTED": "UPLOAD_REQUESTED",
    "COMPLETED": "COMPLETED",
}

SESSION_EXPIRY_MINUTES = 30
PRESIGNED_URL_EXPIRY_SECONDS = 300

WEBSOCKET_ACTIONS = {
    "UPLOAD_COMPLETED": "UPLOAD_COMPLETED",
    "ERROR": "ERROR",
}

# The key contract between the two functions: the HTTP function signs uploads under this
# prefix and the S3 notification is filtered on it, so both must agree on one definition.
UPLOAD_KEY_PREFIX = "session-uploads/"
UPLOAD_CONTENT_TYPE = "image/*"

# Environment variable names, spelled once so a typo cannot make a function read the wrong one.
SESSIONS_TABLE_NAME_ENV = "SESSIONS_TABLE_NAME"
UPLOAD_BUCKET_NAME_ENV = "UPLOAD_BUCKET_NAME"
WS_API_ENDPOINT_ENV = "WS_API_ENDPOINT"

# What a client sees of any server-side failure; the details go to the log only.
INTERNAL_ERROR_MESSAGE = "Internal Server Error"
