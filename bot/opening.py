"""What start-up opens first, before aiogram is imported (which alone costs seconds of CPU): the operator's
identity and files, the book-signing key, the database (migrated) and the data key. A mistake of the operator's
found here (a wrong data key, a broken policy file, a database from a newer version) ends `python -m bot` in
about a second instead of after the whole bot was loaded. `create_deps` builds the rest on what this opened."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings, require_operator
from bot.operator_files import load_operator_files
from domain.clinics import Clinics
from domain.policy import Policy
from storage.crypto import FieldCipher
from storage.db import DbEngine, create_engine
from storage.files import FileStore
from storage.keycheck import open_data_key
from storage.migrate import migrate
from storage.signing import load_or_create_signing_key


@dataclass(frozen=True)
class Opened:
    policy: Policy
    clinics: Clinics | None
    signing_key: bytes
    engine: DbEngine
    cipher: FieldCipher
    files: FileStore


async def open_storage(settings: Settings) -> Opened:
    """The operator's files and keys and the database, checked and opened; the engine is disposed of when the
    database or its key is refused."""
    require_operator(settings)  # the consent text must name a real operator
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)  # the database and the key live here
    policy, clinics = load_operator_files(settings.POLICY_FILE, settings.CLINICS_FILE)
    signing_text = settings.BOOK_SIGNING_KEY.get_secret_value() if settings.BOOK_SIGNING_KEY else None
    signing_key = load_or_create_signing_key(signing_text, settings.signing_key_file)
    engine = create_engine(settings.DATABASE_URL)
    try:
        await migrate(engine)
        cipher, files = await open_data_key(
            engine, settings.EMK_DATA_KEY.get_secret_value() if settings.EMK_DATA_KEY else None,
            settings.data_key_file,
            settings.EMK_OLD_DATA_KEYS.get_secret_value() if settings.EMK_OLD_DATA_KEYS else None,
            settings.files_dir,
        )
    except BaseException:
        await engine.dispose()
        raise
    return Opened(policy, clinics, signing_key, engine, cipher, files)
