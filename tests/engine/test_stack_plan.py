"""Observed status -> action, the table every deploy decision starts from."""

from __future__ import annotations

import pytest

from orchestrator.engine.stack_plan import StackAction, decide


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (None, StackAction.CREATE),
        ("DELETE_COMPLETE", StackAction.CREATE),
        ("ROLLBACK_COMPLETE", StackAction.RECREATE),
        ("ROLLBACK_FAILED", StackAction.RECREATE),
        ("CREATE_COMPLETE", StackAction.UPDATE),
        ("UPDATE_COMPLETE", StackAction.UPDATE),
        ("UPDATE_ROLLBACK_COMPLETE", StackAction.UPDATE),
        ("IMPORT_COMPLETE", StackAction.UPDATE),
        ("CREATE_IN_PROGRESS", StackAction.WAIT),
        ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", StackAction.WAIT),
        ("DELETE_IN_PROGRESS", StackAction.WAIT),
        ("ROLLBACK_IN_PROGRESS", StackAction.WAIT),
        ("UPDATE_ROLLBACK_IN_PROGRESS", StackAction.WAIT),
        ("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", StackAction.WAIT),
        ("UPDATE_ROLLBACK_FAILED", StackAction.FAIL),
        ("DELETE_FAILED", StackAction.FAIL),
        ("IMPORT_ROLLBACK_FAILED", StackAction.FAIL),
        # left by --no-rollback: the next update continues from what was provisioned
        ("CREATE_FAILED", StackAction.UPDATE),
        ("UPDATE_FAILED", StackAction.UPDATE),
    ],
)
def test_each_status_maps_to_one_action(status: str | None, action: StackAction) -> None:
    assert decide(status).action is action


def test_an_empty_review_stack_is_recreated_but_one_with_resources_is_left_alone() -> None:
    assert decide("REVIEW_IN_PROGRESS", has_resources=False).action is StackAction.RECREATE
    assert decide("REVIEW_IN_PROGRESS", has_resources=True).action is StackAction.FAIL


def test_update_rollback_failed_names_the_command_that_fixes_it() -> None:
    decision = decide(
        "UPDATE_ROLLBACK_FAILED", stack="firefly-cognito", workflow="cognito", env="dev"
    )

    assert "'firefly rollback --env dev --only cognito'" in decision.guidance


def test_update_rollback_failed_names_the_resources_to_skip() -> None:
    decision = decide(
        "UPDATE_ROLLBACK_FAILED", workflow="cognito", env="dev", failed=["Pool", "Client"]
    )

    assert "the rollback of Pool, Client failed" in decision.guidance
    assert (
        "'firefly rollback --env dev --only cognito --skip-resource Pool --skip-resource Client'"
        in decision.guidance
    )
