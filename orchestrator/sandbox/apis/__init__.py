"""API Gateway v2 APIs deployed into the sandbox, served on its port (issue 18)."""
