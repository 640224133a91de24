"""Field encryption at rest and the data key."""

from __future__ import annotations

import base64
import os
import pickle
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.crypto import (
    DecryptionError,
    FieldCipher,
    KeyFileError,
    generate_key_text,
    key_fingerprint,
    key_id,
    load_or_create_key,
    parse_old_keys,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(KEY)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- FieldCipher -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", ["112-233-445 95", "", "4508 123456", "Пётр ё 🙂", "x" * 10_000])
def test_round_trip(cipher: FieldCipher, plaintext: str) -> None:
    token = cipher.encrypt(plaintext, context="snils")
    assert cipher.decrypt(token, context="snils") == plaintext
    assert FieldCipher(KEY).decrypt(token, context="snils") == plaintext  # a restart with the same key


def _body(token: str) -> str:
    return token.rsplit(":", 1)[1]


def test_token_format(cipher: FieldCipher) -> None:
    token = cipher.encrypt("112-233-445 95", context="snils")
    version, kid, body = token.split(":")
    assert version == "v2" and kid == key_id(KEY) == key_fingerprint(KEY)[:8] == cipher.key_id
    assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(_unb64(body)) == 12 + len("112-233-445 95") + 16  # nonce, ciphertext, tag
    assert "112" not in token


def test_nonces_are_random(cipher: FieldCipher) -> None:
    tokens = [cipher.encrypt("same", context="snils") for _ in range(200)]
    assert len(set(tokens)) == len(tokens)
    assert len({_unb64(_body(t))[:12] for t in tokens}) == len(tokens)


def test_wrong_context_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt("112-233-445 95", context="snils")
    for context in ("oms", "passport", "snils ", "SNILS"):
        with pytest.raises(DecryptionError):
            cipher.decrypt(token, context=context)


def test_wrong_key_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt("112-233-445 95", context="snils")
    with pytest.raises(DecryptionError):
        FieldCipher(OTHER_KEY).decrypt(token, context="snils")


def test_every_flipped_bit_is_detected(cipher: FieldCipher) -> None:
    token = cipher.encrypt("4508 123456", context="passport")
    raw = _unb64(_body(token))
    prefix = token[: -len(_body(token))]
    for index in range(len(raw)):
        for bit in (0x01, 0x80):
            altered = bytearray(raw)
            altered[index] ^= bit
            with pytest.raises(DecryptionError):
                cipher.decrypt(prefix + _b64(bytes(altered)), context="passport")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "v1",
        "v1:",
        "v2:AAAA",
        f"v2:{key_id(KEY)}",
        f"v2:{key_id(KEY)}:",
        f"v2:{key_id(KEY).upper()}:" + _b64(bytes(40)),
        "v3:AAAA",
        "AAAA",
        "v1:!!!!",
        "v1:" + _b64(b"short"),
        "v1:" + _b64(bytes(27)),
        "v1:" + _b64(bytes(40)) + "=",
        "v1:A",
        "v1:ab+/cd",
    ],
)
def test_malformed_tokens_fail(cipher: FieldCipher, token: str) -> None:
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, context="snils")


def test_non_canonical_base64_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt("x", context="snils")
    body = _body(token)
    # The last character carries unused low bits; a different spelling of the same bytes is refused.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(body[-1])
    sibling = alphabet[last ^ 1]
    assert _unb64(body[:-1] + sibling) == _unb64(body)  # 29 bytes: the last character has 2 unused bits
    with pytest.raises(DecryptionError):
        cipher.decrypt(token[: -len(body)] + body[:-1] + sibling, context="snils")


def test_json_round_trip(cipher: FieldCipher) -> None:
    value = {"series": "45 08", "number": "123456", "issued": "2010-05-01", "nested": {"a": [1, None, True]}}
    token = cipher.encrypt_json(value, context="passport")
    assert cipher.decrypt_json(token, context="passport") == value
    with pytest.raises(DecryptionError):
        cipher.decrypt_json(token, context="birth_certificate")


def test_json_must_be_an_object(cipher: FieldCipher) -> None:
    with pytest.raises(DecryptionError):
        cipher.decrypt_json(cipher.encrypt("[1, 2]", context="x"), context="x")
    with pytest.raises(DecryptionError):
        cipher.decrypt_json(cipher.encrypt("not json", context="x"), context="x")
    with pytest.raises(ValueError):
        cipher.encrypt_json({"x": float("nan")}, context="x")
    with pytest.raises(TypeError):
        cipher.encrypt_json(["a"], context="x")  # type: ignore[arg-type]


def test_arguments_are_checked(cipher: FieldCipher) -> None:
    with pytest.raises(ValueError, match="context"):
        cipher.encrypt("x", context="")
    with pytest.raises(TypeError):
        cipher.encrypt(b"x", context="snils")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="32 bytes"):
        FieldCipher(bytes(31))
    with pytest.raises(TypeError):
        FieldCipher(KEY.hex())  # type: ignore[arg-type]


def test_the_key_never_shows(cipher: FieldCipher) -> None:
    for text in (repr(cipher), str(cipher), f"{cipher}", repr([cipher]), repr(vars(type(cipher)))):
        for spelling in (KEY.hex(), _b64(KEY), repr(KEY), base64.b64encode(KEY).decode()):
            assert spelling not in text
    assert repr(cipher) == f"FieldCipher(key id {key_id(KEY)}, 0 old)"
    assert not hasattr(cipher, "__dict__")
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(cipher)


def test_a_token_is_bound_to_its_row(cipher: FieldCipher) -> None:
    token = cipher.encrypt("112-233-445 95", context="snils", row="profiles:1")
    assert cipher.decrypt(token, context="snils", row="profiles:1") == "112-233-445 95"
    for row in ("profiles:2", "profiles:10", "", "applications:1"):
        with pytest.raises(DecryptionError):
            cipher.decrypt(token, context="snils", row=row)


def _legacy_v1(key: bytes, plaintext: str, context: str) -> str:
    """A token of the first format (column-bound only), as stored before key ids and rows."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return "v1:" + _b64(nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), b"emk-field:v1:" + context.encode()))


def test_first_format_tokens_are_still_read(cipher: FieldCipher) -> None:
    old = _legacy_v1(KEY, "4508 123456", "passport")
    assert cipher.decrypt(old, context="passport", row="profiles:3") == "4508 123456"
    assert not cipher.is_current(old)
    with pytest.raises(DecryptionError):
        cipher.decrypt(old, context="snils")
    # an old-format token under a key being rotated out is read too
    assert FieldCipher(OTHER_KEY, [KEY]).decrypt(old, context="passport") == "4508 123456"


def test_rotation_old_keys_decrypt_the_current_key_encrypts() -> None:
    before = FieldCipher(KEY).encrypt("112-233-445 95", context="snils", row="r")
    rotated = FieldCipher(OTHER_KEY, [KEY])
    assert rotated.decrypt(before, context="snils", row="r") == "112-233-445 95"
    assert not rotated.is_current(before)
    after = rotated.encrypt("112-233-445 95", context="snils", row="r")
    assert rotated.is_current(after) and after.split(":")[1] == key_id(OTHER_KEY)
    with pytest.raises(DecryptionError, match="EMK_OLD_DATA_KEYS"):  # the old key dropped too early
        FieldCipher(OTHER_KEY).decrypt(before, context="snils", row="r")
    with pytest.raises(DecryptionError):
        FieldCipher(KEY).decrypt(after, context="snils", row="r")


def test_old_keys_setting() -> None:
    assert parse_old_keys(None) == [] and parse_old_keys(" ") == []
    assert parse_old_keys(f"{KEY.hex()}, {_b64(OTHER_KEY)}") == [KEY, OTHER_KEY]
    with pytest.raises(ValueError, match="EMK_OLD_DATA_KEYS: key number 2") as info:
        parse_old_keys(f"{KEY.hex()},not-a-key")
    assert "not-a-key" not in str(info.value)


# --- the key -----------------------------------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    "text",
    [
        KEY.hex(),
        KEY.hex().upper(),
        _b64(KEY),
        _b64(KEY) + "=",
        base64.b64encode(KEY).decode(),
        f"  {KEY.hex()}\n",
    ],
)
def test_env_key_formats(tmp_path: Path, text: str) -> None:
    assert load_or_create_key(text, tmp_path / "key") == KEY
    assert not (tmp_path / "key").exists()  # the environment wins; no file is made


@pytest.mark.parametrize(
    "text", ["abc", KEY.hex()[:-1], KEY.hex() + "00", _b64(KEY + b"x"), _b64(KEY[:-1]), "g" * 64, "😀" * 43]
)
def test_bad_env_key_names_the_variable_and_hides_the_value(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValueError, match="EMK_DATA_KEY") as info:
        load_or_create_key(text, tmp_path / "key")
    assert text not in str(info.value)
    assert "64 hex digits" in str(info.value)


@pytest.mark.usefixtures("umask_022")
def test_blank_env_means_the_key_file(tmp_path: Path) -> None:
    key = load_or_create_key("  ", tmp_path / "key")
    assert load_or_create_key(None, tmp_path / "key") == key


@pytest.mark.usefixtures("umask_022")
def test_key_file_is_created_owner_only_with_parents(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secrets" / "emk.key"
    key = load_or_create_key(None, path)
    assert len(key) == 32
    assert _mode(path) == 0o600
    assert path.read_text().strip() == _b64(key)  # text, so it can be copied into EMK_DATA_KEY for a backup
    assert load_or_create_key(None, path) == key
    assert load_or_create_key(path.read_text(), tmp_path / "other") == key
    assert load_or_create_key(None, tmp_path / "second.key") != key


def test_key_file_mode_does_not_depend_on_a_loose_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        load_or_create_key(None, tmp_path / "key")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "key") == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "key"
    path.write_text(_b64(KEY) + "\n")
    path.chmod(mode)
    with pytest.raises(KeyFileError, match="chmod 600") as info:
        load_or_create_key(None, path)
    assert f"{mode:04o}" in str(info.value)
    assert _b64(KEY) not in str(info.value)
    path.chmod(0o600)
    assert load_or_create_key(None, path) == KEY
    path.chmod(0o400)
    assert load_or_create_key(None, path) == KEY


@pytest.mark.parametrize("content", [KEY, KEY.hex().encode(), _b64(KEY).encode() + b"\n"])
def test_key_file_formats(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "key"
    path.write_bytes(content)
    path.chmod(0o600)
    assert load_or_create_key(None, path) == KEY


@pytest.mark.parametrize("content", [b"", b"short", b"\xff" * 44, KEY + b"!"])
def test_a_broken_key_file_is_refused_not_replaced(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="backup"):
        load_or_create_key(None, path)
    assert path.read_bytes() == content


def test_a_symlink_or_directory_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_text(_b64(KEY))
    real.chmod(0o600)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(KeyFileError, match="symbolic link"):
        load_or_create_key(None, link)
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o700)
    with pytest.raises(KeyFileError, match="regular file"):
        load_or_create_key(None, folder)


def test_generated_key_text() -> None:
    texts = {generate_key_text() for _ in range(50)}
    assert len(texts) == 50
    for text in texts:
        assert len(text) == 43
        assert len(load_or_create_key(text, Path("/nonexistent/never-used"))) == 32


def test_fingerprint() -> None:
    assert key_fingerprint(KEY) == key_fingerprint(bytes(KEY))
    assert key_fingerprint(KEY) != key_fingerprint(OTHER_KEY)
    assert len(key_fingerprint(KEY)) == 16 and KEY.hex()[:16] != key_fingerprint(KEY)
