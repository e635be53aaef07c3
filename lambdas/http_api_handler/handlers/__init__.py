"""Request handlers of the HTTP API function, one module per route."""
