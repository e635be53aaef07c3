"""The CloudFormation errors the API answers with, as moto service exceptions (code + message)."""

from __future__ import annotations

from moto.cloudformation.exceptions import ValidationError
from moto.core.exceptions import ServiceException


class AlreadyExists(ServiceException):
    code = "AlreadyExistsException"


class ChangeSetNotFound(ServiceException):
    code = "ChangeSetNotFound"


class InsufficientCapabilities(ServiceException):
    code = "InsufficientCapabilitiesException"


class InvalidChangeSetStatus(ServiceException):
    code = "InvalidChangeSetStatus"


def validation(message: str) -> Exception:
    return ValidationError(message=message)


def stack_not_found(name_or_id: str) -> Exception:
    return validation(f"Stack with id {name_or_id} does not exist")


def already_exists(name: str) -> Exception:
    return AlreadyExists(f"Stack [{name}] already exists")


def already_exists_change_set(name: str) -> Exception:
    return AlreadyExists(f"ChangeSet [{name}] already exists")


def change_set_not_found(name: str) -> Exception:
    return ChangeSetNotFound(f"ChangeSet [{name}] does not exist")


def no_updates() -> Exception:
    return validation("No updates are to be performed.")


NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information "
    "to create a change set."
)
