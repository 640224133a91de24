"""Field encryption at rest: identifiers (passport, СНИЛС, ОМС, birth certificate) under the operator's key.

A value is stored as the token ``v1:<b64>``, where ``<b64>`` is URL-safe base64 without padding of
``nonce (12 bytes) || AES-256-GCM ciphertext and tag``.
The column (``context``, e.g. ``"snils"``) is bound into the associated data, so a token copied into another
column does not decrypt. Tampering, a wrong key or a wrong context all raise :class:`DecryptionError`.

The key (32 bytes) comes from ``EMK_DATA_KEY`` (64 hex digits or URL-safe base64) or from a key file that is
created on first start with owner-only permissions. Losing the key loses the encrypted data: back it up.
The key is never logged, printed or shown by ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import json
import os
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "KEY_ENV_VAR",
    "KEY_SIZE",
    "DecryptionError",
    "FieldCipher",
    "KeyFileError",
    "generate_key_text",
    "key_fingerprint",
    "load_or_create_key",
]

KEY_ENV_VAR: Final = "EMK_DATA_KEY"
KEY_SIZE: Final = 32
_NONCE_SIZE: Final = 12
_TAG_SIZE: Final = 16
_VERSION: Final = "v1"
_AAD_PREFIX: Final = b"emk-field:v1:"
_B64URL: Final = re.compile(r"[A-Za-z0-9_-]+")
_HEX_KEY: Final = re.compile(r"[0-9a-fA-F]{64}")
_B64_KEY: Final = re.compile(r"[A-Za-z0-9_+/-]{43}=?")


class DecryptionError(Exception):
    """A token cannot be decrypted: altered, malformed, another key, or another context."""


class KeyFileError(Exception):
    """The key file is unsafe or unreadable; the message says what to do."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict URL-safe base64 without padding; raises ValueError."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not URL-safe base64")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64encode(data) != text:  # non-canonical trailing bits: not something we produced
        raise ValueError("not canonical base64")
    return data


class FieldCipher:
    """AES-256-GCM for single database fields."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes | bytearray):
            raise TypeError("key must be bytes")
        if len(key) != KEY_SIZE:
            raise ValueError(f"key must be {KEY_SIZE} bytes (got {len(key)})")
        self._aead = AESGCM(bytes(key))

    def __repr__(self) -> str:
        return "FieldCipher(key=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("FieldCipher cannot be pickled: it holds the data key")

    @staticmethod
    def _aad(context: str) -> bytes:
        if not isinstance(context, str) or not context:
            raise ValueError("context must be a non-empty str naming the field, e.g. 'snils'")
        return _AAD_PREFIX + context.encode("utf-8")

    def encrypt(self, plaintext: str, *, context: str) -> str:
        if not isinstance(plaintext, str):
            raise TypeError("plaintext must be a str")
        nonce = os.urandom(_NONCE_SIZE)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), self._aad(context))
        return f"{_VERSION}:{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str) -> str:
        aad = self._aad(context)
        if not isinstance(token, str):
            raise TypeError("token must be a str")
        version, sep, body = token.partition(":")
        if not sep or version != _VERSION:
            raise DecryptionError("not a v1 field token")
        try:
            raw = _b64decode(body)
        except (ValueError, binascii.Error):
            raise DecryptionError("malformed field token") from None
        if len(raw) < _NONCE_SIZE + _TAG_SIZE:
            raise DecryptionError("field token too short")
        try:
            data = self._aead.decrypt(raw[:_NONCE_SIZE], raw[_NONCE_SIZE:], aad)
        except InvalidTag:
            raise DecryptionError("cannot decrypt: wrong key, wrong context or altered data") from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptionError("decrypted data is not UTF-8 text") from None

    def encrypt_json(self, value: Mapping[str, Any], *, context: str) -> str:
        """Encrypt a JSON object (plain JSON types only; NaN refused)."""
        if not isinstance(value, Mapping):
            raise TypeError("value must be a mapping")
        text = json.dumps(
            dict(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
        )
        return self.encrypt(text, context=context)

    def decrypt_json(self, token: str, *, context: str) -> dict[str, Any]:
        text = self.decrypt(token, context=context)
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise DecryptionError("decrypted data is not JSON") from None
        if not isinstance(value, dict):
            raise DecryptionError("decrypted JSON is not an object")
        return value


# --- the key ------------------------------------------------------------------------------------------------


def generate_key_text() -> str:
    """A new random key as URL-safe base64 (43 characters), ready for ``EMK_DATA_KEY`` or a key file."""
    return _b64encode(secrets.token_bytes(KEY_SIZE))


def key_fingerprint(key: bytes) -> str:
    """A short, non-secret name for a key (to tell keys apart in logs and backups)."""
    return hashlib.sha256(b"emk-key-fingerprint:" + key).hexdigest()[:16]


def _parse_key_text(text: str) -> bytes | None:
    text = text.strip()
    if _HEX_KEY.fullmatch(text):
        return bytes.fromhex(text)
    if _B64_KEY.fullmatch(text):
        try:
            key = base64.urlsafe_b64decode(text.rstrip("=").replace("+", "-").replace("/", "_") + "=")
        except (ValueError, binascii.Error):
            return None
        return key if len(key) == KEY_SIZE else None
    return None


def load_or_create_key(env_value: str | None, key_file: Path) -> bytes:
    """The data key: from ``EMK_DATA_KEY`` if set (non-blank), else from ``key_file``, created if missing.

    ``env_value`` must be 32 bytes as 64 hex digits or as URL-safe base64 (standard base64 is accepted too).
    A blank value counts as unset. The key file holds the key as base64 text; an existing file must be a
    regular file accessible by its owner only (``chmod 600``), otherwise :class:`KeyFileError` is raised.
    """
    if env_value is not None and env_value.strip():
        key = _parse_key_text(env_value)
        if key is None:
            raise ValueError(
                f"{KEY_ENV_VAR} must be 32 bytes written as 64 hex digits or as URL-safe base64 "
                f"(43 characters, or 44 ending in '='); got {len(env_value.strip())} characters that are "
                "neither. Generate one with: python -c 'from storage.crypto import generate_key_text as g; "
                "print(g())'"
            )
        return key
    try:
        return _read_key_file(key_file)
    except FileNotFoundError:
        pass
    try:
        return _create_key_file(key_file)
    except FileExistsError:  # another process created it a moment ago
        return _read_key_file(key_file)


def _read_key_file(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise KeyFileError(f"data key file {path} is a symbolic link; refusing to follow it") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"data key file {path} is not a regular file")
        if os.name == "posix" and info.st_mode & 0o077:
            raise KeyFileError(
                f"data key file {path} is accessible by group or others "
                f"(mode {stat.S_IMODE(info.st_mode):04o}); refusing to use it. "
                f"Run: chmod 600 {path}"
            )
        data = os.read(fd, 1024)
    finally:
        os.close(fd)
    if len(data) == KEY_SIZE:  # a raw key file
        return data
    try:
        key = _parse_key_text(data.decode("ascii"))
    except UnicodeDecodeError:
        key = None
    if key is None:
        raise KeyFileError(
            f"data key file {path} does not hold a 32-byte key (64 hex digits or URL-safe base64); "
            "restore it from your backup"
        )
    return key


def _create_key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_SIZE)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)  # created with owner-only permissions, never wider even for a moment
    try:
        os.write(fd, (_b64encode(key) + "\n").encode("ascii"))
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    _fsync_dir(path.parent)
    return key


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
