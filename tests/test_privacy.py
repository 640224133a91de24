"""The holder's data rights through the bot (issue 15): «Мои данные» → download everything as a ZIP, erase it
(the raw database and the files folder keep nothing of the person's, another person's data is untouched,
an issued book's record stays where the policy says), withdrawing consent offers the erasure, and the daily
retention sweep with a fixed clock."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from domain.applicant import Draft, Passport, Relation
from storage.bookings import BookingRepository
from storage.crypto import DecryptionError, FieldCipher
from storage.keycheck import SEALED
from storage.tables import applications
from tests.harness import Person, World
from tests.test_book_bot import _issue
from tests.test_review import PHOTO, SCAN, SCAN2, exams_confirmed, submitted

ANNA_SECRETS = ["Иванова", "112-233-445 95", "7700000000000016", "ОВД Арбат", "ул. Ленина", "770-001",
                "7712345678901234"]
BOB_SCAN = SCAN2 + b"bob's own bytes"


async def anna_with_everything(world: World, anna: Person) -> None:
    """Anna as the bot knows her after using every feature: a sent application (profile, files, status history,
    notifications), confirmed exam results, an appointment, an added ELMK, an issued book."""
    deps = world.deps
    assert deps is not None
    await submitted(world, anna)
    await exams_confirmed(world, anna)
    profile = (await deps.profiles.list_for(anna.user.id))[0]
    booked = await BookingRepository(deps.engine, world.clock).take_seat(
        clinic_code="center", start=world.clock.now() + timedelta(days=2), seats=2, owner_id=anna.user.id,
        profile_id=profile.id)
    assert booked is not None
    elmk_file = await deps.uploads.add(owner_id=anna.user.id, profile_id=None, kind="elmk", sha256="f" * 64,
                                       detected_type="png", size=len(SCAN), storage_name=await deps.files.put(SCAN))
    await deps.services.elmk.elmk.add(owner_id=anna.user.id, number="7712345678901234", issued_on=date(2025, 1, 10),
                                      valid_until=date(2026, 12, 31), upload_id=elmk_file.id)
    await _issue(world, anna, child=False)
    await world.sweep()  # the notifications go out


async def bob_with_a_draft(world: World) -> Person:
    deps = world.deps
    assert deps is not None
    bob = world.person(user_id=5550002, first_name="Борис")
    await bob.command("start")
    await bob.press("Согласен")
    profile = await deps.profiles.create(bob.user.id, Relation.SELF)
    upload = await deps.uploads.add(owner_id=bob.user.id, profile_id=profile.id, kind="passport_main",
                                    sha256="b" * 64, detected_type="jpeg", size=len(BOB_SCAN),
                                    storage_name=await deps.files.put(BOB_SCAN))
    draft = Draft(relation=Relation.SELF, surname="Сидоренко", name="Борис", snils="987-654-321 00",
                  passport=Passport(series="7777", number="888999"))
    await deps.profiles.save(profile, draft, "passport_main")
    assert upload.id
    return bob


async def open_my_data(person: Person) -> None:
    await person.command("start")
    await person.press("🔐 Мои данные")
    assert person.last.startswith("🔐 Мои данные"), person.last


def sent_zip(world: World, person: Person) -> zipfile.ZipFile:
    calls = [c for c in world.api.calls_to("sendDocument") if str(c.params.get("chat_id")) == str(person.chat_id)]
    assert calls, "no archive was sent"
    (part, data), = calls[-1].files.items()  # aiogram names the part at random and attaches it by that name
    assert calls[-1].filenames[part] == "emk-my-data.zip"
    return zipfile.ZipFile(io.BytesIO(data))


async def test_export_holds_every_kind_of_record_and_the_files_byte_for_byte(world: World) -> None:
    anna = world.person()
    await anna_with_everything(world, anna)
    bob = await bob_with_a_draft(world)

    await open_my_data(anna)
    await anna.press("📦 Скачать мои данные")
    assert "не пересылайте его посторонним" in anna.last
    await anna.send("а что внутри?")  # anything but a button gets the hint, nothing is lost
    assert anna.last.startswith("Ответьте кнопкой под сообщением")
    await anna.press("Да, прислать архив")
    archive = sent_zip(world, anna)
    data = json.loads(archive.read("data.json"))

    assert data["format"] == "emk-export/1" and data["telegram_id"] == anna.user.id
    for section in ("account", "consent_history", "profiles", "applications", "status_history", "files",
                    "exam_results", "bookings", "books", "added_elmk", "notifications", "audit"):
        assert data[section], f"the export has no {section}"
    assert data["profiles"][0]["data"]["surname"] == "Иванова"  # decrypted
    assert data["profiles"][0]["data"]["passport"]["number"] == "123456"
    assert data["applications"][0]["number"] == "ЭМК-2026-000001"
    assert data["applications"][0]["snapshot"], "the signed snapshot, decrypted"
    assert data["status_history"][0]["to_status"] == "accepted"
    assert data["added_elmk"][0]["data"]["number"] == "7712345678901234"
    assert isinstance(data["books"][0]["content"], dict) and data["books"][0]["number"]
    assert data["consent_history"][0]["event"] == "given"
    assert {"kind", "status", "due_at", "sent_at", "created_at"} == set(data["notifications"][0])
    assert any(n["status"] == "sent" for n in data["notifications"])
    assert all("storage_name" not in f for f in data["files"])

    # every file the person sent, byte for byte, at the path its row names
    in_zip = {f["file"]: archive.read(f["file"]) for f in data["files"] if f["file"]}
    assert len(in_zip) == len(data["files"])
    for sent in (PHOTO, SCAN, SCAN2, SCAN + b"x"):
        assert sent in in_zip.values()
    # nothing of anyone else's
    text = archive.read("data.json").decode()
    assert "Сидоренко" not in text and str(bob.user.id) not in text
    assert BOB_SCAN not in in_zip.values()


async def test_export_too_large_for_telegram_is_refused_with_a_reason(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    assert world.deps is not None
    object.__setattr__(world.deps.services.privacy, "limit", 10)
    await anna.press("🔐 Мои данные")
    await anna.press("📦 Скачать мои данные")
    await anna.press("Да, прислать архив")
    assert "Telegram принимает от бота не больше 50 МБ" in anna.last
    assert not world.api.calls_to("sendDocument")


def raw_database(world: World) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(world.data_dir.glob("emk.db*")))


def plaintexts(world: World, cipher: FieldCipher) -> list[str]:
    """Every encrypted value left in the database, decrypted with the bot's key (rows kept by law apart)."""
    found = []
    with sqlite3.connect(world.data_dir / "emk.db") as conn:
        for sealed in SEALED:
            if sealed.table.name == "books":
                continue  # kept by law: checked on its own
            for key, value in conn.execute(f"SELECT {sealed.key}, {sealed.column} FROM {sealed.table.name}"):
                if value and not value.startswith("{"):
                    try:
                        found.append(cipher.decrypt(value, context=sealed.context, row=sealed.row(key)))
                    except DecryptionError:
                        pytest.fail(f"{sealed.table.name}: a value that does not decrypt")
    return found


def rows_naming(world: World, uid: int) -> dict[str, int]:
    """Tables with rows holding `uid` in any column."""
    found: dict[str, int] = {}
    with sqlite3.connect(world.data_dir / "emk.db") as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            where = " OR ".join(f'"{c}" = ? OR CAST("{c}" AS TEXT) LIKE ?' for c in columns)
            params: list[Any] = []
            for _ in columns:
                params += [uid, f"%:{uid}%"]
            count = conn.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', params).fetchone()[0]
            if count:
                found[table] = count
    return found


async def test_erase_leaves_nothing_of_the_person_and_keeps_the_others(world: World) -> None:
    anna = world.person()
    await anna_with_everything(world, anna)
    bob = await bob_with_a_draft(world)
    deps = world.deps
    assert deps is not None
    anna_files = {n for n in (await deps.services.privacy.personal.collect(anna.user.id)).files}
    anna_apps = await deps.applications.list_for(anna.user.id)
    anna_uploads = [u for f in anna_files if (u := await deps.uploads.get(f.upload_id)) is not None]
    bob_before = (await deps.profiles.list_for(bob.user.id))[0]

    await open_my_data(anna)
    await anna.press("🗑 Удалить мои данные")
    assert "Будет удалено безвозвратно:" in anna.last
    assert "— Анкеты и черновики: 1" in anna.last and "— Заявления: 1" in anna.last
    assert "— Файлы (фото и сканы): " in anna.last and "— Записи на осмотр: 1" in anna.last
    assert "запись о выданной ЭМК К-2026-000001 — до " in anna.last  # the policy keeps an issued book 10 years
    await world.restart()  # the confirmation survives a restart
    await anna.send("да")
    assert anna.last.startswith("Ответьте кнопкой под сообщением")
    await anna.press("Удалить безвозвратно")
    assert anna.last.startswith("✅ Ваши данные удалены"), anna.last
    assert world.deps is not None
    assert await world.deps.profiles.list_for(anna.user.id) == []

    cipher = world.deps.cipher
    raw = raw_database(world)  # while the bot runs: the database and its -wal
    assert (world.data_dir / "emk.db-wal").exists()
    plain_ids = [app.number for app in anna_apps] + [f.storage_name for f in anna_files]
    plain_ids += [u.sha256 for u in anna_uploads] + [u.telegram_file_id for u in anna_uploads if u.telegram_file_id]
    for secret in ANNA_SECRETS + plain_ids:
        assert secret.encode() not in raw, secret
    for text in plaintexts(world, cipher):
        for secret in ANNA_SECRETS:
            assert secret not in text, secret
    # The person's Telegram id stays only where the law and the erasure's own record need it.
    naming = rows_naming(world, anna.user.id)
    assert set(naming) <= {"users", "consent_events", "audit_log", "books"}, naming
    assert naming.get("books") == 1
    with sqlite3.connect(world.data_dir / "emk.db") as conn:
        audit = conn.execute("SELECT action, details FROM audit_log WHERE actor_id = ?", (anna.user.id,)).fetchall()
    assert ("privacy.erased", '{"kept": 1}') in audit
    assert all(details is None for action, details in audit if action != "privacy.erased")
    # Files: Anna's are gone from disk, Bob's are there and open.
    on_disk = {p.name for p in (world.data_dir / "files").iterdir()}
    assert not on_disk & {f.storage_name for f in anna_files}

    await world.restart()
    # A newcomer again: consent is asked, nothing is continued.
    await anna.command("start")
    assert "Согласен" in anna.buttons()
    await anna.press("Согласен")
    assert "Оформить ЭМК" in anna.buttons() and "Продолжить заполнение" not in anna.buttons()
    history = [e["event"] for e in await world.deps.users.consent_history(anna.user.id)]
    assert history == ["given", "withdrawn", "erased", "given"]

    bob_after = (await world.deps.profiles.list_for(bob.user.id))[0]
    assert bob_after.draft == bob_before.draft and bob_after.draft.surname == "Сидоренко"
    bob_uploads = await world.deps.uploads.list_for(bob_after.id)
    assert [await world.deps.files.get(u.storage_name) for u in bob_uploads] == [BOB_SCAN]


async def with_a_draft(world: World) -> Person:
    """Anna, who consented and began a draft, looking at «Мои данные»."""
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    assert world.deps is not None
    await world.deps.profiles.create(anna.user.id, Relation.SELF)
    await anna.press("🔐 Мои данные")
    return anna


async def test_withdrawing_consent_offers_the_erasure(world: World) -> None:
    anna = await with_a_draft(world)
    assert world.deps is not None
    assert "«Отозвать согласие» — я перестану принимать заявления" in anna.last  # the menu says what it does
    await anna.press("Отозвать согласие")
    assert anna.last.startswith("Согласие отозвано")
    assert "🗑 Удалить мои данные" in anna.buttons()
    user = await world.deps.users.get(anna.user.id)
    assert user is not None and not user.has_consent
    # Without consent, «My data» is still in the menu while something is kept
    await anna.press("В меню")
    assert "🔐 Мои данные" in anna.buttons() and "Дать согласие" in anna.buttons()
    # the consent's own «I do not agree» leads to the same menu, erasure included
    await anna.press("Дать согласие")
    await anna.press("Не согласен")
    assert "🔐 Мои данные" in anna.buttons()
    await anna.press("🔐 Мои данные")
    assert "Отозвать согласие" not in anna.buttons() and "«Отозвать согласие»" not in anna.last
    await anna.press("🗑 Удалить мои данные")
    await anna.press("Отмена")
    assert anna.last.startswith("Хорошо, ничего не меняю.")
    await anna.press("🔐 Мои данные")
    await anna.press("🗑 Удалить мои данные")
    await anna.press("Удалить безвозвратно")
    assert anna.last.startswith("✅ Ваши данные удалены")
    await anna.command("start")
    assert "🔐 Мои данные" not in anna.buttons()  # nothing left to show or erase


async def test_a_stale_confirmation_button_erases_nothing(world: World) -> None:
    anna = await with_a_draft(world)
    assert world.deps is not None
    await anna.press("🗑 Удалить мои данные")
    confirm = anna.last_message()
    await anna.press("Отмена")
    await anna.press_on(confirm, "Удалить безвозвратно")
    assert len(await world.deps.profiles.list_for(anna.user.id)) == 1


async def test_retention_sweep_erases_old_drafts_and_rejected_applications(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    deps = world.deps
    assert deps is not None
    anna = world.person()
    await submitted(world, anna)  # an application, to be rejected
    bob = await bob_with_a_draft(world)  # a draft never sent
    old_files = {u.storage_name for u in await deps.uploads.list_for((await deps.profiles.list_for(bob.user.id))[0].id)}
    async with deps.engine.begin() as conn:
        await conn.execute(update(applications).values(status="rejected", updated_at=world.clock.now()))

    world.clock.advance(timedelta(days=179))
    olga = world.person(user_id=5550003, first_name="Ольга")
    await olga.command("start")
    await olga.press("Согласен")
    await deps.profiles.create(olga.user.id, Relation.SELF)  # a fresh draft
    assert await deps.services.privacy.sweep() == (0, 0, 0)

    world.clock.advance(timedelta(days=2))  # Bob's draft is 181 days old
    with caplog.at_level(logging.INFO, logger="emk.privacy"):
        assert await deps.services.privacy.sweep() == (1, 0, 1)
    assert "retention sweep: erased 1 inactive drafts (1 files) and 0 rejected applications" in caplog.text
    assert await deps.profiles.list_for(bob.user.id) == []
    assert not old_files & {p.name for p in (world.data_dir / "files").iterdir()}
    assert len(await deps.profiles.list_for(olga.user.id)) == 1
    assert len(await deps.applications.list_for(anna.user.id)) == 1  # the profile of a sent application stays
    assert len(await deps.profiles.list_for(anna.user.id)) == 1

    world.clock.advance(timedelta(days=365 - 181 + 1))
    assert (await deps.services.privacy.sweep())[1] == 1
    assert await deps.applications.list_for(anna.user.id) == []
