"""The access key pairs an engine generates at start: one for its clients (firefly, `firefly
sandbox env`), one for the Lambda handlers it hosts. It accepts no other key."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

# the alphabet and length of AWS access key ids (base32 upper case, 20 characters); "AKIA": a
# long-term key, "ASIA": temporary credentials, as Lambda hands its handlers those of the role
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids)
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _key_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


@dataclass(frozen=True)
class KeyPair:
    """An access key id and its secret (and a session token, for temporary credentials)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)

    @classmethod
    def generate(cls, *, temporary: bool = False) -> KeyPair:
        token = secrets.token_urlsafe(48) if temporary else None
        return cls(_key_id("ASIA" if temporary else "AKIA"), secrets.token_urlsafe(30), token)

    def environment(self) -> dict[str, str]:
        """The AWS_* variables every SDK and the AWS CLI read these credentials from."""
        variables = {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }
        if self.session_token:
            variables["AWS_SESSION_TOKEN"] = self.session_token
        return variables

    def to_dict(self) -> dict[str, str | None]:
        return {
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "session_token": self.session_token,
        }

    @classmethod
    def from_dict(cls, data: Any) -> KeyPair:
        token = data.get("session_token")
        return cls(
            str(data["access_key_id"]),
            str(data["secret_access_key"]),
            None if token is None else str(token),
        )


@dataclass(frozen=True)
class EngineKeys:
    """The two pairs one engine accepts."""

    client: KeyPair
    handler: KeyPair

    @classmethod
    def generate(cls) -> EngineKeys:
        return cls(KeyPair.generate(), KeyPair.generate(temporary=True))

    def accepts(self, access_key_id: str) -> bool:
        return access_key_id in (self.client.access_key_id, self.handler.access_key_id)

    def to_dict(self) -> dict[str, Any]:
        return {"client": self.client.to_dict(), "handler": self.handler.to_dict()}

    @classmethod
    def from_dict(cls, data: Any) -> EngineKeys:
        return cls(KeyPair.from_dict(data["client"]), KeyPair.from_dict(data["handler"]))
