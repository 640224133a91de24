"""Field encryption at rest: identifiers (passport, SNILS, OMS, birth certificate) under the operator's key.

A value is stored as the token ``v2:<key id>:<b64>``, where ``<key id>`` names the key (8 hex digits of its
fingerprint, not secret) and ``<b64>`` is URL-safe base64 without padding of
``nonce (12 bytes) || AES-256-GCM ciphertext and tag``.
The column (``context``, e.g. ``"snils"``) and the row (``row``, e.g. ``"profiles:17"``) are bound into the
associated data, so a token copied into another column or another row does not decrypt. Tampering, a wrong
key, a wrong context or a wrong row all raise :class:`DecryptionError`.

Key rotation: a :class:`FieldCipher` holds the current key, which encrypts, and any old keys, which only
decrypt (``EMK_OLD_DATA_KEYS``); the key id in each token says which key to use. Tokens of the first format,
``v1:<b64>`` (bound to the column only), are still read, with every key of the ring; the next write of the
value stores it as ``v2``.

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.private_files import write_new_private

__all__ = [
    "DATA_KEY_FILE",
    "KEY_ENV_VAR",
    "KEY_SIZE",
    "OLD_KEYS_ENV_VAR",
    "DecryptionError",
    "FieldCipher",
    "KeyFileError",
    "generate_key_text",
    "key_fingerprint",
    "key_id",
    "load_or_create_key",
    "parse_old_keys",
]

KEY_ENV_VAR: Final = "EMK_DATA_KEY"
DATA_KEY_FILE: Final = "data.key"  # in DATA_DIR, when the key is not given in KEY_ENV_VAR
OLD_KEYS_ENV_VAR: Final = "EMK_OLD_DATA_KEYS"
KEY_SIZE: Final = 32
_NONCE_SIZE: Final = 12
_TAG_SIZE: Final = 16
_VERSION: Final = "v2"
_LEGACY: Final = "v1"
_AAD_PREFIX: Final = b"emk-field:v2:"
_LEGACY_AAD_PREFIX: Final = b"emk-field:v1:"
_KEY_ID: Final = re.compile(r"[0-9a-f]{8}")
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
    """AES-256-GCM for single database fields, over a ring of keys: the current one encrypts, old ones
    (being rotated out) only decrypt."""

    __slots__ = ("_current", "_keys")

    def __init__(self, key: bytes, old_keys: Sequence[bytes] = ()) -> None:
        for k in (key, *old_keys):
            if not isinstance(k, bytes | bytearray):
                raise TypeError("key must be bytes")
            if len(k) != KEY_SIZE:
                raise ValueError(f"key must be {KEY_SIZE} bytes (got {len(k)})")
        self._current = key_id(bytes(key))
        self._keys: dict[str, AESGCM] = {self._current: AESGCM(bytes(key))}
        for old in old_keys:
            self._keys.setdefault(key_id(bytes(old)), AESGCM(bytes(old)))

    def __repr__(self) -> str:
        return f"FieldCipher(key id {self._current}, {len(self._keys) - 1} old)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("FieldCipher cannot be pickled: it holds the data key")

    @property
    def key_id(self) -> str:
        """The current key's id (not secret): what new tokens carry."""
        return self._current

    def is_current(self, token: str) -> bool:
        """Whether `token` is of the current format and key (else a write should re-encrypt it)."""
        return token.startswith(f"{_VERSION}:{self._current}:")

    @staticmethod
    def _aad(context: str, row: str) -> bytes:
        if not isinstance(context, str) or not context:
            raise ValueError("context must be a non-empty str naming the field, e.g. 'snils'")
        if not isinstance(row, str):
            raise TypeError("row must be a str naming the row, e.g. 'profiles:17'")
        return _AAD_PREFIX + context.encode("utf-8") + b"\x00" + row.encode("utf-8")

    def encrypt(self, plaintext: str, *, context: str, row: str = "") -> str:
        if not isinstance(plaintext, str):
            raise TypeError("plaintext must be a str")
        nonce = os.urandom(_NONCE_SIZE)
        sealed = self._keys[self._current].encrypt(nonce, plaintext.encode("utf-8"), self._aad(context, row))
        return f"{_VERSION}:{self._current}:{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str, row: str = "") -> str:
        aad = self._aad(context, row)
        if not isinstance(token, str):
            raise TypeError("token must be a str")
        version, sep, rest = token.partition(":")
        if sep and version == _VERSION:
            kid, sep, body = rest.partition(":")
            if not sep or not _KEY_ID.fullmatch(kid):
                raise DecryptionError("malformed field token")
            if kid not in self._keys:
                raise DecryptionError(
                    f"encrypted with key id {kid}, which is neither {KEY_ENV_VAR} nor in {OLD_KEYS_ENV_VAR}"
                )
            keys = [self._keys[kid]]
        elif sep and version == _LEGACY:  # bound to the column only; the key is not named, so try each
            body, keys = rest, list(self._keys.values())
            aad = _LEGACY_AAD_PREFIX + context.encode("utf-8")
        else:
            raise DecryptionError("not a field token")
        try:
            raw = _b64decode(body)
        except (ValueError, binascii.Error):
            raise DecryptionError("malformed field token") from None
        if len(raw) < _NONCE_SIZE + _TAG_SIZE:
            raise DecryptionError("field token too short")
        for aead in keys:
            try:
                data = aead.decrypt(raw[:_NONCE_SIZE], raw[_NONCE_SIZE:], aad)
            except InvalidTag:
                continue
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                raise DecryptionError("decrypted data is not UTF-8 text") from None
        raise DecryptionError("cannot decrypt: wrong key, wrong context or row, or altered data")

    def encrypt_json(self, value: Mapping[str, Any], *, context: str, row: str = "") -> str:
        """Encrypt a JSON object (plain JSON types only; NaN refused)."""
        if not isinstance(value, Mapping):
            raise TypeError("value must be a mapping")
        text = json.dumps(
            dict(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
        )
        return self.encrypt(text, context=context, row=row)

    def decrypt_json(self, token: str, *, context: str, row: str = "") -> dict[str, Any]:
        text = self.decrypt(token, context=context, row=row)
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


def key_id(key: bytes) -> str:
    """The id a token carries for the key that encrypted it (8 hex digits of the fingerprint)."""
    return key_fingerprint(key)[:8]


def parse_old_keys(text: str | None) -> list[bytes]:
    """``EMK_OLD_DATA_KEYS``: keys being rotated out, comma-separated, each written like ``EMK_DATA_KEY``."""
    keys = []
    for number, part in enumerate((text or "").split(","), start=1):
        if not part.strip():
            continue
        key = _parse_key_text(part)
        if key is None:
            raise ValueError(
                f"{OLD_KEYS_ENV_VAR}: key number {number} is not 32 bytes written as 64 hex digits or as URL-safe "
                "base64; list the old keys separated by commas"
            )
        keys.append(key)
    return keys


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


def read_private_file(path: Path, what: str, limit: int) -> bytes:
    """A key file's bytes, refusing a symbolic link, anything but a regular file, and a file that group or
    others can read. FileNotFoundError passes through (the caller may create the file)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise KeyFileError(f"{what} {path} is a symbolic link; refusing to follow it") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"{what} {path} is not a regular file")
        if os.name == "posix" and info.st_mode & 0o077:
            raise KeyFileError(
                f"{what} {path} is accessible by group or others "
                f"(mode {stat.S_IMODE(info.st_mode):04o}); refusing to use it. "
                f"Run: chmod 600 {path}"
            )
        return os.read(fd, limit)
    finally:
        os.close(fd)


def _read_key_file(path: Path) -> bytes:
    data = read_private_file(path, "data key file", 1024)
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
    write_new_private(path, (_b64encode(key) + "\n").encode("ascii"))  # owner-only, never wider even for a moment
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
