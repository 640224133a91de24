"""Clinics and appointments through the bot: book, move, cancel, book again across restarts; the last seat
pressed by twenty people at once; reminders that follow the booking; staff's day list and «Не пришёл»; the
clinics file checked at start-up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.operator_files import OperatorFileError
from domain.applicant import Draft, Relation
from domain.clock import FixedClock
from storage.bookings import BookingRepository, BookingStatus
from storage.db import create_engine
from storage.migrate import migrate
from storage.outbox import OutboxStatus, outbox
from storage.tables import users
from tests.fakes.botapi import FakeBotAPI
from tests.harness import START, Person, World

# START is Wednesday 2026-11-25 09:00 UTC = 12:00 in Moscow: today's 10:00 and 11:00 are past.
CLINICS = """
[regions.moscow]
name_ru = "Москва"
name_en = "Moscow"
postal_prefixes = ["101"]
address_words = ["Москва"]

[regions.ural]
name_ru = "Урал"
name_en = "Ural"
postal_prefixes = ["62"]

[clinics.msk]
name = "Клиника Центр"
address = "101000, г. Москва, ул. Примерная, д. 1"
region = "moscow"
latitude = 55.75
longitude = 37.61
phone = "+7 495 000-00-01"
timezone = "Europe/Moscow"
licence = "L-1"
exams = ["therapist", "fluorography"]
slot_minutes = 60
seats = {seats}
closed_on_public_holidays = false

[clinics.msk.hours]
mon = ["10:00-12:00"]
tue = ["10:00-12:00"]
wed = ["10:00-12:00"]
thu = ["10:00-12:00"]
fri = ["10:00-12:00"]
sat = ["10:00-12:00"]
sun = ["10:00-12:00"]

[clinics.ekb]
name = "Клиника Урал"
address = "620014, г. Екатеринбург, ул. Малышева, д. 51"
region = "ural"
latitude = 56.83
longitude = 60.60
phone = "+7 343 000-00-03"
timezone = "Asia/Yekaterinburg"
licence = "L-2"
exams = ["therapist"]

[clinics.ekb.hours]
mon = ["08:00-09:00"]
"""

STAFF = 900001
TOMORROW_10 = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 10:00 Moscow


def clinics_file(folder: Path, seats: int = 2, text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "clinics.toml"
    path.write_text(text if text is not None else CLINICS.replace("{seats}", str(seats)), encoding="utf-8")
    return path


async def booking_world(api: FakeBotAPI, tmp_path: Path, seats: int = 2) -> World:
    world = World(api=api, data_dir=tmp_path / "data", env={"CLINICS_FILE": str(clinics_file(tmp_path, seats))})
    await world.start()
    return world


async def consented(world: World, user_id: int, *, moscow_profile: bool = False) -> Person:
    person = world.person(user_id=user_id)
    await person.command("start")
    await person.press("Согласен")
    if moscow_profile:
        assert world.deps is not None
        profile = await world.deps.profiles.create(user_id, Relation.SELF)
        draft = Draft(postal_index="101000", address="г. Москва, ул. Тестовая, д. 2", category="food")
        await world.deps.profiles.save(profile, draft, "summary")
    return person


async def to_confirm(person: Person, day: str = "26", time: str = "10:00") -> None:
    await person.press("🏥 Записаться на осмотр")
    if "Москва" in person.buttons():
        await person.press("Москва")
    await person.press("Клиника Центр")
    await person.press("📅 Выбрать дату")
    await person.press(day)
    await person.press(time)


async def rows(world: World) -> list[Any]:
    assert world.deps is not None
    async with world.deps.engine.connect() as conn:
        return list(await conn.execute(select(outbox).order_by(outbox.c.id)))


async def reminders(world: World) -> dict[str, tuple[str, datetime]]:
    return {r.dedup_key: (r.status, r.due_at) for r in await rows(world) if r.kind == "booking_reminder"}


async def test_book_move_cancel_and_book_again_across_restarts(api: FakeBotAPI, tmp_path: Path) -> None:
    world = await booking_world(api, tmp_path)
    try:
        anna = await consented(world, 5550001, moscow_profile=True)
        await anna.press("🏥 Записаться на осмотр")
        # the address tells the region: straight to Moscow's clinics that do the category's exams
        assert anna.last.startswith("Клиники: Москва")
        assert "Клиника Урал" not in anna.buttons()
        await anna.press("Клиника Центр")
        venues = [c for c in api.calls if c.method == "sendVenue"]
        assert venues and float(venues[-1].params["latitude"]) == 55.75
        assert "Лицензия: L-1" in anna.last and "терапевт" in anna.last
        await anna.press("📅 Выбрать дату")
        assert "Ноябрь 2026" in anna.buttons()
        assert "·25·" in anna.buttons(), "today's slots are past: not pressable"
        assert "← К клинике" in anna.buttons()  # its own label, not the book card's «← К карточке»
        await anna.press("▶")  # the horizon (14 days) reaches into December: a month at a time
        assert "Декабрь 2026" in anna.buttons() and "8" in anna.buttons() and "9" not in anna.buttons()
        await anna.press("◀")
        await anna.press("26")
        assert anna.buttons()[:2] == ["10:00", "11:00"]
        await world.restart()  # the conversation survives
        await anna.press("10:00")
        assert "чт, 26.11.2026, 10:00 (время клиники, Europe/Moscow)" in anna.last
        await anna.press("✅ Записаться")
        assert "Талон №" in anna.last and "паспорт, СНИЛС, полис ОМС" in anna.last
        assert "часовому поясу" not in anna.last  # the clinic's zone is the person's
        assert world.deps is not None
        (first,) = (await world.deps.services.booking.mine(anna.user.id)).upcoming
        assert first.start == TOMORROW_10
        assert await reminders(world) == {
            f"booking:{first.id}:day_before": ("pending", datetime(2026, 11, 25, 15, 0, tzinfo=UTC)),
            f"booking:{first.id}:hours_before": ("pending", datetime(2026, 11, 26, 5, 0, tzinfo=UTC)),
        }

        await world.restart()
        await anna.press("Перенести")
        await anna.press("27")
        await anna.press("11:00")
        assert f"Перенести запись № {first.number}" in anna.said
        # until confirmed, the old booking holds its seat
        assert (await world.deps.services.booking.mine(anna.user.id)).upcoming == [first]
        await anna.press("✅ Перенести на это время")
        assert f"Прежняя запись № {first.number} отменена" in anna.last
        (moved,) = (await world.deps.services.booking.mine(anna.user.id)).upcoming
        assert moved.start == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
        old = await world.deps.services.booking.get(first.id)
        assert old is not None and old.status is BookingStatus.SUPERSEDED and old.replaced_by == moved.id
        marks = await reminders(world)
        assert marks[f"booking:{first.id}:day_before"][0] == "skipped"
        assert marks[f"booking:{first.id}:hours_before"][0] == "skipped"
        assert marks[f"booking:{moved.id}:day_before"] == ("pending", datetime(2026, 11, 26, 15, 0, tzinfo=UTC))

        await world.restart()
        await anna.press("Отменить")
        assert anna.buttons() == ["Да, отменить запись", "Нет, оставить"]
        await anna.press("Да, отменить запись")
        assert "отменена, время освобождено" in anna.last
        assert all(status == "skipped" for status, _ in (await reminders(world)).values())
        assert (await world.deps.services.booking.mine(anna.user.id)).upcoming == []

        await world.restart()
        await anna.press("🏥 Записаться на осмотр")
        await anna.press("Клиника Центр")
        await anna.press("📅 Выбрать дату")
        await anna.press("27")
        await anna.press("11:00")  # the seat the cancel freed
        await anna.press("✅ Записаться")
        assert "Талон №" in anna.last
        await anna.press("В меню")
        await anna.press("🗓 Мои записи")
        assert "Предстоящие:" in anna.last and "отменена" in anna.last
    finally:
        await world.stop()


async def test_menu_has_no_booking_without_a_clinics_file(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    assert "🏥 Записаться на осмотр" not in anna.buttons()


async def test_another_zone_is_said_and_the_region_is_asked(api: FakeBotAPI, tmp_path: Path) -> None:
    world = await booking_world(api, tmp_path)
    try:
        anna = await consented(world, 5550002)
        await anna.press("🏥 Записаться на осмотр")
        assert anna.buttons() == ["Москва", "Урал", "Отмена"]
        await anna.send("просто текст")
        assert anna.last == world.deps.translator.get("ru", "hint-booking-region")  # type: ignore[union-attr]
        await anna.press("Урал")
        await anna.press("Клиника Урал")
        await anna.press("📅 Выбрать дату")
        await anna.press("30")  # Monday
        await anna.press("08:00")
        assert "Asia/Yekaterinburg" in anna.last and "у вас сейчас Europe/Moscow" in anna.last
        await anna.press("Отмена")
        assert anna.last.startswith("Главное меню")
    finally:
        await world.stop()


async def test_twenty_people_press_the_last_free_seat_at_once(api: FakeBotAPI, tmp_path: Path) -> None:
    for attempt in range(3):  # a fresh database each time
        world = await booking_world(api, tmp_path / f"run{attempt}", seats=2)
        try:
            people = [await consented(world, 6000000 + 100 * attempt + i) for i in range(20)]
            for person in people:
                await to_confirm(person, time="11:00")
                assert "✅ Записаться" in person.buttons()
            await asyncio.gather(*(p.press("✅ Записаться") for p in people))
            won = [p for p in people if any("Талон №" in r for r in p.replies)]
            lost = [p for p in people if p not in won]
            assert len(won) == 2
            for person in lost:
                assert "Это время только что заняли" in person.last
                assert "11:00" not in person.buttons() and "10:00" in person.buttons()
            assert world.deps is not None
            held = await world.deps.services.booking.of_day("msk", TOMORROW_10.date())
            assert sorted(b.seat for b in held) == [1, 2]
        finally:
            await world.stop()


async def test_two_processes_never_overbook_one_database(tmp_path: Path) -> None:
    for attempt in range(3):
        path = tmp_path / f"race{attempt}.db"
        url = f"sqlite+aiosqlite:///{path}"
        setup = create_engine(url)
        await migrate(setup)
        async with setup.begin() as conn:
            for user in range(20):
                await conn.write(users.insert().values(telegram_id=user + 1, created_at=START, updated_at=START))
        await setup.dispose()
        engines = [create_engine(url), create_engine(url)]
        repos = [BookingRepository(e, FixedClock(START)) for e in engines]
        try:
            results = await asyncio.gather(*(
                repos[user % 2].take_seat(clinic_code="msk", start=TOMORROW_10, seats=3, owner_id=user + 1,
                                          profile_id=None)
                for user in range(20)
            ))
            booked = [r for r in results if r is not None]
            assert sorted(b.seat for b in booked) == [1, 2, 3]
            assert await repos[0].taken("msk", START, START + timedelta(days=2)) == {TOMORROW_10: 3}
        finally:
            for engine in engines:
                await engine.dispose()


async def test_reminders_are_sent_once_with_buttons_even_over_a_restart(api: FakeBotAPI, tmp_path: Path) -> None:
    world = await booking_world(api, tmp_path)
    try:
        anna = await consented(world, 5550003)
        await to_confirm(anna)
        await anna.press("✅ Записаться")
        assert await world.sweep() == 0  # nothing due yet
        world.clock.set(datetime(2026, 11, 25, 15, 0, 1, tzinfo=UTC))
        assert await world.sweep() == 1
        pushed = anna.last_message()
        assert "Напоминаем: завтра осмотр." in pushed["text"]
        assert [b["text"] for row in pushed["reply_markup"]["inline_keyboard"] for b in row] == [
            "Перенести", "Отменить"]
        await world.restart()
        assert await world.sweep() == 0  # sent is never sent again
        world.clock.set(datetime(2026, 11, 26, 5, 0, 1, tzinfo=UTC))
        await world.restart()
        assert await world.sweep() == 1  # the second one, not lost over the restart
        assert "скоро осмотр" in anna.last_message()["text"]
        assert await world.sweep() == 0
        sent = [r for r in await rows(world) if r.kind == "booking_reminder"]
        assert [r.status for r in sent] == [OutboxStatus.SENT.value, OutboxStatus.SENT.value]
    finally:
        await world.stop()


async def test_staff_list_a_day_and_mark_a_no_show(api: FakeBotAPI, tmp_path: Path) -> None:
    world = await booking_world(api, tmp_path)
    try:
        anna = await consented(world, 5550004)
        await to_confirm(anna)
        await anna.press("✅ Записаться")
        staff = world.person(user_id=STAFF, first_name="Ольга")
        await staff.command("bookings")
        assert staff.last == "Записи на дату: выберите клинику."
        await staff.press("Клиника Центр")
        await staff.press("26.11.2026")
        assert "записей: 1" in staff.last and "10:00 · место 1" in staff.last
        assert not any(b.startswith("Не пришёл") for b in staff.buttons())  # not before its time
        world.clock.set(TOMORROW_10 + timedelta(minutes=20))
        await staff.press("← Даты")
        await staff.press("26.11.2026")
        await staff.press(next(b for b in staff.buttons() if b.startswith("Не пришёл")))
        assert "не пришёл" in staff.last
        assert world.deps is not None
        (held,) = await world.deps.services.booking.of_day("msk", TOMORROW_10.date())
        assert held.status is BookingStatus.NO_SHOW  # recorded; the seat stays held
        stranger = await consented(world, 5550005)
        await stranger.command("bookings")
        assert "Записи на дату" not in stranger.said
    finally:
        await world.stop()


async def test_a_booking_the_changed_file_no_longer_fits_is_listed_for_staff(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    world = await booking_world(api, tmp_path)
    try:
        anna = await consented(world, 5550006)
        await to_confirm(anna)
        await anna.press("✅ Записаться")
        await world.stop()
        clinics_file(tmp_path, text=CLINICS.replace("{seats}", "2").replace('"10:00-12:00"', '"11:00-12:00"'))
        for _ in range(2):  # twice: staff are told once
            await world.start()
            await world.run_startup()
            await world.stop()
        await world.start()
        notices = [r for r in await rows(world) if r.kind == "booking_misfit"]
        assert [r.chat_id for r in notices] == [900001, 900002]
        await world.sweep()
        text = api.last_message_sent_to(900001)
        assert text is not None and "больше не подходит" in text["text"] and "вне часов работы" in text["text"]
        assert world.deps is not None
        (kept,) = (await world.deps.services.booking.mine(anna.user.id)).upcoming  # never moved
        assert kept.start == TOMORROW_10
    finally:
        await world.stop()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('exams = ["therapist"]', 'exams = ["astrology"]'), "clinics.ekb.exams"),
        (('mon = ["08:00-09:00"]', 'mon = ["08:00-25:00"]'), "clinics.ekb.hours.mon"),
        (('licence = "L-2"\n', ""), "clinics.ekb.licence"),
    ],
)
async def test_a_wrong_clinics_file_stops_the_start_naming_file_and_key(
    api: FakeBotAPI, tmp_path: Path, change: tuple[str, str], named: str
) -> None:
    path = clinics_file(tmp_path, text=CLINICS.replace("{seats}", "2").replace(*change))
    world = World(api=api, data_dir=tmp_path / "data", env={"CLINICS_FILE": str(path)})
    with pytest.raises(OperatorFileError) as failure:
        await world.start()
    assert str(path) in str(failure.value) and named in str(failure.value)


async def test_after_sending_the_application_booking_is_offered(api: FakeBotAPI, tmp_path: Path) -> None:
    from tests.test_review import ready_to_submit

    world = await booking_world(api, tmp_path)
    try:
        anna = world.person()
        await ready_to_submit(world, anna)
        await anna.press("✍️ Подписать и отправить")
        await anna.press("Подписать и отправить")
        assert anna.buttons()[0] == "🏥 Записаться на осмотр"
        await anna.press("🏥 Записаться на осмотр")
        assert anna.last.startswith("Клиники: Москва")  # told by the word «Москва» in the address
    finally:
        await world.stop()


async def test_the_database_itself_refuses_a_second_holder_of_a_seat(tmp_path: Path) -> None:
    """The guarantee is the partial unique index, not the code that reads free seats first."""
    from sqlalchemy.exc import IntegrityError

    from storage.tables import bookings

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'seat.db'}")
    await migrate(engine)
    row = {"clinic_code": "msk", "slot_start": TOMORROW_10, "seat": 1, "owner_id": 1, "created_at": START}
    try:
        async with engine.begin() as conn:
            await conn.write(users.insert().values(telegram_id=1, created_at=START, updated_at=START))
            await conn.write(bookings.insert().values(number="A", status="cancelled", **row))
            await conn.write(bookings.insert().values(number="B", status="active", **row))
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(bookings.insert().values(number="C", status="no_show", **row))
        repo = BookingRepository(engine, FixedClock(START))
        second = await repo.take_seat(clinic_code="msk", start=TOMORROW_10, seats=2, owner_id=1, profile_id=None)
        assert second is not None and second.seat == 2
        assert await repo.take_seat(clinic_code="msk", start=TOMORROW_10, seats=2, owner_id=1, profile_id=None) is None
    finally:
        await engine.dispose()


async def world_with_policy(api: FakeBotAPI, tmp_path: Path, changes: dict[str, str]) -> World:
    """A booking world whose policy is the shipped example with `changes` (line → line) made."""
    from bot.operator_files import EXAMPLE_POLICY_PATH

    text = EXAMPLE_POLICY_PATH.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    policy = tmp_path / "policy.toml"
    policy.write_text(text, encoding="utf-8")
    world = World(api=api, data_dir=tmp_path / "data",
                  env={"CLINICS_FILE": str(clinics_file(tmp_path)), "POLICY_FILE": str(policy)})
    await world.start()
    return world


async def test_the_talon_asks_for_the_referral_where_the_policy_says_so(api: FakeBotAPI, tmp_path: Path) -> None:
    world = await world_with_policy(api, tmp_path, {"referral_required = false": "referral_required = true"})
    try:
        anna = await consented(world, 5550001, moscow_profile=True)
        await to_confirm(anna)
        await anna.press("✅ Записаться")
        assert "Возьмите с собой: паспорт, СНИЛС, полис ОМС, направление от работодателя." in anna.last
    finally:
        await world.stop()
    plain_world = await booking_world(api, tmp_path / "plain")
    try:
        boris = await consented(plain_world, 5550002, moscow_profile=True)
        await to_confirm(boris)
        await boris.press("✅ Записаться")
        assert "Возьмите с собой: паспорт, СНИЛС, полис ОМС." in boris.last
    finally:
        await plain_world.stop()


async def test_the_appointment_reminders_follow_the_policy(api: FakeBotAPI, tmp_path: Path) -> None:
    world = await world_with_policy(api, tmp_path, {
        "appointment_day_before_hour = 18": "appointment_day_before_hour = 20",
        "appointment_hours_before = 2": "appointment_hours_before = 3",
    })
    try:
        anna = await consented(world, 5550001, moscow_profile=True)
        await to_confirm(anna)
        await anna.press("✅ Записаться")
        assert world.deps is not None
        (booked,) = (await world.deps.services.booking.mine(anna.user.id)).upcoming
        assert booked.start == TOMORROW_10
        assert await reminders(world) == {  # 20:00 the evening before and 07:00, Moscow time
            f"booking:{booked.id}:day_before": ("pending", datetime(2026, 11, 25, 17, 0, tzinfo=UTC)),
            f"booking:{booked.id}:hours_before": ("pending", datetime(2026, 11, 26, 4, 0, tzinfo=UTC)),
        }
    finally:
        await world.stop()
