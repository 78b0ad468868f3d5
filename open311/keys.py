"""API keys of client applications: issue, revoke, and who is asking.

Keys are random and long, so a plain SHA-256 is enough to store them: there
is nothing to guess that a slow hash would protect. Every request looks the
key up again, so a revocation takes effect on the next one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from open311.errors import ApiKeyInvalid, ApiKeyMissing, ApiKeyRevoked
from open311.models import ClientApplication

KEY_PREFIX = "x311_"
MAX_KEY_LENGTH = 200


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    client: ClientApplication
    # The only time the key exists in the clear: show it once, store it nowhere.
    key: str


def key_assign(client: ClientApplication) -> str:
    """Give ``client`` (unsaved) a new key; return it in the clear, the only time."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client.key_prefix = key[: len(KEY_PREFIX) + 4]
    client.key_hash = _hash(key)
    client.revoked_at = None
    return key


def client_issue(*, name: str, account: User, contact: str = "") -> IssuedKey:
    """Create a client application with a new API key."""
    client = ClientApplication(name=name, contact=contact, account=account)
    key = key_assign(client)
    client.full_clean()
    client.save()
    return IssuedKey(client=client, key=key)


def client_key_rotate(*, client: ClientApplication) -> str:
    """Give the application a new key; the old one stops working at once."""
    with transaction.atomic():
        locked = ClientApplication.objects.select_for_update().get(pk=client.pk)
        key = key_assign(locked)
        locked.save(update_fields=["key_prefix", "key_hash", "revoked_at"])
    client.refresh_from_db()
    return key


def client_revoke(*, client: ClientApplication) -> None:
    ClientApplication.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    client.refresh_from_db()


def client_for_key(key: str | None, *, required: bool) -> ClientApplication | None:
    """The application holding ``key``; None when no key was sent and none is required."""
    if not key:
        if required:
            raise ApiKeyMissing()
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise ApiKeyInvalid()
    client = ClientApplication.objects.select_related("account").filter(key_hash=_hash(key)).first()
    if client is None:
        raise ApiKeyInvalid()
    if client.revoked_at is not None or not client.account.is_active:
        raise ApiKeyRevoked()
    return client
