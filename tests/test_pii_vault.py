"""The PII vault (service/pii.py) against RFC 5869 and AES-GCM done by hand: what it stores must
stay readable, and its blind indexes stable, across releases – so both are pinned."""

from __future__ import annotations

import base64
import hashlib
import hmac
import stat

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.pii import KEY_FILE, PiiKeyError, PiiVault, decode_key, new_key_text
from service.settings import Settings

MASTER_KEY = bytes(range(32))
MASTER_KEY_TEXT = base64.urlsafe_b64encode(MASTER_KEY).decode()  # 44 characters, one "="


def hkdf_sha256(key: bytes, info: bytes) -> bytes:
    """RFC 5869 with no salt (a hash-length string of zeros) and one 32-byte block."""
    prk = hmac.new(b"\x00" * 32, key, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def sealed_by_hand(plaintext: str, *, field: str, nonce: bytes = b"\x07" * 12) -> str:
    """A token as the vault writes one, made without the vault."""
    aead = AESGCM(hkdf_sha256(MASTER_KEY, b"linkage/pii/encryption/v1"))
    sealed = aead.encrypt(nonce, plaintext.encode(), field.encode())
    return "v1." + base64.urlsafe_b64encode(nonce + sealed).decode()


@pytest.fixture
def vault() -> PiiVault:
    return PiiVault(MASTER_KEY)


def test_a_token_written_by_the_format_is_read(vault):
    assert vault.decrypt(sealed_by_hand("13812345678", field="phone"), field="phone") == (
        "13812345678"
    )
    assert vault.decrypt(sealed_by_hand("浙江省杭州市", field="address"), field="address") == (
        "浙江省杭州市"
    )


def test_what_the_vault_writes_is_the_format(vault):
    token = vault.encrypt("33010619900101123X", field="id_number")

    version, payload = token.split(".")
    raw = base64.urlsafe_b64decode(payload)
    aead = AESGCM(hkdf_sha256(MASTER_KEY, b"linkage/pii/encryption/v1"))
    assert version == "v1"
    assert len(raw) == 12 + 18 + 16  # nonce, the text, the tag
    assert aead.decrypt(raw[:12], raw[12:], b"id_number") == b"33010619900101123X"
    assert vault.encrypt("33010619900101123X", field="id_number") != token  # a fresh nonce


@pytest.mark.parametrize(
    ("token", "field", "problem"),
    [
        (sealed_by_hand("13812345678", field="phone"), "contact_phone", "contact_phone cannot be"),
        ("v2." + sealed_by_hand("13812345678", field="phone")[3:], "phone", "version 'v2'"),
        ("13812345678", "phone", "unknown token version '13812345678'"),
    ],
)
def test_a_token_of_another_field_or_format_is_refused(vault, token, field, problem):
    with pytest.raises(PiiKeyError, match=problem):
        vault.decrypt(token, field=field)


def test_another_key_cannot_read_the_token():
    token = sealed_by_hand("13812345678", field="phone")
    with pytest.raises(PiiKeyError, match="phone cannot be decrypted with this key"):
        PiiVault(bytes(32)).decrypt(token, field="phone")


def test_the_blind_index_is_a_keyed_hmac_of_field_and_value(vault):
    index_key = hkdf_sha256(MASTER_KEY, b"linkage/pii/blind-index/v1")
    expected = hmac.new(index_key, b"id_number\x0033010619900101123X", hashlib.sha256).hexdigest()

    assert vault.blind_index("33010619900101123X", field="id_number") == expected
    assert vault.blind_index("33010619900101123X", field="id") != expected
    assert PiiVault(bytes(32)).blind_index("33010619900101123X", field="id_number") != expected


@pytest.mark.parametrize(
    "text", [MASTER_KEY_TEXT, MASTER_KEY_TEXT.rstrip("="), f" {MASTER_KEY_TEXT}\n"]
)
def test_a_key_is_read_with_or_without_padding_and_whitespace(text):
    assert decode_key(text) == MASTER_KEY


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not base64!", "^LINKAGE_PII_KEY is not base64$"),
        (base64.urlsafe_b64encode(bytes(31)).decode(), r"^LINKAGE_PII_KEY must be 32 bytes \(44"),
        (base64.urlsafe_b64encode(bytes(33)).decode(), r"characters\)$"),
    ],
)
def test_a_malformed_key_is_refused(text, problem):
    with pytest.raises(PiiKeyError, match=problem):
        decode_key(text)


def test_a_new_key_is_32_random_bytes():
    first, second = new_key_text(), new_key_text()
    assert len(decode_key(first)) == 32
    assert first != second


def test_the_configured_key_is_used(tmp_path):
    settings = Settings(pii_key=MASTER_KEY_TEXT, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    token = sealed_by_hand("13812345678", field="phone")

    assert PiiVault.from_settings(settings).decrypt(token, field="phone") == "13812345678"
    assert not (tmp_path / KEY_FILE).exists()


def test_production_without_a_key_is_refused(tmp_path):
    settings = Settings.model_construct(environment="production", pii_key=None, data_dir=tmp_path)
    with pytest.raises(PiiKeyError, match="^production needs LINKAGE_PII_KEY$"):
        PiiVault.from_settings(settings)
    assert not (tmp_path / KEY_FILE).exists()


def test_development_keeps_one_key_file_beside_its_data(tmp_path):
    data_dir = tmp_path / "var" / "data"  # neither exists yet
    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]

    token = PiiVault.from_settings(settings).encrypt("13812345678", field="phone")
    again = PiiVault.from_settings(settings)

    key_file = data_dir / KEY_FILE
    assert again.decrypt(token, field="phone") == "13812345678"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    text = key_file.read_text(encoding="ascii")
    assert text.endswith("\n") and len(decode_key(text)) == 32


def test_a_data_directory_that_exists_gets_its_key_file(tmp_path):
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    PiiVault.from_settings(settings)
    assert len(decode_key((tmp_path / KEY_FILE).read_text(encoding="ascii"))) == 32
