"""The deploy and delete engine: what to do with each stack, in which order, with what result.

It imports no typer, rich or boto3: AWS is reached through the Protocols in `ports.py`, which
`orchestrator/aws` implements and tests replace with fakes.
"""
