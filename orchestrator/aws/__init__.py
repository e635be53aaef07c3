"""The only package that imports boto3/botocore: CloudFormation, S3 artifacts, identity.

Adapters take their boto3 client in `__init__` and implement the Protocols of
`orchestrator.engine.ports`; AWS error strings are matched only in `errors.py`.
"""
