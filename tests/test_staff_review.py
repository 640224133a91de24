"""Issue 9, the staff side: each case walked through the bot the way it was found (staff in the group, a
stranger in the group, a staff member in the private chat)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.keyboards import StaffCb
from tests.harness import World, plain
from tests.test_review import (
    ALICE,
    BOB,
    STAFF_CHAT,
    exams_confirmed,
    pushes_to,
    ready_to_submit,
    staff_card,
    submitted,
)

REASON_PROMPT = "ответом на это сообщение"


async def in_group(world: World) -> Any:
    world.env["STAFF_CHAT_ID"] = str(STAFF_CHAT)
    await world.restart()
    anna = world.person()
    await submitted(world, anna)
    return anna


def button(message: dict[str, Any], label: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for b in row:
            if b["text"] == label:
                return str(b["callback_data"])
    raise AssertionError(f"no button {label!r} on {message.get('text')!r}")


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def press(world: World, user_id: int, message: dict[str, Any], label: str, name: str = "Алиса") -> str:
    """`user_id` presses `label` on `message`; returns the callback answer's text."""
    who = world.person(user_id=user_id, first_name=name)
    mark = len(world.api.calls)
    await world.feed(who.updates.callback(who.user, button(message, label), message=message))
    answers = [c for c in world.api.calls[mark:] if c.method == "answerCallbackQuery"]
    assert len(answers) == 1, "every press is answered exactly once"
    return str(answers[0].params.get("text") or "")


async def forge(world: World, user_id: int, message: dict[str, Any], data: str) -> str:
    who = world.person(user_id=user_id, first_name="Кто-то")
    mark = len(world.api.calls)
    await world.feed(who.updates.callback(who.user, data, message=message))
    answers = [c for c in world.api.calls[mark:] if c.method == "answerCallbackQuery"]
    assert len(answers) == 1
    return str(answers[0].params.get("text") or "")


def last_in_group(world: World, contains: str) -> dict[str, Any]:
    return [m for m in world.api.sent_messages(STAFF_CHAT) if contains in m.get("text", "")][-1]


async def say_in_group(world: World, user_id: int, text: str, *, reply_to: dict[str, Any] | None = None,
                       name: str = "Алиса") -> list[str]:
    who = world.person(user_id=user_id, first_name=name)
    update = who.updates.text(who.user, text, chat_id=STAFF_CHAT)
    if reply_to is not None:
        update["message"]["reply_to_message"] = reply_to
    mark = len(world.api.calls)
    await world.feed(update)
    return [plain(str(c.params.get("text"))) for c in world.api.calls[mark:]
            if c.method in {"sendMessage", "editMessageText"} and str(c.params.get("chat_id")) == str(STAFF_CHAT)]


async def statuses(world: World) -> list[str]:
    assert world.deps is not None
    return [h.to_status.value for h in await world.deps.applications.history(1)]


# --- 1. a reason is only a reply to the prompt; commands never; «Отмена»; it expires -------------------------


async def test_a_reason_is_only_a_reply_to_the_bots_prompt(world: World) -> None:
    await in_group(world)
    await press(world, ALICE, staff_card(world), "Взять в работу")

    await press(world, ALICE, staff_card(world), "Отклонить")
    prompt = last_in_group(world, REASON_PROMPT)
    reject_call = [c for c in world.api.calls_to("sendMessage") if REASON_PROMPT in str(c.params.get("text"))][-1]
    assert reject_call.params["reply_markup"]["force_reply"] is True
    controls = last_in_group(world, "Передумали")
    assert labels(controls) == ["Отмена"]

    # /cancel in the group is no reason: it cancels the action.
    said = await say_in_group(world, ALICE, "/cancel")
    assert await statuses(world) == ["accepted", "in_review"]
    assert "Действие отменено." in said
    # ... and later messages of hers are not reasons either, replies to the old prompt included.
    assert await say_in_group(world, ALICE, "Коллеги, кто сегодня дежурит?") == []
    assert await say_in_group(world, ALICE, "Фото не соответствует", reply_to=prompt) == []
    assert await statuses(world) == ["accepted", "in_review"]

    # Again: chatter and other commands while the prompt waits are not reasons; the reply is.
    await press(world, ALICE, staff_card(world), "Отклонить")
    prompt = last_in_group(world, REASON_PROMPT)
    assert await say_in_group(world, ALICE, "сейчас напишу") == []
    assert await say_in_group(world, ALICE, "/help") == []
    other_message = last_in_group(world, "Передумали")
    assert await say_in_group(world, ALICE, "Фото не то", reply_to=other_message) == []
    assert await statuses(world) == ["accepted", "in_review"]
    said = await say_in_group(world, ALICE, "Фото не соответствует требованиям", reply_to=prompt)
    assert any("Отклонено" in s for s in said)
    assert await statuses(world) == ["accepted", "in_review", "rejected"]
    assert world.deps is not None
    assert (await world.deps.applications.history(1))[-1].comment == "Фото не соответствует требованиям"
    assert await say_in_group(world, ALICE, "спасибо", reply_to=prompt) == []


async def test_the_prompt_has_cancel_and_expires(world: World) -> None:
    await in_group(world)
    await press(world, ALICE, staff_card(world), "Взять в работу")

    await press(world, ALICE, staff_card(world), "Отклонить")
    prompt = last_in_group(world, REASON_PROMPT)
    await press(world, ALICE, last_in_group(world, "Передумали"), "Отмена")
    assert "Действие отменено." in [m.get("text") for m in world.api.sent_messages(STAFF_CHAT)]
    assert await say_in_group(world, ALICE, "Фото не соответствует", reply_to=prompt) == []

    await press(world, ALICE, staff_card(world), "Отклонить")
    prompt = last_in_group(world, REASON_PROMPT)
    world.clock.advance(timedelta(minutes=31))
    said = await say_in_group(world, ALICE, "Фото не соответствует", reply_to=prompt)
    assert any("Время на ответ вышло" in s for s in said)
    assert await statuses(world) == ["accepted", "in_review"]
    assert await say_in_group(world, ALICE, "Фото не соответствует", reply_to=prompt) == []


# --- 2. people's text is escaped once where it enters HTML ---------------------------------------------------


async def test_a_staff_name_with_markup_and_the_summary_markup(world: World) -> None:
    await in_group(world)
    card = staff_card(world)
    assert "<b>" not in card["text"] and "Фамилия: Иванова" in card["text"]  # the summary is not escaped twice
    assert any(e["type"] == "bold" for e in card.get("entities", []))

    name = "<Алиса & Co>"
    assert await press(world, ALICE, card, "Взять в работу", name=name) == "Готово."
    card = staff_card(world)
    assert f"{name}: В проверке" in card["text"]  # the edit went through: no stale status, no stale buttons
    assert "Взять в работу" not in labels(card) and "Одобрить" in labels(card)

    await press(world, ALICE, card, "Отклонить", name=name)  # the prompt names her without breaking
    prompt = last_in_group(world, REASON_PROMPT)
    assert prompt["text"].startswith(name)
    said = await say_in_group(world, ALICE, "Нет <подписи> & печати", reply_to=prompt, name=name)
    assert any("Отклонено" in s for s in said)
    assert f"{name}: Отклонено" in staff_card(world)["text"]
    await world.sweep()
    anna_push = [c for c in world.api.calls_to("sendMessage") if "Комментарий" in str(c.params.get("text"))]
    assert anna_push and anna_push[-1].ok
    assert "Комментарий: Нет <подписи> & печати" in plain(str(anna_push[-1].params["text"]))


# --- 3. every staff callback checks the staff list; «Отмена» only one's own -------------------------------


async def test_strangers_and_colleagues_cannot_cancel_a_staff_members_picker(world: World) -> None:
    await in_group(world)
    await press(world, ALICE, staff_card(world), "Взять в работу")
    await press(world, ALICE, staff_card(world), "Запросить документы")
    picker = last_in_group(world, "какие документы запросить")

    stranger = 123
    assert (await press(world, stranger, picker, "Отмена", name="Посторонний")).startswith(
        "Это действие доступно только сотрудникам")
    assert (await press(world, BOB, picker, "Отмена", name="Борис")).startswith("Отменить можно только своё")
    assert last_in_group(world, "какие документы запросить")["message_id"] == picker["message_id"]
    assert (await press(world, stranger, picker, "Паспорт, регистрация", name="Посторонний")).startswith(
        "Это действие доступно только сотрудникам")

    # A forged «cancel» on the card itself wipes nothing.
    card = staff_card(world)
    forged = button(picker, "Отмена")
    assert (await forge(world, stranger, card, forged)).startswith("Это действие доступно только сотрудникам")
    assert (await forge(world, BOB, card, forged)).startswith("Отменить можно только своё")
    assert staff_card(world)["message_id"] == card["message_id"] and "Статус: В проверке" in staff_card(world)["text"]

    # Her own picker still works.
    await press(world, ALICE, picker, "Паспорт, регистрация")
    await press(world, ALICE, last_in_group(world, "какие документы запросить"), "Отмена")
    assert any(m.get("text") == "Действие отменено." and m["message_id"] == picker["message_id"]
               for m in world.api.sent_messages(STAFF_CHAT))
    assert await statuses(world) == ["accepted", "in_review"]


# --- 4. an illegal transition is a polite refusal ------------------------------------------------------------


async def test_a_forged_take_on_an_application_in_review_is_refused_politely(world: World) -> None:
    await in_group(world)
    card = staff_card(world)
    await press(world, ALICE, card, "Взять в работу")
    current = staff_card(world)
    forged = StaffCb(action="take", app=1, version=2).pack()  # the current version: passes the version check
    answer = await forge(world, BOB, current, forged)  # `feed` fails on any logged error
    assert answer.startswith("Это действие сейчас невозможно: статус заявления — В проверке")
    assert await statuses(world) == ["accepted", "in_review"]
    group_texts = [c for c in world.api.calls_to("sendMessage") if str(c.params.get("chat_id")) == str(STAFF_CHAT)
                   and "Что-то пошло не так" in str(c.params.get("text"))]
    assert group_texts == []


# --- 5. «Показать полностью» ---------------------------------------------------------------------------------


async def test_show_in_full_goes_to_the_private_chat_and_is_audited(world: World) -> None:
    await in_group(world)
    card = staff_card(world)
    assert "112-233-445 95" not in card["text"]

    world.api.block_chat(ALICE, "Forbidden: bot can't initiate conversation with a user")
    answer = await press(world, ALICE, card, "Показать полностью")
    assert "откройте чат с ботом" in answer
    world.api.unblock_chat(ALICE)

    mark = len(world.api.calls)
    assert (await press(world, ALICE, card, "Показать полностью")).startswith("Полные данные отправлены")
    private = [plain(str(c.params["text"])) for c in world.api.calls[mark:]
               if c.method == "sendMessage" and str(c.params.get("chat_id")) == str(ALICE)]
    assert len(private) == 1
    full = private[0]
    for value in ("Иванова", "112-233-445 95", "4508 123456", "+79161234567", "7700000000000016", "770-001"):
        assert value in full
    assert not [c for c in world.api.calls[mark:] if str(c.params.get("chat_id")) == str(STAFF_CHAT)
                and c.method == "sendMessage"]
    assert world.deps is not None
    audit = [e for e in await world.deps.applications.audit_entries(1) if e["action"] == "staff.view_full_data"]
    assert len(audit) == 2 and all(e["actor_id"] == ALICE for e in audit)
    assert "112-233-445" not in str(audit)


# --- 6. staff in the private chat get the queue, not the consent flow ----------------------------------------


async def test_staff_get_the_queue_in_their_private_chat(world: World) -> None:
    await in_group(world)
    alice = world.person(user_id=ALICE, first_name="Алиса")
    await alice.command("start")
    assert "Согласен" not in alice.buttons()
    assert alice.last.startswith("Заявления по статусам")
    assert "Принято: 1" in alice.last and "В проверке: 0" in alice.last

    await alice.press("Принято: 1")
    assert alice.last.startswith("Принято — страница 1 из 1")
    await alice.press("ЭМК-2026-000001")
    assert alice.last.startswith("Заявление ЭМК-2026-000001") and "Статус: Принято" in alice.last
    await alice.press("Взять в работу")
    assert "Алиса: В проверке" in alice.last  # the card in her chat follows
    assert "Алиса: В проверке" in staff_card(world)["text"]  # and so does the group's
    await alice.send("что у нас в очереди?")
    assert alice.last.startswith("Заявления по статусам") and "В проверке: 1" in alice.last

    # A citizen still gets the consent flow.
    bob_citizen = world.person(user_id=5550077, first_name="Пётр")
    await bob_citizen.command("start")
    assert "Согласен" in bob_citizen.buttons()


async def test_the_queue_pages(world: World) -> None:
    from domain.applicant import Relation
    from domain.signature import application_content, sign

    await in_group(world)
    assert world.deps is not None
    for i in range(10):
        owner = 5560000 + i
        await world.deps.users.get_or_create(owner)
        profile = await world.deps.profiles.create(owner, Relation.SELF)
        content = application_content({"n": i}, [])
        await world.deps.applications.submit(owner_id=owner, profile_id=profile.id, snapshot={**content},
                                             signature=sign(content, owner, world.clock.now()))
    alice = world.person(user_id=ALICE, first_name="Алиса")
    await alice.command("start")
    assert "Принято: 11" in alice.last
    await alice.press("Принято: 11")
    assert alice.last.startswith("Принято — страница 1 из 2")
    first = [b for b in alice.buttons() if b.startswith("ЭМК-")]
    assert len(first) == 8 and first[0] == "ЭМК-2026-000001"
    await alice.press("Дальше →")
    assert alice.last.startswith("Принято — страница 2 из 2")
    assert [b for b in alice.buttons() if b.startswith("ЭМК-")] == ["ЭМК-2026-000009", "ЭМК-2026-000010",
                                                                    "ЭМК-2026-000011"]
    await alice.press("← Назад")
    assert alice.last.startswith("Принято — страница 1 из 2")
    await alice.press("К списку статусов")
    assert alice.last.startswith("Заявления по статусам")


# --- 7. «bot can't initiate conversation» is not «blocked»; writing to the bot clears the mark --------------


async def test_never_started_is_not_blocked_and_writing_clears_a_block(world: World) -> None:
    assert world.deps is not None
    await world.deps.users.get_or_create(BOB)
    world.api.block_chat(BOB, "Forbidden: bot can't initiate conversation with a user")
    anna = world.person()
    await submitted(world, anna)  # without a staff group, each staff member gets the card privately
    bob = await world.deps.users.get(BOB)
    assert bob is not None and bob.blocked_at is None

    # Bob really blocks the bot; then he writes to it: the mark goes, and pushes reach him again.
    world.api.block_chat(BOB, "Forbidden: bot was blocked by the user")
    app = await world.deps.applications.get(1)
    assert app is not None
    await world.deps.services.pushes.stuck(app)  # a reminder to each staff member
    await world.sweep()
    bob = await world.deps.users.get(BOB)
    assert bob is not None and bob.blocked_at is not None
    world.api.unblock_chat(BOB)
    staff_bob = world.person(user_id=BOB, first_name="Борис")
    await staff_bob.command("start")
    bob = await world.deps.users.get(BOB)
    assert bob is not None and bob.blocked_at is None


# --- 8. the manual receipt reaches staff, who confirm it --------------------------------------------------


async def test_staff_see_and_confirm_a_manual_payment(world: World, tmp_path: Any) -> None:
    from tests.test_payment import open_payment, priced
    from tests.test_uploads import SCAN

    world.env["STAFF_CHAT_ID"] = str(STAFF_CHAT)
    await priced(world, tmp_path)
    assert world.deps is not None
    # The instructions a citizen gets say how to pay now, not that staff will send the details (they cannot:
    # staff see nothing until the application is sent, and it is sent only with a receipt).
    petr = world.person(user_id=5550002, first_name="Пётр")
    await open_payment(world, petr)
    await petr.press("Оплачу по реквизитам")
    assert "пришлёт сотрудник" not in petr.last and "реквизитам организации" in petr.last
    assert "сотрудник сверит оплату" in petr.last

    anna = world.person()
    await ready_to_submit(world, anna, priced=True)  # everything filled in but the payment
    assert "Оплата услуги" in anna.last
    await anna.press("Оплачу по реквизитам")
    await anna.send_file(SCAN, "receipt.png", "image/png")
    assert "сотрудник сверит оплату" in anna.last and "Проверьте анкету" in anna.last
    await anna.press("✍️ Подписать и отправить")
    await anna.press("Подписать и отправить")
    await world.sweep()

    card = staff_card(world)
    assert "Оплата: квитанция загружена, не подтверждена" in card["text"]
    assert "Оплата подтверждена" in labels(card)
    receipt_id = (await world.deps.profiles.list_for(anna.user.id))[0].draft.payment_receipt_id
    assert receipt_id is not None
    receipt = await world.deps.payments.get(receipt_id)
    assert receipt is not None
    posted = [e for e in await world.deps.applications.audit_entries(1) if e["action"] == "staff.documents_posted"]
    assert posted and str(receipt.upload_id) in str(posted[-1]["details"])  # the receipt went with the documents

    assert await press(world, ALICE, card, "Оплата подтверждена") == "Готово."
    card = staff_card(world)
    assert "Оплата подтверждена." in card["text"] and "Оплата подтверждена" not in labels(card)
    assert "Взять в работу" in labels(card)
    assert (await press(world, BOB, card, "Взять в работу", name="Борис")) == "Готово."  # not blocked by it
    await world.sweep()
    told = [c for c in world.api.calls_to("sendMessage") if str(c.params.get("chat_id")) == str(anna.chat_id)
            and "оплата подтверждена" in str(c.params.get("text"))]
    assert len(told) == 1
    assert "staff.payment_confirmed" in [e["action"] for e in await world.deps.applications.audit_entries(1)]
    receipt = await world.deps.payments.get(receipt_id)
    assert receipt is not None and receipt.status == "confirmed"
    # A replayed press confirms nothing twice.
    replay = StaffCb(action="paid", app=1, version=1).pack()
    assert (await forge(world, ALICE, card, replay)).startswith("Подтверждать нечего")
    assert "В проверке" in pushes_to(world, anna)[-1]


# --- 9. the 48-hour nudge only while the organisation must act -----------------------------------------------


async def test_no_nudge_after_approval_nor_while_the_citizen_is_asked_for_documents(world: World) -> None:
    anna = await in_group(world)
    assert world.deps is not None
    scan = world.deps.services.applications.scan_stuck
    await press(world, ALICE, staff_card(world), "Взять в работу")
    await press(world, ALICE, staff_card(world), "Запросить документы")
    await press(world, ALICE, last_in_group(world, "какие документы запросить"), "Паспорт, регистрация")
    await press(world, ALICE, last_in_group(world, "какие документы запросить"), "Далее")
    await say_in_group(world, ALICE, "Нужен штамп о регистрации", reply_to=last_in_group(world, REASON_PROMPT))
    assert await statuses(world) == ["accepted", "in_review", "needs_documents"]
    world.clock.advance(timedelta(hours=72))
    assert await scan() == 0  # the citizen is the one asked

    # Back in review (staff take it back): now the organisation must act, and is nudged after 48 hours.
    await press(world, BOB, staff_card(world), "Взять в работу", name="Борис")
    world.clock.advance(timedelta(hours=49))
    assert await scan() == 1
    await world.sweep()  # delivered while still in review (a nudge that waited past the approval is dropped)
    await exams_confirmed(world, anna)  # approval waits for the exams (tests/test_exams.py)
    await press(world, BOB, staff_card(world), "Одобрить", name="Борис")
    world.clock.advance(timedelta(hours=72))
    assert await scan() == 0  # approved: nothing for the organisation to decide
    await world.sweep()
    nudges = [c for c in world.api.calls_to("sendMessage") if str(c.params.get("chat_id")) == str(anna.chat_id)
              and "дольше обычного" in str(c.params.get("text"))]
    assert len(nudges) == 1  # the one spell in review, none after approval or while documents were asked


async def test_without_a_group_the_reason_is_a_reply_in_the_private_chat(world: World) -> None:
    anna = world.person()
    await submitted(world, anna)  # no staff group: each staff member's card is in their private chat
    alice = world.person(user_id=ALICE, first_name="Алиса")
    await alice.press("Отклонить")
    prompt = [m for m in world.api.sent_messages(ALICE) if REASON_PROMPT in m.get("text", "")][-1]
    await alice.send("Фото не соответствует требованиям")  # not a reply: told how
    assert alice.last.startswith("Причина принимается только ответом")
    assert await statuses(world) == ["accepted"]
    update = alice.updates.text(alice.user, "Фото не соответствует требованиям")
    update["message"]["reply_to_message"] = prompt
    await alice.send_update(update)
    assert any("Отклонено" in r for r in alice.replies)
    assert await statuses(world) == ["accepted", "rejected"]
    await world.sweep()
    assert "Отклонено" in pushes_to(world, anna)[-1]
