"""The data key against the data: a wrong key or a lost key file stops the start with one line naming it;
values are bound to their row; the key can be rotated (old keys decrypt, everything is re-encrypted)."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from domain.applicant import Relation
from storage.books import BookRepository
from storage.crypto import DecryptionError, FieldCipher, generate_key_text, load_or_create_key
from storage.keycheck import KeyMismatchError
from tests.harness import OPERATOR_ENV, TOKEN, World
from tests.storage.test_crypto import _legacy_v1

ROOT = Path(__file__).resolve().parent.parent
KEY_A, KEY_B = generate_key_text(), generate_key_text()


async def with_saved_data(world: World) -> tuple[int, str]:
    """Anna has given consent and started a profile; a file is stored. Returns the profile id and file name."""
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    assert world.deps is not None
    profile = await world.deps.profiles.create(anna.user.id, Relation.SELF)
    name = await world.deps.files.put(b"%PDF-1.4 scan")
    return profile.id, name


def db(world: World) -> sqlite3.Connection:
    return sqlite3.connect(world.data_dir / "emk.db")


async def test_a_wrong_data_key_stops_the_start_and_names_it(world: World) -> None:
    await with_saved_data(world)
    await world.stop()
    world.env["EMK_DATA_KEY"] = KEY_B  # not the key in DATA_DIR/data.key the data was written with
    with pytest.raises(KeyMismatchError) as info:
        await world.start()
    text = str(info.value)
    assert text.startswith("EMK_DATA_KEY does not match the data") and "\n" not in text
    assert KEY_B not in text


async def test_a_lost_key_file_is_not_replaced_by_a_new_key(world: World) -> None:
    await with_saved_data(world)
    await world.stop()
    (world.data_dir / "data.key").unlink()  # DATA_DIR moved without its key, the database kept
    with pytest.raises(KeyMismatchError, match=r"DATA_DIR/data.key .* is missing"):
        await world.start()
    assert not (world.data_dir / "data.key").exists()  # no new key was made


async def test_another_key_file_is_named(world: World) -> None:
    await with_saved_data(world)
    await world.stop()
    key_file = world.data_dir / "data.key"
    key_file.write_text(KEY_B + "\n")
    with pytest.raises(KeyMismatchError, match=r"^the data key file DATA_DIR/data.key .* does not match"):
        await world.start()


async def test_python_m_bot_exits_2_with_one_line(world: World, tmp_path: Path) -> None:
    await with_saved_data(world)
    await world.stop()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "EMK_", "DATA", "STAFF"))}
    env = {**clean, "PYTHONPATH": str(ROOT), "BOT_TOKEN": TOKEN, "BOT_API_URL": world.api.base_url,
           "DATA_DIR": str(world.data_dir), "DATABASE_URL": f"sqlite+aiosqlite:///{world.data_dir / 'emk.db'}",
           "EMK_DATA_KEY": KEY_B, "LOG_LEVEL": "WARNING", **OPERATOR_ENV}
    proc = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot"], cwd=tmp_path, env=env,
                                   capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("EMK_DATA_KEY does not match the data")
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    # found before the bot itself is loaded: aiogram (seconds of CPU to import) was never imported
    probe = ("import sys; from bot.__main__ import main; code = main([]); "
             "print('aiogram' in sys.modules); sys.exit(code)")
    proc = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", probe], cwd=tmp_path, env=env,
                                   capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("EMK_DATA_KEY does not match the data"), proc.stderr
    assert proc.stdout.strip() == "False"


async def test_a_value_moved_to_another_row_does_not_decrypt(world: World) -> None:
    anna_profile, _ = await with_saved_data(world)
    boris = world.person(user_id=5550002, first_name="Борис")
    await boris.command("start")
    assert world.deps is not None
    other = await world.deps.profiles.create(boris.user.id, Relation.SELF)
    await world.stop()
    with db(world) as conn:  # someone with database access copies Anna's draft into another person's profile
        (data,) = conn.execute("SELECT data FROM profiles WHERE id = ?", (anna_profile,)).fetchone()
        assert data.startswith("v2:")
        conn.execute("UPDATE profiles SET data = ? WHERE id = ?", (data, other.id))
    await world.start()
    assert world.deps is not None
    assert await world.deps.profiles.get(anna_profile, world.person().user.id) is not None
    with pytest.raises(DecryptionError):
        await world.deps.profiles.get(other.id, boris.user.id)


async def test_the_key_is_rotated(world: World) -> None:
    await world.stop()
    shutil.rmtree(world.data_dir)  # a first start with EMK_DATA_KEY set
    world.env["EMK_DATA_KEY"] = KEY_A
    await world.start()
    assert not (world.data_dir / "data.key").exists()
    profile_id, name = await with_saved_data(world)
    anna = world.person()
    assert world.deps is not None
    books = BookRepository(world.deps.engine, world.clock, world.deps.cipher)
    book_id = await books.insert(
        number="К-2026-000001", year=2026, seq=1, check_id="c" * 32, owner_id=anna.user.id, profile_id=None,
        application_id=None, photo_upload_id=None, status="valid", canonical=b'{"book":1}', signature=b"sig",
    )
    await world.stop()

    world.env.update(EMK_DATA_KEY=KEY_B, EMK_OLD_DATA_KEYS=KEY_A)  # the new key, the old one still listed
    await world.start()
    assert world.deps is not None
    assert await world.deps.profiles.get(profile_id, anna.user.id) is not None
    assert await world.deps.files.get(name) == b"%PDF-1.4 scan"
    new_id = world.deps.cipher.key_id
    await world.stop()
    with db(world) as conn:
        tokens = [v for (v,) in conn.execute("SELECT data FROM profiles UNION ALL SELECT data FROM fsm_records "
                                             "UNION ALL SELECT value FROM meta") if not v.startswith("{")]
    assert tokens and all(t.startswith(f"v2:{new_id}:") for t in tokens)

    del world.env["EMK_OLD_DATA_KEYS"]  # everything is under the new key: the old one can go
    await world.start()
    assert world.deps is not None
    assert await world.deps.profiles.get(profile_id, anna.user.id) is not None
    stored = await BookRepository(world.deps.engine, world.clock, world.deps.cipher).get(book_id)
    assert stored is not None and stored.canonical == b'{"book":1}'  # the issued books were re-encrypted too
    assert await world.deps.files.get(name) == b"%PDF-1.4 scan"
    await anna.send("/start")
    assert anna.replies
    await world.stop()

    world.env["EMK_DATA_KEY"] = KEY_A  # the retired key no longer opens the data
    with pytest.raises(KeyMismatchError, match=f"^EMK_DATA_KEY does not match .* key id {new_id}"):
        await world.start()


async def test_values_of_the_first_format_are_read_and_bound_to_their_row(world: World) -> None:
    anna = world.person()
    await with_saved_data(world)
    assert world.deps is not None
    profile = await world.deps.profiles.create(anna.user.id, Relation.SELF)
    raw_key = load_or_create_key(None, world.data_dir / "data.key")
    await world.stop()
    draft = '{"relation":"self","surname":"Иванова"}'
    with db(world) as conn:  # a database from before key ids and row binding
        conn.execute("UPDATE profiles SET data = ? WHERE id = ?", (_legacy_v1(raw_key, draft, "profile"), profile.id))
        conn.execute("DELETE FROM meta")
    await world.start()
    assert world.deps is not None
    loaded = await world.deps.profiles.get(profile.id, anna.user.id)
    assert loaded is not None and loaded.draft.surname == "Иванова"
    with db(world) as conn:
        (data,) = conn.execute("SELECT data FROM profiles WHERE id = ?", (profile.id,)).fetchone()
    assert data.startswith(f"v2:{world.deps.cipher.key_id}:")  # re-encrypted at start, bound to the row
    assert FieldCipher(raw_key).decrypt(data, context="profile", row=f"profiles:{profile.id}")
