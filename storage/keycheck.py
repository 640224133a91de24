"""The data key is checked against the data at start-up, and rotated.

A wrong ``EMK_DATA_KEY``, or a ``DATA_DIR`` moved without its ``data.key`` (a new key would be made), used to
start silently: every person with saved data then got the apology. Now the database keeps a known text
encrypted with the key the data is under (the `meta` row ``key_check``); at start-up it must decrypt with
the configured keys, or the bot stops with one line naming the setting. A database that holds encrypted
data but has no key file and no ``EMK_DATA_KEY`` is refused the same way: no new key is made for it.

Rotation: start with the new key as ``EMK_DATA_KEY`` and the previous one in ``EMK_OLD_DATA_KEYS``. Every
encrypted value that is not under the current key (or is of the first, column-only format) is re-encrypted,
bound to its row, and so is every stored file; then the check is sealed with the new key, and the old key
can be removed from the settings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, update

from storage.books import books
from storage.books import row_name as book_row_name
from storage.crypto import DecryptionError, FieldCipher, KeyFileError, load_or_create_key, parse_old_keys
from storage.db import reading, transaction
from storage.elmk import added_elmk
from storage.exams import SEALED_COLUMNS as EXAM_SEALED
from storage.exams import exam_results
from storage.exams import row_name as exam_row_name
from storage.files import FileStore
from storage.outbox import outbox
from storage.shares import row_name as share_row_name
from storage.shares import shares
from storage.tables import applications, fsm_records, meta, profiles, status_changes

log = logging.getLogger("emk.keys")

_CHECK_NAME = "key_check"
_CHECK_TEXT = "emk data key check"
_CHECK_CONTEXT = "key-check"
_CHECK_ROW = "meta:key_check"


class KeyMismatchError(KeyFileError):
    """The configured data key is not the one the database's data was encrypted with."""


@dataclass(frozen=True)
class Sealed:
    """An encrypted column: its table, key column, context and how its row is named in the token."""

    table: Table
    key: str
    column: str
    context: str
    row: Callable[[Any], str]
    plain_before: bool = False  # a column that held plain text in earlier versions: sealed at start-up


SEALED = [
    Sealed(profiles, "id", "data", "profile", lambda k: f"profiles:{k}"),
    Sealed(applications, "id", "snapshot", "application-snapshot", lambda k: f"applications:{k}"),
    Sealed(status_changes, "id", "comment", "status-comment", lambda k: f"status_changes:{k}"),
    Sealed(outbox, "dedup_key", "payload", "outbox-payload", lambda k: f"outbox:{k}"),
    Sealed(fsm_records, "key", "data", "fsm-data", lambda k: f"fsm:{k}"),
    Sealed(books, "check_id", "content", "book", book_row_name),
    *(Sealed(exam_results, "id", column, context, exam_row_name, plain_before=True)
      for column, context in EXAM_SEALED.items()),
    Sealed(added_elmk, "ref", "data", "added-elmk", lambda k: f"added_elmk:{k}"),
    Sealed(shares, "token_hash", "employer", "share", share_row_name),
]


async def _check_token(engine: Any) -> str | None:
    async with reading(engine) as conn:
        value = (await conn.execute(select(meta.c.value).where(meta.c.name == _CHECK_NAME))).scalar_one_or_none()
    return str(value) if value is not None else None


async def holds_encrypted_data(engine: Any) -> bool:
    """Whether a key was ever used on this database: a key check, or rows in tables with encrypted columns."""
    if await _check_token(engine) is not None:
        return True
    async with reading(engine) as conn:
        for sealed in SEALED:
            if (await conn.execute(select(func.count()).select_from(sealed.table))).scalar_one():
                return True
    return False


def _mismatch(source: str, cipher: FieldCipher, token: str) -> KeyMismatchError:
    parts = token.split(":")
    written = f"key id {parts[1]}" if len(parts) == 3 else "an earlier key"
    return KeyMismatchError(
        f"{source} does not match the data in the database (it is key id {cipher.key_id}; the data was "
        f"encrypted with {written}). Set the key the data was written with, from your backup; after a key "
        "rotation, keep the previous key in EMK_OLD_DATA_KEYS."
    )


async def verify_key(engine: Any, cipher: FieldCipher, *, source: str) -> bool:
    """Refuse to start when no configured key opens the key check (or, in a database from before the check,
    a saved profile); write the check on the first start. `source` names where the key came from.

    True when values are to be re-encrypted (`rotate`): the check is under an old key, or the database
    holds data from before the check (of the first format, bound to the column only)."""
    token = await _check_token(engine)
    if token is not None:
        try:
            if cipher.decrypt(token, context=_CHECK_CONTEXT, row=_CHECK_ROW) == _CHECK_TEXT:
                return not cipher.is_current(token)
        except DecryptionError:
            pass
        raise _mismatch(source, cipher, token)
    earlier = await holds_encrypted_data(engine)
    async with reading(engine) as conn:  # a database from before the check: a saved draft tells
        sample = (await conn.execute(select(profiles.c.id, profiles.c.data).limit(1))).first()
    if sample is not None:
        try:
            cipher.decrypt(sample.data, context="profile", row=f"profiles:{sample.id}")
        except DecryptionError:
            raise _mismatch(source, cipher, sample.data) from None
    await _seal_check(engine, cipher, first=True)
    return earlier


async def _seal_check(engine: Any, cipher: FieldCipher, *, first: bool) -> None:
    value = cipher.encrypt(_CHECK_TEXT, context=_CHECK_CONTEXT, row=_CHECK_ROW)
    async with transaction(engine) as conn:
        if first:
            await conn.write(insert(meta).values(name=_CHECK_NAME, value=value))
        else:
            await conn.write(update(meta).where(meta.c.name == _CHECK_NAME).values(value=value))


async def key_to_be_made(engine: Any, key_text: str | None, key_file: Path) -> bool:
    """Whether a start would make a new data key (none is set and there is no key file): True for a new
    database; a database that already holds encrypted data is refused (KeyMismatchError), never given one."""
    if key_text or await asyncio.to_thread(key_file.exists):
        return False
    if await holds_encrypted_data(engine):
        raise KeyMismatchError(
            f"the data key file DATA_DIR/data.key ({key_file}) is missing, but the database already holds data "
            "encrypted with a key: restore data.key from your backup (or set EMK_DATA_KEY to that key); "
            "no new key was made"
        )
    return True


async def open_data_key(
    engine: Any, key_text: str | None, key_file: Path, old_keys_text: str | None, files_dir: Path
) -> tuple[FieldCipher, FileStore]:
    """The data key (``EMK_DATA_KEY``, else the key file, made on a first start only) and the keys being
    rotated out, checked against the data; a rotation is carried out before anyone is answered."""
    await key_to_be_made(engine, key_text, key_file)
    key = load_or_create_key(key_text, key_file)
    old = parse_old_keys(old_keys_text)
    cipher, files = FieldCipher(key, old), FileStore(files_dir, key, old)
    source = "EMK_DATA_KEY" if key_text else f"the data key file DATA_DIR/data.key ({key_file})"
    rotating = await verify_key(engine, cipher, source=source)
    await seal_plaintext(engine, cipher)
    if rotating:
        await rotate(engine, cipher, files)
    return cipher, files


async def seal_plaintext(engine: Any, cipher: FieldCipher) -> int:
    """Encrypt, bound to its row, every value of a column that earlier versions kept in clear (the exam
    results' institution, result and reason). Returns how many values were sealed; 0 after the first time."""
    count = 0
    async with transaction(engine) as conn:
        for sealed in SEALED:
            if not sealed.plain_before:
                continue
            key_col, value_col = sealed.table.c[sealed.key], sealed.table.c[sealed.column]
            plain = (await conn.execute(select(key_col, value_col).where(
                value_col.is_not(None), value_col.not_like("v2:%"), value_col.not_like("v1:%")))).all()
            for key, value in plain:
                fresh = cipher.encrypt(value, context=sealed.context, row=sealed.row(key))
                await conn.write(update(sealed.table).where(key_col == key).values({sealed.column: fresh}))
                count += 1
    if count:
        log.info("sealed %s values that earlier versions stored in clear", count)
    return count


async def rotate(engine: Any, cipher: FieldCipher, files: FileStore) -> int:
    """Re-encrypt under the current key, bound to its row, every value that is not (other keys, the first
    format), and every stored file; then seal the key check with the current key. Returns how many values
    and files were rewritten."""
    count = 0
    async with transaction(engine) as conn:
        for sealed in SEALED:
            key_col, value_col = sealed.table.c[sealed.key], sealed.table.c[sealed.column]
            rows = (await conn.execute(select(key_col, value_col).where(value_col.is_not(None)))).all()
            for key, value in rows:
                if not value or value.startswith("{") or cipher.is_current(value):  # empty, or plain FSM JSON
                    continue
                row = sealed.row(key)
                plain = cipher.decrypt(value, context=sealed.context, row=row)
                fresh = cipher.encrypt(plain, context=sealed.context, row=row)
                await conn.write(update(sealed.table).where(key_col == key).values({sealed.column: fresh}))
                count += 1
    count += await files.reseal_all()
    await _seal_check(engine, cipher, first=False)
    if count:
        log.info("data key rotation: %s values and files re-encrypted under key id %s", count, cipher.key_id)
    return count
