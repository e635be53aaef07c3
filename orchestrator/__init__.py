"""firefly: the deployment orchestrator of the Firefly serverless backend."""

__version__ = "0.1.0"
