"""Personal data at rest (PIPL, GB/T 35273): AES-256-GCM encryption and keyed blind indexes.

Phones and resident ID numbers are stored only encrypted, bound to their column by the
associated data, next to a masked copy for display and – for ID numbers – an HMAC-SHA256 blind
index that finds duplicates and exact matches without decrypting anything. Both keys derive
(HKDF-SHA256) from one master key in settings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from service.keyfiles import development_secret
from service.settings import Settings

TOKEN_VERSION = "v1"  # noqa: S105 - a format tag, not a secret
KEY_FILE = "pii.key"


class PiiKeyError(Exception):
    """The master key is missing, malformed, or not the one the data was written with."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def decode_key(text: str) -> bytes:
    """A master key as settings hold it: 32 bytes, URL-safe base64."""
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise PiiKeyError("LINKAGE_PII_KEY is not base64") from exc
    if len(key) != 32:
        raise PiiKeyError("LINKAGE_PII_KEY must be 32 bytes (44 base64 characters)")
    return key


def new_key_text() -> str:
    """A fresh master key, printable."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


class PiiVault:
    """Encrypts and decrypts personal data fields, and computes their blind indexes."""

    def __init__(self, master_key: bytes) -> None:
        self._aead = AESGCM(_derive(master_key, b"linkage/pii/encryption/v1"))
        self._index_key = _derive(master_key, b"linkage/pii/blind-index/v1")

    @classmethod
    def from_settings(cls, settings: Settings) -> PiiVault:
        """The configured key; outside production, a key file in the data directory if unset."""
        if settings.pii_key is not None:
            return cls(decode_key(settings.pii_key.get_secret_value()))
        if settings.environment == "production":
            raise PiiKeyError("production needs LINKAGE_PII_KEY")
        return cls(decode_key(development_secret(settings.data_dir, KEY_FILE, new_key_text)))

    def encrypt(self, plaintext: str, *, field: str) -> str:
        """A token `v1.<base64(nonce | ciphertext)>`, valid only for this field."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), field.encode("ascii"))
        return f"{TOKEN_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str, *, field: str) -> str:
        """The plaintext of a token written for this field."""
        version, _, payload = token.partition(".")
        if version != TOKEN_VERSION:
            raise PiiKeyError(f"unknown token version {version!r}")
        raw = base64.urlsafe_b64decode(payload)
        try:
            plain = self._aead.decrypt(raw[:12], raw[12:], field.encode("ascii"))
        except InvalidTag as exc:
            raise PiiKeyError(f"{field} cannot be decrypted with this key") from exc
        return plain.decode("utf-8")

    def blind_index(self, value: str, *, field: str) -> str:
        """A keyed, deterministic digest: equal values give equal indexes, nothing reverses it."""
        message = field.encode("ascii") + b"\x00" + value.encode("utf-8")
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()
