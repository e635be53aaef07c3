"""The Firefly shared Lambda layer (workflow `shared-layer`), importable as `shared`.

Packaged in the python/ layout, so Lambda finds it at /opt/python/shared.
"""
