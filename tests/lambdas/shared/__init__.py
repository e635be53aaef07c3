"""The shared layer (lambdas/shared/python/shared), one test module per layer module."""
