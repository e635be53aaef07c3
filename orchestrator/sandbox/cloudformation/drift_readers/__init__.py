"""Live resources read back in the shape of their template properties, for drift detection.

One reader per resource type: it returns the properties it can read (a property it cannot read is
left out, so it is never reported as drift), each `None` when the live resource no longer has it,
or `None` altogether when the resource is gone (DELETED). A type without a reader is NOT_CHECKED
("Resource type support for imports and drift detection", CloudFormation User Guide). A reader
looks at the live resource as its service's own API would show it after an out-of-band change.
"""

from __future__ import annotations

from orchestrator.sandbox.cloudformation.drift_readers import (
    apigatewayv2,
    cognito,
    compute,
    iam,
    storage,
)
from orchestrator.sandbox.cloudformation.drift_readers.shapes import Reader

READERS: dict[str, Reader] = {
    **storage.READERS,
    **compute.READERS,
    **iam.READERS,
    **apigatewayv2.READERS,
    **cognito.READERS,
}

__all__ = ["READERS", "Reader"]
