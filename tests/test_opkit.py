"""Issue 15, the operator's kit: the operator named in the consent text, /myid, backup and restore, `check`,
errors reported to the staff chat."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import StartupError, require_operator
from bot.operator_files import OperatorFileError, load_operator_files
from storage.crypto import generate_key_text
from storage.migrate import DatabaseVersionError
from tests.fakes.botapi import FakeBotAPI
from tests.harness import OPERATOR_ENV, TOKEN, World, plain
from tests.test_uploads import SCAN, at_step

KEY = generate_key_text()  # a data key the test's data was not written with


async def test_consent_names_the_operator_with_address_and_contact(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    consent = anna.last
    for value in OPERATOR_ENV.values():
        assert value in consent


@pytest.mark.parametrize("missing", ["OPERATOR_NAME", "OPERATOR_ADDRESS", "OPERATOR_CONTACT"])
async def test_the_bot_refuses_to_start_without_the_operator(api: FakeBotAPI, tmp_path: Path, missing: str) -> None:
    world = World(api=api, data_dir=tmp_path / "data", env={missing: "  "})
    with pytest.raises(StartupError) as caught:
        await world.start()
    assert str(caught.value).startswith(f"{missing} is missing: ")
    assert len(str(caught.value).splitlines()) == 1
    await world.stop()


async def test_myid_in_private_and_in_a_group(world: World) -> None:
    anna = world.person(user_id=5550123)
    said = await anna.command("myid")  # no consent needed: an administrator asks before anything else
    assert len(said) == 1 and "5550123" in said[0] and "STAFF_IDS" in said[0] and "STAFF_CHAT_ID" not in said[0]
    assert world.updates is not None
    mark = len(world.api.calls)
    await world.feed(world.updates.command(anna.user, "myid", chat_id=-1001234567890))
    sent = [c for c in world.api.calls[mark:] if c.method == "sendMessage"]
    assert len(sent) == 1 and str(sent[0].params["chat_id"]) == "-1001234567890"
    text = plain(str(sent[0].params["text"]))
    assert "5550123" in text and "-1001234567890" in text and "STAFF_CHAT_ID" in text


# --- backup, restore, check -------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def command_env(world: World, **extra: str) -> dict[str, str]:
    """The environment `python -m bot <command>` gets from the operator's .env, for a World's data folder."""
    settings = world.settings()
    settings.DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "DATA_", "EMK_", "STAFF"))}
    return {**clean, "PYTHONPATH": str(ROOT), "BOT_TOKEN": TOKEN, "BOT_API_URL": settings.BOT_API_URL,
            "DATA_DIR": str(settings.DATA_DIR), "DATABASE_URL": settings.DATABASE_URL, "LOG_LEVEL": "WARNING",
            **OPERATOR_ENV, **extra}


async def run_command(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`python -m bot ...` as the operator runs it, in its own process, while the test's bot goes on."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=Path(env["DATA_DIR"]).parent,  # no .env of ours there
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_backup_of_a_running_bot_restored_elsewhere_the_holder_goes_on(world: World, tmp_path: Path) -> None:
    anna = world.person()
    await at_step(world, anna, "doc_passport_main")
    await anna.send_file(SCAN, "p1.png", "image/png")
    assert "✅ Файл принят." in anna.said
    assert world.deps is not None
    profile = (await world.deps.profiles.list_for(anna.user.id))[0]
    [upload] = await world.deps.uploads.list_for(profile.id, "passport_main")
    stored = await world.deps.files.get(upload.storage_name)

    # The backup runs in its own process while the bot answers someone else.
    boris = world.person(user_id=5550002, first_name="Борис")
    backup_dir = tmp_path / "backups" / "today"
    (code, out, err), _ = await asyncio.gather(
        run_command(command_env(world), "backup", str(backup_dir)),
        boris.command("start"),
    )
    assert code == 0, err
    assert "1 stored files" in out and "keys: data.key, signing.key" in out
    assert "WARNING" in err and str(backup_dir / "keys") in err and "apart" in err
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["files"] == 1 and manifest["migration"]
    assert not (backup_dir / "emk.db-wal").exists()  # one self-contained file
    for path in backup_dir.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path  # owner-only, like the data folder

    # Restored into another, empty, folder with the keys, and a bot started there.
    elsewhere = World(api=world.api, data_dir=tmp_path / "restored" / "data")
    code, out, err = await run_command(command_env(elsewhere), "restore", str(backup_dir), "--with-keys")
    assert code == 0, err
    assert "keys restored: data.key, signing.key" in out
    code, out, err = await run_command(command_env(elsewhere), "check")
    assert code == 0, err
    assert out.startswith("OK: ") and "integrity ok" in out and "opens the data" in out
    await world.stop()
    await elsewhere.start()
    try:
        again = elsewhere.person()
        await again.press("Готово")  # the next step, answered where she was
        assert again.last == "Проверьте, пожалуйста: на сканах хорошо читаются подписи, печати и даты?"
        assert elsewhere.deps is not None
        [kept] = await elsewhere.deps.uploads.list_for(profile.id, "passport_main")
        assert kept.storage_name == upload.storage_name
        assert await elsewhere.deps.files.get(kept.storage_name) == stored  # the upload is still there
    finally:
        await elsewhere.stop()


async def test_restore_refuses_a_folder_that_is_not_empty_and_says_how_to_get_the_keys(
    world: World, tmp_path: Path
) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    backup_dir = tmp_path / "b"
    code, _, err = await run_command(command_env(world), "backup", str(backup_dir))
    assert code == 0, err
    code, _, err = await run_command(command_env(world), "backup", str(backup_dir))
    assert code == 2 and err.startswith(f"backup folder {backup_dir} is not an empty folder")

    code, _, err = await run_command(command_env(world), "restore", str(backup_dir))  # over the live data
    assert code == 2 and "already exists" in err and len(err.strip().splitlines()) == 1

    target = World(api=world.api, data_dir=tmp_path / "other")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("something")
    code, _, err = await run_command(command_env(target), "restore", str(backup_dir))
    assert code == 2 and err.startswith(f"DATA_DIR {tmp_path / 'other'} is not an empty folder")

    fresh = World(api=world.api, data_dir=tmp_path / "fresh")
    code, _, err = await run_command(command_env(fresh), "restore", str(backup_dir))  # no keys asked for
    assert code == 0 and "the keys were not restored" in err and "--with-keys" in err
    assert not (tmp_path / "fresh" / "data.key").exists()
    # Started like that, it refuses with the key check's line (check says the same).
    code, _, err = await run_command(command_env(fresh), "check")
    assert code == 2 and err.startswith("the data key file DATA_DIR/data.key") and "Traceback" not in err


async def test_check_reports_the_same_lines_as_start_up(world: World, tmp_path: Path) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    code, out, err = await run_command(command_env(world), "check")
    assert code == 0, err
    assert "operator: OOO Test Clinic" in out and "at migration" in out

    bad_policy = tmp_path / "policy.toml"
    bad_policy.write_text("[payment]\nprice = -5\n")
    env = command_env(world, POLICY_FILE=str(bad_policy), OPERATOR_ADDRESS="", EMK_DATA_KEY=KEY)
    code, out, err = await run_command(env, "check")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("OPERATOR_ADDRESS is missing")
    assert any(line.startswith(f"{bad_policy}: ") for line in lines)
    assert lines[-1].startswith("EMK_DATA_KEY does not match the data")
    assert "Traceback" not in err
    # The very lines start-up gives for each of them.
    with pytest.raises(StartupError, match=r"^OPERATOR_ADDRESS is missing"):
        require_operator(world.settings().model_copy(update={"OPERATOR_ADDRESS": None}))
    with pytest.raises(OperatorFileError) as caught:
        load_operator_files(bad_policy, None)
    assert str(caught.value) in lines


async def test_check_refuses_a_database_from_a_newer_version_and_a_damaged_one(world: World) -> None:
    await world.stop()
    database = world.data_dir / "emk.db"
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    code, _, err = await run_command(command_env(world), "check")
    assert code == 2 and err.startswith("the database is at migration 0099, which this version of the bot does not")
    with pytest.raises(DatabaseVersionError):  # start-up says the same, instead of Alembic's traceback
        await world.start()
    await world.stop()

    database.write_bytes(database.read_bytes()[:4096] + b"\0" * 8192)
    code, _, err = await run_command(command_env(world), "check")
    assert code == 2 and "Traceback" not in err, err


# --- errors reach the staff chat ----------------------------------------------------------------------------

STAFF_CHAT = -1009876543210


async def test_errors_reach_the_staff_chat_once_a_kind_an_hour(api: FakeBotAPI, tmp_path: Path, monkeypatch: Any
                                                               ) -> None:
    import handlers.common as common

    world = World(api=api, data_dir=tmp_path / "data", env={"STAFF_CHAT_ID": str(STAFF_CHAT)})
    await world.start()
    try:
        anna = world.person()
        await anna.command("start")
        await anna.press("Согласен")
        failure: list[Exception] = [RuntimeError("Иванова Анна, паспорт 4510 123456")]  # what a bug might carry

        def boom(*_a: object, **_k: object) -> None:
            raise failure[0]

        monkeypatch.setattr(common, "back_to_menu", boom)  # /help fails inside the handler, as a bug would

        async def error() -> str:
            with world.expect_errors():
                await anna.command("help")
            return anna.last.split("Код ошибки: ")[1].split(".")[0]

        def alerts() -> list[str]:
            return [plain(str(c.params["text"])) for c in world.api.calls
                    if c.method == "sendMessage" and str(c.params["chat_id"]) == str(STAFF_CHAT)]

        first = await error()
        await world.sweep()
        [alert] = alerts()
        assert "RuntimeError" in alert and first in alert
        assert "Иванова" not in alert and "4510" not in alert and "Анна" not in alert

        world.clock.advance(timedelta(minutes=59))
        await error()
        await error()
        await world.sweep()
        assert len(alerts()) == 1  # the same kind within the hour: counted, not sent

        failure[0] = KeyError("birth_date")
        other = await error()  # another kind is news
        await world.sweep()
        assert len(alerts()) == 2 and "KeyError" in alerts()[-1] and other in alerts()[-1]

        failure[0] = RuntimeError("again")
        world.clock.advance(timedelta(minutes=2))  # an hour and a minute after the first
        last = await error()
        await world.sweep()
        assert len(alerts()) == 3
        assert "RuntimeError" in alerts()[-1] and last in alerts()[-1] and ": 2." in alerts()[-1]  # the two held
    finally:
        await world.stop()
