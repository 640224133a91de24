"""The book-signing key: created once with mode 0600, reused, refused when others can read it, or from env."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from domain.book import public_key_of, public_key_pem
from storage.crypto import KeyFileError
from storage.signing import load_or_create_signing_key


def test_created_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    key = load_or_create_signing_key(None, path)
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert load_or_create_signing_key("", path) == key
    assert public_key_pem(public_key_of(key)).startswith("-----BEGIN PUBLIC KEY-----")
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_or_create_signing_key(None, path)


def test_from_the_environment(tmp_path: Path) -> None:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    path = tmp_path / "none.key"
    assert load_or_create_signing_key(pem, path) == raw
    assert load_or_create_signing_key(raw.hex(), path) == raw
    assert not path.exists()
    assert len(public_key_of(raw)) == 32
    with pytest.raises(KeyFileError, match="BOOK_SIGNING_KEY"):
        load_or_create_signing_key("not a key", path)
