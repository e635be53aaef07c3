"""Access keys the engine itself issued: those of IAM users (CreateAccessKey) and the temporary
credentials of its STS (AssumeRole). AWS accepts both, so the guard does too; moto keeps both in
its IAM backend's access keys."""

from __future__ import annotations

from moto.iam.models import iam_backends
from moto.utilities.utils import PARTITION_NAMES


def issued_by_engine(access_key_id: str) -> bool:
    # a copy of the accounts, as moto's own lookup (`get_account_id_from`) iterates them
    for _, account in list(iam_backends.items()):
        if any(access_key_id in account[partition].access_keys for partition in PARTITION_NAMES):
            return True
    return False
