"""Status Lambda (seed 002) over moto, its webhook against a real HTTP server on 127.0.0.1."""
