"""`Transform: AWS::Serverless-2016-10-31`, expanded by the engine as CloudFormation does.

The translation is aws-sam-translator's, the library SAM itself uses, run offline: managed policy
names resolve through its bundled map instead of an IAM call.
"""

from __future__ import annotations

import copy
import threading
from types import SimpleNamespace
from typing import Any

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


class TransformFailed(Exception):
    """The template is not valid SAM; the message is CloudFormation's status reason."""

    partial: Any = None  # what the template was before the transform (intake sets it)


# samtranslator keeps the region in class state (ArnGenerator); one translation at a time
_LOCK = threading.Lock()


def transforms(template: dict[str, Any]) -> list[str]:
    declared = template.get("Transform") or []
    return [declared] if isinstance(declared, str) else [str(t) for t in declared]


def needs_transform(template: dict[str, Any]) -> bool:
    return SAM_TRANSFORM in transforms(template)


# the engine's warm-up and a first translation import the translator one after the other, so
# that two threads never import its modules from two ends at once (a deadlock Python refuses)
_IMPORTING = threading.Lock()


def import_translator() -> None:
    """Import aws-sam-translator, which `translate` imports on first use: about half a second
    that an engine waiting for its first requests can spend instead of its first SAM stack."""
    with _IMPORTING:
        import samtranslator.internal.managed_policies
        import samtranslator.metrics.metrics
        import samtranslator.model.exceptions
        import samtranslator.parser.parser
        import samtranslator.translator.translator  # noqa: F401


def translate(template: dict[str, Any], parameters: dict[str, str], region: str) -> dict[str, Any]:
    """The CloudFormation template a SAM template stands for; TransformFailed when invalid."""
    import_translator()
    from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # samtranslator reads only `region_name` from the session it is given
    session = SimpleNamespace(region_name=region)
    # metrics go to a publisher that drops them; publishing empties the cache, which otherwise
    # logs a warning when it is garbage-collected
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    with _LOCK:
        try:
            translator = Translator(None, Parser(), boto_session=session, metrics=metrics)
            translated = translator.translate(
                copy.deepcopy(template),
                parameter_values=dict(parameters),
                get_managed_policy_map=lambda: get_bundled_managed_policy_map("aws"),
            )
        except InvalidDocumentException as exc:
            causes = " ".join(str(cause) for cause in exc.causes)
            raise TransformFailed(f"Transform {SAM_TRANSFORM} failed with: {causes}") from exc
        finally:
            metrics.publish()
    if not isinstance(translated, dict):
        raise TransformFailed(f"Transform {SAM_TRANSFORM} failed")
    return translated
