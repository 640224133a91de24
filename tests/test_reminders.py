"""Reminders through the real sweeper and the fake Bot API, with a fixed clock moved hour by hour over a year:
exactly the expected reminders at the expected local times, none in quiet hours, none twice, none for a
switched-off kind, none after the book is superseded (as a renewal does) or revoked; «Настройки уведомлений»
as a person uses it; and a kill between claim and send, and between send and mark."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from domain.book import Entry, EntryKind
from domain.reminders import ReminderKind
from services.book import Holder, IssuedBook
from storage.books import books
from storage.db import transaction
from storage.outbox import OutboxStatus, outbox
from tests.harness import Person, World, plain

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
MOSCOW = ZoneInfo("Europe/Moscow")


def _entry(code: str, kind: EntryKind, until: date | None, title_key: str | None = None) -> Entry:
    return Entry(code, kind, date(2026, 11, 1), "годен", "ГП № 5", until, title_key=title_key, title=code)


async def _issue(world: World, person: Person, entries: list[Entry]) -> IssuedBook:
    assert world.deps is not None
    holder = Holder(person.user.id, None, "Иванова", "Анна", None, date(1990, 2, 1))
    return await world.deps.services.book.issue(holder, entries, [e.code for e in entries])


async def _consent(person: Person) -> None:
    await person.command("start")
    await person.press("Согласен")


def _reminders_to(world: World, person: Person, since: int) -> list[dict]:
    """Reminder messages (they carry the settings button) sent to `person` after call number `since`."""
    found = []
    for call in world.api.calls[since:]:
        if call.method != "sendMessage" or str(call.params.get("chat_id")) != str(person.chat_id):
            continue
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
        labels = [b["text"] for row in rows for b in row]
        if "Настройки уведомлений" in labels:
            found.append({"text": plain(str(call.params["text"])), "buttons": labels})
    return found


async def _next_due(world: World) -> datetime | None:
    assert world.deps is not None
    async with transaction(world.deps.engine) as conn:
        return (await conn.execute(select(func.min(outbox.c.due_at)).where(
            outbox.c.status == OutboxStatus.PENDING.value))).scalar()  # type: ignore[no-any-return]


async def _live_year(world: World, people: list[Person], until: datetime, log: list[tuple[datetime, int, dict]],
                     events: dict[datetime, object]) -> None:
    """Sweep on every hour, as the scheduler would (every few seconds), and run `events` at their hour. Hours
    with nothing due and no event are skipped (a sweep there claims nothing: the claim takes due rows only)."""
    while world.clock.now() < until:
        action = events.pop(world.clock.now(), None)
        if action is not None:
            await action()  # type: ignore[operator]
        mark = len(world.api.calls)
        while await world.sweep():
            pass
        for person in people:
            for message in _reminders_to(world, person, mark):
                log.append((world.clock.now(), person.user.id, message))
        nearest = min([until, *events, *([due] if (due := await _next_due(world)) else [])])
        hour = world.clock.now() + timedelta(hours=1)
        if nearest > hour:  # the first whole hour at or after it
            hour = nearest.replace(minute=0, second=0, microsecond=0)
            hour += timedelta(hours=1) if hour < nearest else timedelta(0)
        world.clock.set(hour)


async def test_a_year_of_reminders_for_two_holders(world: World) -> None:
    world.clock.set(datetime(2026, 11, 25, 0, 0, tzinfo=UTC))
    anna, boris = world.person(5550001), world.person(5550002, "Борис")
    await _consent(anna)
    await _consent(boris)

    # Anna: Vladivostok, quiet hours typed as 08:00-11:30 (after a mistake), vaccinations switched off.
    await anna.command("start")
    await anna.press("🔔 Настройки уведомлений")
    assert "Статусы заявлений и запросы документов приходят всегда" in anna.last
    assert "✅ Статусы заявлений · всегда" in anna.buttons() and "✅ Прививки" in anna.buttons()
    await anna.press("✅ Статусы заявлений · всегда")  # cannot be switched off: an alert, nothing changes
    await anna.press("✅ Прививки")
    assert "❌ Прививки" in anna.buttons()
    await anna.press("Часовой пояс: Москва (МСК)")
    await anna.press("Владивосток (МСК+7)")
    assert "Часовой пояс: Владивосток (МСК+7)" in anna.last
    await anna.press("Тихие часы: 21:00–09:00")
    await anna.press("Ввести своё")
    await anna.send("25:00-7")
    assert "Не получилось прочитать время" in anna.last
    await anna.send("08:00-11:30")
    assert "Тихие часы: 08:00–11:30" in anna.last

    book_a = await _issue(world, anna, [
        _entry("therapist", EntryKind.DOCTOR, date(2027, 3, 1), "exam-therapist"),
        _entry("syphilis", EntryKind.TEST, date(2027, 3, 1)),
        _entry("attestation", EntryKind.ATTESTATION, date(2027, 9, 15)),
        _entry("hepatitis_a", EntryKind.VACCINATION, date(2027, 5, 1)),  # switched off: never reminded
        _entry("measles", EntryKind.VACCINATION, None),  # no term: never reminded
    ])
    book_c = await _issue(world, boris, [_entry("therapist", EntryKind.DOCTOR, date(2027, 4, 1), "exam-therapist")])

    async def renew_anna() -> None:  # what the renewal does: the old book superseded as the new one is issued
        assert world.deps is not None
        async with transaction(world.deps.engine) as conn:
            await conn.execute(update(books).where(books.c.id == book_a.id).values(status="superseded"))
            await _issue(world, anna, [_entry("therapist", EntryKind.DOCTOR, date(2027, 11, 1), "exam-therapist")])

    async def revoke_boris() -> None:
        assert world.deps is not None
        await world.deps.services.book.revoke(book_c.id, "ошибка в данных")

    async def restart() -> None:
        await world.restart()

    events = {
        datetime(2027, 2, 15, 3, 0, tzinfo=UTC): revoke_boris,
        datetime(2027, 6, 1, 5, 0, tzinfo=UTC): restart,
        datetime(2027, 8, 20, 2, 0, tzinfo=UTC): renew_anna,
    }
    log: list[tuple[datetime, int, dict]] = []
    await _live_year(world, [anna, boris], datetime(2027, 11, 25, 0, 0, tzinfo=UTC), log, events)

    sent_anna = [(at.astimezone(VLADIVOSTOK), m) for at, who, m in log if who == anna.user.id]
    sent_boris = [(at.astimezone(MOSCOW), m) for at, who, m in log if who == boris.user.id]
    # Anna: 11:30 Vladivostok (the end of her quiet hours), each offset once; the exam items grouped
    expected_anna = [date(2026, 12, 31), date(2027, 1, 30), date(2027, 2, 22), date(2027, 2, 28), date(2027, 3, 1),
                     date(2027, 7, 17), date(2027, 8, 16),  # attestation 60 and 30 days before 15.09
                     # 20.08: superseded; the new book's exam (01.11.2027)
                     date(2027, 9, 2), date(2027, 10, 2), date(2027, 10, 25), date(2027, 10, 31), date(2027, 11, 1)]
    assert [at.date() for at, _ in sent_anna] == expected_anna
    assert {(at.hour, at.minute) for at, _ in sent_anna} == {(12, 0)}  # the first hourly sweep after 11:30
    first = sent_anna[0][1]
    assert "через 60 дней, 01.03.2027" in first["text"] and "Терапевт" in first["text"] and "syphilis" in first["text"]
    assert first["buttons"] == ["Загрузить результат", "Настройки уведомлений"]  # no clinics file: no booking
    assert "сегодня, 01.03.2027" in sent_anna[4][1]["text"]
    assert "аттестации" in sent_anna[5][1]["text"]
    assert not any("прививки" in m["text"] for _, m in sent_anna)
    # Boris: 10:00 Moscow; revoked on 15.02, so only the 60-day one (31.01) of his 01.04 exam
    assert [(at.date(), at.hour) for at, _ in sent_boris] == [(date(2027, 1, 31), 10)]

    assert world.deps is not None
    async with transaction(world.deps.engine) as conn:
        rows = (await conn.execute(select(outbox.c.dedup_key, outbox.c.status, outbox.c.due_at, outbox.c.user_id)
                                   .where(outbox.c.kind == "reminder"))).all()
    sent_keys = [key for key, status, _, _ in rows if status == OutboxStatus.SENT.value]
    due_anna = {due.astimezone(VLADIVOSTOK).time() for _, status, due, who in rows
                if who == anna.user.id and status == OutboxStatus.SENT.value}
    assert due_anna == {time(11, 30)}  # planned at 10:00, moved to the end of her quiet hours
    assert len(sent_keys) == len(log) and len(set(sent_keys)) == len(sent_keys)  # none twice
    pending = [(key, due) for key, status, due, _ in rows if status == OutboxStatus.PENDING.value]
    assert all(":book:" in key and due.year >= 2031 for key, due in pending)  # only the new book's own validity
    assert len(pending) == 5
    assert not [k for k in sent_keys if "vaccination" in k]


async def test_a_reminder_due_in_quiet_hours_after_a_zone_change_waits_until_they_end(world: World) -> None:
    """A row due at 10:00 Moscow whose holder moved to Kamchatka meanwhile (and the replan has not run for it)
    is deferred to 09:00 Kamchatka, not counted as a failed attempt."""
    world.clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    anna = world.person()
    await _consent(anna)
    await _issue(world, anna, [_entry("therapist", EntryKind.DOCTOR, date(2026, 12, 8), "exam-therapist")])
    assert world.deps is not None
    reminders = world.deps.services.reminders
    # the 7-day reminder is due today at 10:00 Moscow (07:00 UTC); move the clock there
    world.clock.set(datetime(2026, 12, 1, 7, 0, 1, tzinfo=UTC))
    await reminders.repo.save(anna.user.id, (await reminders.stored(anna.user.id)).__class__(
        zone="Asia/Kamchatka"))  # 19:00 in Kamchatka: in the default quiet hours; saved without a replan
    world.clock.set(datetime(2026, 12, 1, 10, 0, 1, tzinfo=UTC))  # 22:00 Kamchatka
    mark = len(world.api.calls)
    await world.sweep()
    assert _reminders_to(world, anna, mark) == []
    async with transaction(world.deps.engine) as conn:
        row = (await conn.execute(select(outbox).where(outbox.c.dedup_key.like("rem:%:exam:%:7")))).one()._mapping
    assert row["status"] == "pending" and row["attempts"] == 0
    assert row["due_at"] == datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # 09:00 on 2 December in Kamchatka
    world.clock.set(datetime(2026, 12, 1, 21, 0, 1, tzinfo=UTC))
    await world.sweep()
    assert len(_reminders_to(world, anna, mark)) == 1


async def _exam_in_a_week(world: World) -> Person:
    """A holder whose exam runs out on 8 December; the clock at 1 December 09:00 Moscow, the card delivered."""
    anna = world.person()
    await _consent(anna)
    world.clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    await _issue(world, anna, [_entry("therapist", EntryKind.DOCTOR, date(2026, 12, 8), "exam-therapist")])
    await world.sweep()  # the book's card
    return anna


async def test_a_kill_between_claim_and_send_loses_nothing(world: World) -> None:
    anna = await _exam_in_a_week(world)
    assert world.deps is not None
    world.clock.set(datetime(2026, 12, 1, 7, 0, 1, tzinfo=UTC))
    claimed = await world.deps.outbox.claim_due(10, timedelta(minutes=10))  # the process dies right after
    assert [r.kind for r in claimed] == ["reminder"]
    await world.restart()
    mark = len(world.api.calls)
    assert await world.sweep() == 0  # still claimed by the dead process: its lease runs
    world.clock.advance(timedelta(minutes=11))
    assert await world.sweep() == 1
    assert await world.sweep() == 0
    assert len(_reminders_to(world, anna, mark)) == 1


async def test_a_kill_between_send_and_mark_sends_at_most_one_duplicate(world: World) -> None:
    anna = await _exam_in_a_week(world)
    assert world.deps is not None
    world.clock.set(datetime(2026, 12, 1, 7, 0, 1, tzinfo=UTC))
    mark = len(world.api.calls)
    claimed = await world.deps.outbox.claim_due(10, timedelta(minutes=10))
    result = await world.deps.deliveries.deliver(claimed[0])  # Telegram accepted it; the process dies now
    assert result.ok
    await world.restart()
    world.clock.advance(timedelta(minutes=11))
    assert await world.sweep() == 1  # Telegram gives no way to know it arrived: sent again, once
    for _ in range(3):
        world.clock.advance(timedelta(hours=1))
        assert await world.sweep() == 0
    assert len(_reminders_to(world, anna, mark)) == 2
    row = await world.deps.outbox.get(claimed[0].id)
    assert row is not None and row.status is OutboxStatus.SENT


async def test_a_holder_who_blocked_the_bot_is_skipped(world: World) -> None:
    anna = await _exam_in_a_week(world)
    world.api.block_chat(anna.chat_id)
    world.clock.set(datetime(2026, 12, 1, 7, 0, 1, tzinfo=UTC))
    assert await world.sweep() == 1
    world.clock.set(datetime(2026, 12, 7, 7, 0, 1, tzinfo=UTC))
    mark = len(world.api.calls)
    assert await world.sweep() == 1  # known blocked: Telegram is not even asked
    assert world.api.calls[mark:] == []
    assert world.deps is not None
    async with transaction(world.deps.engine) as conn:
        statuses = [r[0] for r in (await conn.execute(select(outbox.c.status).where(outbox.c.kind == "reminder")))]
    assert statuses.count("skipped") == 2


async def test_the_english_reminder_and_the_renew_button(world: World) -> None:
    john = world.person(5550003, "John", "en")
    await john.command("start")
    await john.press("I agree")  # never chose a language: pushes speak the one Telegram reported
    world.clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    assert world.deps is not None
    holder = Holder(john.user.id, None, "Smith", "John", None, date(1990, 2, 1))
    issued = await world.deps.services.book.issue(holder, [], [])  # no entry with a term: the book's own only
    planned = await world.deps.services.reminders.planned(john.user.id)
    assert [(p.kind.value, p.ends_on) for p in planned][:1] == [("book", date(2031, 11, 30))]
    world.clock.set(planned[0].due_at + timedelta(seconds=1))
    mark = len(world.api.calls)
    while await world.sweep():
        pass
    sent = [c for c in world.api.calls[mark:] if c.method == "sendMessage"]
    assert len(sent) == 1
    text = plain(str(sent[0].params["text"]))
    assert "stops being valid in 60 days, 2031-11-30" in text
    markup = sent[0].params["reply_markup"]["inline_keyboard"]
    assert [b["text"] for row in markup for b in row] == ["Renew", "Notification settings"]
    assert markup[0][0]["callback_data"] == f"rn:start:{issued.id}"  # the renewal flow's own button


async def test_a_nudge_waits_out_quiet_hours_and_is_dropped_once_the_application_moved_on(world: World) -> None:
    """The 48-hour nudge goes only while the organisation is the one to act: one that falls in the holder's
    quiet hours waits for their end; if staff acted meanwhile it is not sent at all."""
    from domain.status import Actor, Status
    from tests.test_review import submitted

    anna = world.person()
    await submitted(world, anna)
    assert world.deps is not None
    apps = world.deps.services.applications

    def nudges() -> list:
        return [c for c in world.api.calls if "дольше обычного" in str(c.params.get("text"))]

    world.clock.set(datetime(2026, 11, 27, 19, 0, tzinfo=UTC))  # 22:00 Moscow: quiet
    assert await apps.scan_stuck() == 1
    await world.sweep()
    assert nudges() == []
    world.clock.set(datetime(2026, 11, 28, 6, 0, 1, tzinfo=UTC))  # 09:00 Moscow: it goes
    await world.sweep()
    assert len(nudges()) == 1

    app = (await apps.applications.list_for(anna.user.id))[0]
    moved = await apps.change_status(app.id, seen_version=app.version, target=Status.IN_REVIEW, actor=Actor.STAFF,
                                     actor_id=900001, audit="staff.take")
    assert not hasattr(moved, "reason")
    world.clock.set(datetime(2026, 11, 30, 19, 0, tzinfo=UTC))  # 48 h in review, 22:00 Moscow
    assert await apps.scan_stuck() == 1
    await world.sweep()
    app = (await apps.applications.list_for(anna.user.id))[0]
    await apps.change_status(app.id, seen_version=app.version, target=Status.NEEDS_DOCUMENTS, actor=Actor.STAFF,
                             actor_id=900001, audit="staff.request", comment="Нужен штамп",
                             requested=("passport_registration",))
    world.clock.set(datetime(2026, 12, 1, 6, 0, 1, tzinfo=UTC))  # 09:00: the citizen is now the one asked
    await world.sweep()
    assert len(nudges()) == 1


async def test_settings_kinds_zone_and_quiet_hours_through_the_menu(world: World) -> None:
    anna = world.person()
    await _consent(anna)
    await anna.command("start")
    await anna.press("🔔 Настройки уведомлений")
    await anna.press("✅ Долгое рассмотрение заявления")
    await anna.press("✅ Запись на осмотр")
    assert {"❌ Долгое рассмотрение заявления", "❌ Запись на осмотр"} <= set(anna.buttons())
    await anna.press("Часовой пояс: Москва (МСК)")
    await anna.press("Ввести своё")
    await anna.send_update(anna.updates.sticker(anna.user))  # anything but text: the state's hint
    assert "жду название часового пояса" in anna.last
    await anna.send("Mars/Olympus")
    assert "Такого часового пояса нет" in anna.last
    await anna.send("asia/novosibirsk")
    assert "Часовой пояс: Новосибирск (МСК+4)" in anna.last
    await anna.press("Тихие часы: 21:00–09:00")
    await anna.press("Без тихих часов")
    assert "Тихие часы: Без тихих часов" in anna.last
    assert world.deps is not None
    for kind in (ReminderKind.STUCK, ReminderKind.APPOINTMENT):
        assert (await world.deps.services.reminders.hold(anna.user.id, kind)).skip


async def test_an_added_elmk_is_reminded_of_until_its_exam_runs_out(world: World) -> None:
    anna = world.person()
    await _consent(anna)
    world.clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    assert world.deps is not None
    added = await world.deps.services.elmk.elmk.add(owner_id=anna.user.id, number="86-01-027970-25",
                                                    issued_on=date(2026, 1, 10), valid_until=date(2027, 1, 10),
                                                    upload_id=None)  # type: ignore[arg-type]
    await world.deps.services.reminders.replan(anna.user.id)  # as adding it through the bot does
    planned = await world.deps.services.reminders.planned(anna.user.id)
    assert [(p.subject, p.offset) for p in planned] == [(f"elmk:{added.id}", d) for d in (30, 7, 1, 0)]
    world.clock.set(planned[0].due_at + timedelta(seconds=1))
    mark = len(world.api.calls)
    assert await world.sweep() == 1
    [message] = _reminders_to(world, anna, mark)
    assert "По вашей ЭЛМК 86-01-027970-25 срок осмотра заканчивается через 30 дней, 10.01.2027" in message["text"]
    assert message["buttons"] == ["Загрузить результат", "Настройки уведомлений"]


async def test_a_newer_confirmed_exam_moves_the_reminders_to_its_term(world: World) -> None:
    from storage.exams import ExamRepository
    from tests.test_review import SCAN, submitted

    anna = world.person()
    await submitted(world, anna)
    assert world.deps is not None
    deps = world.deps
    profile = (await deps.profiles.list_for(anna.user.id))[0]
    holder = Holder(anna.user.id, profile.id, "Иванова", "Анна", None, date(1990, 2, 1))
    await deps.services.book.issue(holder, [_entry("therapist", EntryKind.DOCTOR, date(2027, 1, 20), "exam-therapist")],
                                   ["therapist"])
    terms = {(p.kind.value, p.ends_on) for p in await deps.services.reminders.planned(anna.user.id)}
    assert ("exam", date(2027, 1, 20)) in terms

    upload = await deps.uploads.add(owner_id=anna.user.id, profile_id=profile.id, kind="exam_any", sha256="e" * 64,
                                    detected_type="png", size=len(SCAN), storage_name=await deps.files.put(SCAN))
    repo = ExamRepository(deps.engine, world.clock, deps.cipher)
    record = await repo.add(owner_id=anna.user.id, profile_id=profile.id, item="therapist", upload_id=upload.id)
    await repo.fill(record.id, anna.user.id, done_on=date(2026, 11, 24), institution="ГП № 5")
    sent = await repo.send_for_review(record.id, anna.user.id)
    assert sent is not None
    confirmed = await deps.services.exams.confirm(900001, "Алиса", sent.id, sent.version)  # replans in its transaction
    assert confirmed is not None and confirmed.valid_until is not None
    async with transaction(deps.engine) as conn:
        keys = [r[0] for r in await conn.execute(select(outbox.c.dedup_key).where(
            outbox.c.kind == "reminder", outbox.c.status == OutboxStatus.PENDING.value))]
    assert not [k for k in keys if ":exam:2027-01-20:" in k]  # the old term's pending rows are gone
    assert [k for k in keys if f":exam:{confirmed.valid_until.isoformat()}:" in k]


async def test_no_reminder_after_the_holder_withdraws_consent(world: World) -> None:
    anna = await _exam_in_a_week(world)
    assert world.deps is not None
    reminders = world.deps.services.reminders
    assert await reminders.planned(anna.user.id)  # 7 and 1 days before, and on the day
    await world.deps.users.decline_consent(anna.user.id)  # withdrawn; the book's record stays
    mark = len(world.api.calls)
    world.clock.set(datetime(2026, 12, 8, 7, 0, 1, tzinfo=UTC))
    while await world.sweep():
        pass
    assert _reminders_to(world, anna, mark) == []
    assert await reminders.planned(anna.user.id) == []
    await reminders.replan(anna.user.id)  # e.g. staff revoke the kept book later: nothing is planned again
    async with transaction(world.deps.engine) as conn:
        pending = (await conn.execute(select(func.count()).select_from(outbox).where(
            outbox.c.kind == "reminder", outbox.c.status == OutboxStatus.PENDING.value))).scalar()
    assert pending == 0


async def test_pushes_speak_telegrams_language_until_the_person_chooses_another(world: World) -> None:
    john = world.person(5550003, "John", "en")
    await john.command("start")
    assert world.deps is not None
    assert (await world.deps.users.get(john.user.id)).locale == "en"  # type: ignore[union-attr]
    anna = world.person(5550004, "Анна", "ru")  # the default language: nothing to remember, no write
    await anna.command("start")
    assert (await world.deps.users.get(anna.user.id)).locale is None  # type: ignore[union-attr]
    await john.command("language")
    await john.press("Русский")
    john_de = world.person(5550003, "John", "de")
    await john_de.command("help")
    assert (await world.deps.users.get(john.user.id)).locale == "ru"  # type: ignore[union-attr]


async def test_a_reminder_deferred_past_quiet_hours_survives_a_replan(world: World) -> None:
    anna = await _exam_in_a_week(world)
    assert world.deps is not None
    world.clock.set(datetime(2026, 12, 1, 19, 0, tzinfo=UTC))  # the bot was down: 22:00 in Moscow, quiet hours
    mark = len(world.api.calls)
    assert await world.sweep() == 1  # the 7-days-before reminder, due 10:00, is deferred to 09:00
    assert _reminders_to(world, anna, mark) == []
    await world.deps.services.reminders.replan(anna.user.id)  # e.g. a setting changed in the night
    world.clock.set(datetime(2026, 12, 2, 6, 0, 1, tzinfo=UTC))
    while await world.sweep():
        pass
    sent = _reminders_to(world, anna, mark)
    assert len(sent) == 1 and "08.12.2026" in sent[0]["text"], sent
