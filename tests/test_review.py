"""The first vertical slice: a citizen submits, staff decide from Telegram, the citizen is told at every step."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.applicant import Citizenship, Draft, Employer, Passport, Relation, Sex
from domain.exams import ExamState
from fsm.states import Apply
from storage.exams import ExamRepository
from tests.harness import Person, World

DATA = Path(__file__).parent / "data" / "corpus"
PHOTO = (DATA / "faces/derived/good_portrait_lightbg.jpg").read_bytes()
SCAN = (DATA / "documents/images/doc_scan_200dpi.png").read_bytes()
SCAN2 = (DATA / "documents/images/doc_phone_photo.jpg").read_bytes()
STAFF_CHAT = -1001234567890
ALICE, BOB = 900001, 900002  # STAFF_IDS in the harness


async def ready_to_submit(world: World, person: Person, *, priced: bool = False) -> None:
    """A person whose application is complete (as if walked through the wizard), looking at the summary (or,
    where the policy sets a price, at the payment step)."""
    deps = world.deps
    assert deps is not None and world.dp is not None and world.bot is not None
    await person.command("start")
    await person.press("Согласен")
    profile = await deps.profiles.create(person.user.id, Relation.SELF)
    uploads = {}
    for kind, data, kind_type in [("photo", PHOTO, "jpeg"), ("passport_main", SCAN, "png"),
                                  ("passport_registration", SCAN2, "jpeg"), ("oms_policy", SCAN + b"x", "png")]:
        upload = await deps.uploads.add(
            owner_id=person.user.id, profile_id=profile.id, kind=kind, sha256=f"{kind:0<64}"[:64],
            detected_type=kind_type, size=len(data), storage_name=await deps.files.put(data),
        )
        uploads[kind] = upload.id
    draft = Draft(
        relation=Relation.SELF, phone="+79161234567", email_skipped=True, surname="Иванова", name="Анна",
        patronymic_skipped=True, birth_date=date(1990, 2, 1), sex=Sex.FEMALE, citizenship=Citizenship.RU,
        postal_index="123456", address="123456, г. Москва, ул. Ленина, д. 1", category="food",
        passport=Passport(series="4508", number="123456", issue_date=date(2010, 3, 15), division_code="770-001",
                          issued_by="ОВД Арбат"),
        snils="112-233-445 95", oms_kind="enp", oms_number="7700000000000016", employer_skipped=True,
        photo_upload_id=uploads["photo"], confirmed_documents=["oms_policy", "passport_main", "passport_registration"],
        skipped_documents=["others"], employer=Employer(),
    )
    await deps.profiles.save(profile, draft, "summary")
    ctx = world.dp.fsm.get_context(world.bot, chat_id=person.chat_id, user_id=person.user.id)
    await ctx.set_state(Apply.summary)
    await ctx.set_data({"profile_id": profile.id})
    await person.press("Продолжить заполнение") if "Продолжить заполнение" in person.buttons() else None
    await person.press("Оформить ЭМК") if "Оформить ЭМК" in person.buttons() else None
    await person.press("Иванова Анна (для себя)")
    assert person.last.startswith("Проверьте анкету" if not priced else "Оплата · "), person.last


async def exams_confirmed(world: World, person: Person) -> None:
    """Every required exam item of the person's profile confirmed by staff, written straight to the tables (the
    exam flow itself is walked in tests/test_exams.py): approval waits for them."""
    deps = world.deps
    assert deps is not None
    profile = (await deps.profiles.list_for(person.user.id))[0]
    found = await deps.services.exams.checklist(person.user.id, profile.id)
    assert found is not None
    upload = await deps.uploads.add(owner_id=person.user.id, profile_id=profile.id, kind="exam_any", sha256="e" * 64,
                                    detected_type="png", size=len(SCAN), storage_name=await deps.files.put(SCAN))
    repo = ExamRepository(deps.engine, world.clock, deps.cipher)
    for code in found.open:
        record = await repo.add(owner_id=person.user.id, profile_id=profile.id, item=code, upload_id=upload.id)
        await repo.fill(record.id, person.user.id, done_on=world.clock.now().date(), institution="Поликлиника")
        sent = await repo.send_for_review(record.id, person.user.id)
        assert sent is not None
        await repo.decide(sent.id, seen_version=sent.version, state=ExamState.CONFIRMED, by_id=ALICE, by_name="Алиса")


async def submitted(world: World, person: Person) -> None:
    """The person signs and sends a complete application, and the staff get it."""
    await ready_to_submit(world, person)
    await person.press("✍️ Подписать и отправить")
    await person.press("Подписать и отправить")
    await world.sweep()


def staff_card(world: World) -> dict:
    """The staff chat's message about the application (edited in place as it moves)."""
    return [m for m in world.api.messages_in(STAFF_CHAT) if "\nСтатус: " in m.get("text", "")][-1]


async def staff_press(world: World, staff_id: int, label: str, chat_id: int = STAFF_CHAT) -> None:
    """A staff member presses a button on the latest message in the staff chat (or, without STAFF_CHAT_ID,
    in their private chat) that has it."""
    staff = world.person(user_id=staff_id, first_name="Алиса" if staff_id == ALICE else "Борис")
    for message in reversed(world.api.sent_messages(chat_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == label:
                    await world.feed(staff.updates.callback(staff.user, button["callback_data"], message=message))
                    return
    raise AssertionError(f"no staff button {label!r} in chat {chat_id}")


async def staff_say(world: World, staff_id: int, text: str) -> None:
    """A staff member answers the bot's reason prompt (a forced reply) in the staff chat."""
    staff = world.person(user_id=staff_id, first_name="Алиса")
    update = staff.updates.text(staff.user, text, chat_id=STAFF_CHAT)
    prompt = [m for m in world.api.sent_messages(STAFF_CHAT) if "ответом на это сообщение" in m.get("text", "")][-1]
    update["message"]["reply_to_message"] = prompt
    await world.feed(update)


def pushes_to(world: World, person: Person) -> list[str]:
    return [str(c.params.get("text")) for c in world.api.calls_to("sendMessage")
            if str(c.params.get("chat_id")) == str(person.chat_id) and "новый статус" in str(c.params.get("text"))]


async def test_the_whole_slice_with_a_restart_between_every_two_steps(world: World) -> None:
    world.env["STAFF_CHAT_ID"] = str(STAFF_CHAT)
    await world.restart()
    anna = world.person()
    await ready_to_submit(world, anna)

    await anna.press("✍️ Подписать и отправить")
    assert "простой электронной подписью" in anna.last
    await anna.press("Подписать и отправить")
    # What happens next, in words: who checks, how long it usually takes, how she will know, where to look.
    assert anna.last.startswith("✅ Заявление ЭМК-2026-000001 отправлено и подписано.")
    assert "сотрудник проверит анкету и документы — обычно в течение 2 дней" in anna.last
    assert "я пришлю сообщение сюда" in anna.last and "«Мои заявления»" in anna.last
    assert "контрольн" not in anna.last and "SHA" not in anna.last  # no checksum
    assert world.deps is not None
    app = (await world.deps.applications.list_for(anna.user.id))[0]
    assert app.number == "ЭМК-2026-000001" and app.signed_by == anna.user.id and len(app.content_sha256) == 64

    await world.restart()
    await world.sweep()  # the staff chat receives the album and the card
    albums = [c for c in world.api.calls_to("sendMediaGroup", "sendPhoto", "sendDocument")
              if str(c.params.get("chat_id")) == str(STAFF_CHAT)]
    assert albums, "photo and documents were posted to the staff chat"
    card = staff_card(world)
    assert card["text"].startswith("Заявление ЭМК-2026-000001")
    assert "СНИЛС: ***-***-*** 95" in card["text"]
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Взять в работу", "Отклонить", "Документы мне в личку", "Показать полностью"]

    await world.restart()
    await staff_press(world, ALICE, "Взять в работу")
    assert "Алиса: В проверке" in staff_card(world)["text"]
    await world.sweep()
    assert pushes_to(world, anna)[-1] == "Заявление ЭМК-2026-000001: новый статус — В проверке."

    # A staff member looks at the documents privately: they come to her chat, and the view is audited.
    mark = len(world.api.calls)
    await staff_press(world, ALICE, "Документы мне в личку")
    private = [c for c in world.api.calls[mark:] if str(c.params.get("chat_id")) == str(ALICE)
               and c.method in {"sendMediaGroup", "sendPhoto", "sendDocument"}]
    assert private, "the album went to Alice's private chat"

    await world.restart()
    await staff_press(world, ALICE, "Запросить документы")
    await staff_press(world, ALICE, "Паспорт, регистрация")
    await staff_press(world, ALICE, "✅ Паспорт, регистрация")  # untick
    await staff_press(world, ALICE, "Паспорт, регистрация")
    await staff_press(world, ALICE, "Далее")
    await world.restart()
    await staff_say(world, ALICE, "Не видно штампа о регистрации")
    await world.sweep()
    push = pushes_to(world, anna)[-1]
    assert "Нужны документы" in push and "Комментарий: Не видно штампа о регистрации" in push
    assert "Нужно загрузить: Паспорт, регистрация." in push

    await world.restart()
    await anna.press("Загрузить документы")
    assert "документ 1 из 1: Паспорт, регистрация" in anna.last
    await anna.send_file((DATA / "pdf/generated/pdf_scan_200dpi_letter.pdf").read_bytes(), "reg.pdf")
    assert anna.last.startswith("✅ Файл принят.")
    await world.restart()
    await anna.press("Отправить на проверку")
    assert "снова в проверке" in anna.last
    await world.sweep()
    assert any("прислал запрошенные документы" in str(c.params.get("text")) for c in world.api.calls_to("sendMessage"))

    await world.restart()
    await exams_confirmed(world, anna)  # approval waits for the exams (tests/test_exams.py)
    await staff_press(world, BOB, "Одобрить")
    assert "Борис: Одобрено" in staff_card(world)["text"]
    await world.sweep()
    statuses = [p.split("— ")[1].split(".")[0] for p in pushes_to(world, anna)]
    assert statuses == ["В проверке", "Нужны документы", "В проверке", "Одобрено"]

    # «Мои заявления» shows the timeline.
    await anna.command("start")
    await anna.press("Мои заявления")
    await anna.press("ЭМК-2026-000001 — Одобрено")
    timeline = anna.last
    assert timeline.count("25.11.2026") == 5
    for status in ["Принято", "В проверке", "Нужны документы", "Одобрено"]:
        assert status in timeline
    assert "Не видно штампа о регистрации" in timeline

    audit = [e["action"] for e in await world.deps.applications.audit_entries(app.id)]
    assert audit[:1] == ["citizen.submit"]
    expected = {"staff.take", "staff.request", "staff.approve", "citizen.documents_sent", "staff.view_documents"}
    assert expected <= set(audit)
    assert "staff.documents_posted" in audit


async def test_two_staff_at_once_exactly_one_wins_and_others_are_refused(world: World) -> None:
    world.env["STAFF_CHAT_ID"] = str(STAFF_CHAT)
    await world.restart()
    anna = world.person()
    await submitted(world, anna)

    card = staff_card(world)
    take = next(b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == "Взять в работу")
    alice, bob = world.person(user_id=ALICE, first_name="Алиса"), world.person(user_id=BOB, first_name="Борис")
    mark = len(world.api.calls)
    await asyncio.gather(world.feed(alice.updates.callback(alice.user, take, message=card)),
                         world.feed(bob.updates.callback(bob.user, take, message=card)))
    answers = [str(c.params.get("text")) for c in world.api.calls[mark:] if c.method == "answerCallbackQuery"]
    assert sorted(a.startswith("Заявление уже изменено") for a in answers) == [False, True]
    assert world.deps is not None
    app_id = (await world.deps.applications.list_for(anna.user.id))[0].id
    history = await world.deps.applications.history(app_id)
    assert [h.to_status.value for h in history] == ["accepted", "in_review"]

    # Someone who is not staff presses a button: a polite refusal, nothing changes.
    stranger = world.person(user_id=123, first_name="Посторонний")
    mark = len(world.api.calls)
    await world.feed(stranger.updates.callback(stranger.user, take, message=card))
    refusal = next(c for c in world.api.calls[mark:] if c.method == "answerCallbackQuery")
    assert str(refusal.params["text"]).startswith("Это действие доступно только сотрудникам")
    assert len(await world.deps.applications.history(app_id)) == 2
    assert "staff.refused" in [e["action"] for e in await world.deps.applications.audit_entries(app_id)]


async def test_blocked_citizen_and_flood_control(world: World) -> None:
    anna = world.person()
    await submitted(world, anna)
    await staff_press(world, ALICE, "Взять в работу", chat_id=ALICE)

    world.api.block_chat(anna.chat_id)  # she blocked the bot
    await world.sweep()
    assert world.deps is not None
    row = await world.deps.outbox.get_by_key("status:1:2")  # application 1, version 2 («В проверке»)
    assert row is not None and row.status.value == "skipped"
    user = await world.deps.users.get(anna.user.id)
    assert user is not None and user.blocked_at is not None
    world.clock.advance(timedelta(hours=2))
    assert await world.sweep() == 0  # not retried forever

    # She comes back: a 429 from Telegram is waited out and the message is delivered once.
    world.api.unblock_chat(anna.chat_id)
    await world.feed(anna.updates.my_chat_member(anna.user, old="kicked", new="member"))
    await exams_confirmed(world, anna)
    await staff_press(world, ALICE, "Одобрить", chat_id=ALICE)
    world.api.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1)
    await world.sweep()
    delivered = [c for c in world.api.calls_to("sendMessage") if c.ok and "Одобрено" in str(c.params.get("text"))
                 and str(c.params.get("chat_id")) == str(anna.chat_id)]
    assert len(delivered) == 1


async def test_stuck_application_reminder_is_sent_once_even_after_a_restart(world: World) -> None:
    world.env["STAFF_CHAT_ID"] = str(STAFF_CHAT)
    await world.restart()
    anna = world.person()
    await submitted(world, anna)
    assert world.deps is not None

    world.clock.advance(timedelta(hours=47))
    assert await world.deps.services.applications.scan_stuck() == 0
    world.clock.advance(timedelta(hours=2))
    assert await world.deps.services.applications.scan_stuck() == 1
    await world.sweep()
    await world.restart()
    assert world.deps is not None
    assert await world.deps.services.applications.scan_stuck() == 0  # already reminded for this spell
    await world.sweep()
    citizen = [c for c in world.api.calls_to("sendMessage") if "дольше обычного" in str(c.params.get("text"))]
    staff = [c for c in world.api.calls_to("sendMessage") if "ждёт уже больше 48 ч" in str(c.params.get("text"))]
    assert len(citizen) == 1 and len(staff) == 1
    assert str(citizen[0].params["chat_id"]) == str(anna.chat_id)
    assert str(staff[0].params["chat_id"]) == str(STAFF_CHAT)


async def test_without_a_staff_group_every_staff_card_follows_the_status(world: World) -> None:
    anna = world.person()
    await submitted(world, anna)
    await staff_press(world, ALICE, "Взять в работу", chat_id=ALICE)
    for staff_id in (ALICE, BOB):
        card = [m for m in world.api.messages_in(staff_id) if "\nСтатус: " in m.get("text", "")][-1]
        assert "Алиса: В проверке" in card["text"], staff_id
        labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
        assert "Одобрить" in labels and "Взять в работу" not in labels


async def test_adding_the_bot_to_a_group_logs_the_id_for_staff_chat(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    admin = world.person(user_id=ALICE, first_name="Алиса")
    update = admin.updates.my_chat_member(admin.user, old="left", new="member")
    update["my_chat_member"]["chat"] = {"id": STAFF_CHAT, "title": "ЭМК: проверка", "type": "supergroup"}
    with caplog.at_level(logging.INFO, logger="emk.staff"):
        await world.feed(update)
    assert f"set STAFF_CHAT_ID={STAFF_CHAT}" in caplog.text
