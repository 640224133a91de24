"""The operator's book-signing key (Ed25519): from ``BOOK_SIGNING_KEY`` or a file in DATA_DIR.

The file (``DATA_DIR/signing.key``) is created on first start with mode 0600 and holds the private key as
PKCS#8 PEM, so standard tools read it (``openssl pkey -in signing.key -pubout`` prints the public key).
``BOOK_SIGNING_KEY`` may hold the same PEM, or the raw 32-byte private key as 64 hex digits or base64.
An existing file that group or others can read is refused. Losing the key means new books get a new key and
the books signed before no longer verify against the published key: back it up with the data key.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from storage.crypto import KeyFileError, read_private_file
from storage.private_files import write_new_private

__all__ = ["SIGNING_KEY_ENV_VAR", "SIGNING_KEY_FILE", "load_or_create_signing_key"]

SIGNING_KEY_ENV_VAR: Final = "BOOK_SIGNING_KEY"
SIGNING_KEY_FILE: Final = "signing.key"
_HEX: Final = re.compile(r"[0-9a-fA-F]{64}")


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _parse(text: str, where: str) -> bytes:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError, UnicodeEncodeError) as exc:
            raise KeyFileError(f"{where} is not a readable unencrypted PEM private key: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"{where} holds a {type(key).__name__}, not an Ed25519 key")
        return _raw(key)
    if _HEX.fullmatch(text):
        return bytes.fromhex(text)
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise KeyFileError(
            f"{where} must be an Ed25519 private key as PEM, or 32 bytes as 64 hex digits or base64; "
            "remove it to have a new key created (books signed before will no longer verify)"
        )
    return raw


def load_or_create_signing_key(env_value: str | None, key_file: Path) -> bytes:
    """The raw 32-byte private key: from the environment if set, else the file, created if missing."""
    if env_value is not None and env_value.strip():
        return _parse(env_value, SIGNING_KEY_ENV_VAR)
    try:
        data = read_private_file(key_file, "signing key file", 4096)
    except FileNotFoundError:
        return _create(key_file)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"signing key file {key_file} is not text; restore it from your backup") from None
    return _parse(text, f"signing key file {key_file}")


def _create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    try:
        write_new_private(path, pem)
    except FileExistsError:  # another process created it a moment ago
        return load_or_create_signing_key(None, path)
    return _raw(key)
