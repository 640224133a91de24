"""Uploaded files: the bytes encrypted under random names in DATA_DIR/files, the facts in `uploads`.

A file's name on disk is random (never the person's file name); its content is AES-GCM encrypted with
the data key and bound to that name, so a file cannot be swapped for another. Writing runs in a thread,
so a 5 MB scan does not hold up the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import insert, select, update

from domain.clock import Clock
from storage.db import reading, transaction
from storage.tables import uploads


class FileStore:
    def __init__(self, directory: Path, key: bytes, old_keys: Sequence[bytes] = ()) -> None:
        self.directory = directory
        self._aead = AESGCM(key)
        self._old = [AESGCM(k) for k in old_keys]  # a key being rotated out still opens the files it wrote

    def __repr__(self) -> str:
        return f"FileStore({self.directory})"

    def _write(self, name: str, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        nonce = os.urandom(12)
        blob = nonce + self._aead.encrypt(nonce, data, name.encode())
        tmp = self.directory / f".{name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, self.directory / name)

    def _read(self, name: str) -> bytes:
        blob = (self.directory / name).read_bytes()
        try:  # the current key; a key being rotated out only when it does not fit
            return self._aead.decrypt(blob[:12], blob[12:], name.encode())
        except InvalidTag:
            for aead in self._old:
                with contextlib.suppress(InvalidTag):
                    return aead.decrypt(blob[:12], blob[12:], name.encode())
            raise

    def _reseal(self, name: str) -> bool:
        """Rewrite a file under the current key if another key wrote it; False if there was nothing to do."""
        path = self.directory / name
        if not path.exists():
            return False
        blob = path.read_bytes()
        try:
            self._aead.decrypt(blob[:12], blob[12:], name.encode())
            return False
        except InvalidTag:
            self._write(name, self._read(name))
            return True

    def _reseal_all(self) -> int:
        if not self.directory.is_dir():
            return 0
        names = [p.name for p in self.directory.iterdir() if p.is_file() and not p.name.startswith(".")]
        return sum(self._reseal(name) for name in names)

    async def reseal_all(self) -> int:
        """After a key rotation: every stored file under the current key. Returns how many were rewritten."""
        return await asyncio.to_thread(self._reseal_all)

    async def put(self, data: bytes) -> str:
        name = secrets.token_hex(16)
        await asyncio.to_thread(self._write, name, data)
        return name

    async def get(self, name: str) -> bytes:
        return await asyncio.to_thread(self._read, name)

    def read_blocking(self, name: str) -> bytes:
        """A file's bytes, decrypted, in the calling thread: for work already off the event loop (an export)."""
        return self._read(name)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(lambda: (self.directory / name).unlink(missing_ok=True))


@dataclass(frozen=True, slots=True)
class Upload:
    id: int
    owner_id: int
    profile_id: int | None
    kind: str
    sha256: str
    detected_type: str | None
    size: int
    pages: int
    width: int | None
    height: int | None
    dpi: int | None
    checks: tuple[str, ...]
    telegram_file_id: str | None
    storage_name: str
    status: str
    created_at: datetime


def _row(row: Any) -> Upload:
    return Upload(
        row.id, row.owner_id, row.profile_id, row.kind, row.sha256, row.detected_type, row.size, row.pages,
        row.width, row.height, row.dpi, tuple(json.loads(row.checks or "[]")), row.telegram_file_id,
        row.storage_name, row.status, row.created_at,
    )


class UploadRepository:
    def __init__(self, engine: Any, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    async def add(
        self,
        *,
        owner_id: int,
        profile_id: int | None,
        kind: str,
        sha256: str,
        detected_type: str | None,
        size: int,
        storage_name: str,
        pages: int = 1,
        width: int | None = None,
        height: int | None = None,
        dpi: int | None = None,
        checks: tuple[str, ...] = (),
        telegram_file_id: str | None = None,
        telegram_file_unique_id: str | None = None,
        status: str = "active",
    ) -> Upload:
        values = dict(
            owner_id=owner_id, profile_id=profile_id, kind=kind, sha256=sha256, detected_type=detected_type,
            size=size, pages=pages, width=width, height=height, dpi=dpi, checks=json.dumps(list(checks)),
            telegram_file_id=telegram_file_id, telegram_file_unique_id=telegram_file_unique_id,
            storage_name=storage_name, status=status, created_at=self.clock.now(),
        )
        async with transaction(self.engine) as conn:
            new_id = (await conn.execute(insert(uploads).values(**values).returning(uploads.c.id))).scalar_one()
        upload = await self.get(new_id)
        assert upload is not None
        return upload

    async def get(self, upload_id: int) -> Upload | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(uploads).where(uploads.c.id == upload_id))).first()
        return _row(row) if row is not None else None

    async def list_for(self, profile_id: int, kind: str | None = None, status: str = "active") -> list[Upload]:
        query = select(uploads).where(uploads.c.profile_id == profile_id, uploads.c.status == status)
        if kind is not None:
            query = query.where(uploads.c.kind == kind)
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query.order_by(uploads.c.id))).all()
        return [_row(r) for r in rows]

    async def find_duplicate(self, profile_id: int, sha256: str) -> Upload | None:
        async with reading(self.engine) as conn:
            row = (
                await conn.execute(
                    select(uploads).where(
                        uploads.c.profile_id == profile_id, uploads.c.sha256 == sha256, uploads.c.status == "active"
                    )
                )
            ).first()
        return _row(row) if row is not None else None

    async def set_status(self, upload_id: int, owner_id: int, status: str) -> None:
        async with transaction(self.engine) as conn:
            await conn.write(
                update(uploads).where(uploads.c.id == upload_id, uploads.c.owner_id == owner_id).values(status=status)
            )
