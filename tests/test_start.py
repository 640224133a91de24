"""A newcomer's journey: /start → consent → menu, in Russian and English; declining; /language; restarts."""

from __future__ import annotations

import asyncio

import pytest

from tests.harness import World


async def test_newcomer_in_russian_accepts_consent_and_sees_the_menu(world: World) -> None:
    anna = world.person(language_code="ru")
    await anna.command("start")
    assert anna.replies[0].startswith("Здравствуйте, Анна!")
    assert "не подключён к Госуслугам" in anna.replies[0]
    assert "Согласие на обработку персональных данных" in anna.last
    assert anna.buttons() == ["Согласен", "Не согласен"]

    await anna.press("Согласен")
    assert anna.replies[0].startswith("✅ Спасибо, согласие записано (25.11.2026)")
    assert anna.last.startswith("Главное меню")
    assert "Оформить ЭМК" in anna.buttons()

    assert world.deps is not None
    user = await world.deps.users.get(anna.user.id)
    assert user is not None and user.consent_version and user.consent_at == world.clock.now()


async def test_newcomer_in_english(world: World) -> None:
    john = world.person(user_id=5550002, first_name="John", language_code="en-GB")
    await john.command("start")
    assert john.replies[0].startswith("Hello, John!")
    assert john.buttons() == ["I agree", "I do not agree"]
    await john.press("I agree")
    assert john.last.startswith("Main menu")
    assert "Apply for an EMK" in john.buttons()


async def test_unknown_telegram_language_falls_back_to_default(world: World) -> None:
    pierre = world.person(user_id=5550003, first_name="Pierre", language_code="fr")
    await pierre.command("start")
    assert pierre.replies[0].startswith("Здравствуйте")


async def test_declining_stores_nothing_and_accepting_later_works(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Не согласен")
    assert "Без него я не могу принимать заявление" in anna.replies[0]
    assert anna.buttons() == ["Дать согласие", "Помощь", "Язык / Language"]  # no dead buttons
    assert world.deps is not None
    user = await world.deps.users.get(anna.user.id)
    assert user is not None and user.consent_at is None and user.consent_declined_at is not None

    await anna.press("Дать согласие")
    assert "Согласие на обработку" in anna.last
    await anna.press("Согласен")
    assert "Оформить ЭМК" in anna.buttons()


async def test_language_command_switches_and_is_remembered_over_telegram_setting(world: World) -> None:
    anna = world.person(language_code="ru")
    await anna.command("start")
    await anna.press("Согласен")
    await anna.command("language")
    assert anna.buttons() == ["Русский", "English"]
    await anna.press("English")
    assert "Language switched to English." in anna.said
    await anna.command("help")
    assert anna.last.startswith("I help you get an electronic medical book")
    await world.restart()
    await anna.command("help")
    assert anna.last.startswith("I help you get an electronic medical book")


async def test_help_and_cancel_work_anywhere(world: World) -> None:
    anna = world.person()
    await anna.command("start")  # consent step
    await anna.command("help")
    assert "/cancel" in anna.last
    await anna.command("cancel")
    assert anna.replies[0] == "Действие прервано. Введённые данные сохранены."
    await anna.command("cancel")
    assert anna.replies[0] == "Сейчас нечего прерывать."


async def test_restart_in_the_middle_of_consent_resumes_it(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await world.restart()  # a new process over the same database file
    await anna.send("что дальше?")
    assert anna.last == "Пожалуйста, ответьте кнопкой под текстом согласия: «Согласен» или «Не согласен»."
    await anna.press("Согласен")  # the button on the message from before the restart still works
    assert anna.last.startswith("Главное меню")


async def test_commands_menu_is_set_in_both_languages_at_startup(world: World) -> None:
    await world.run_startup()
    calls = world.api.calls_to("setMyCommands")
    by_lang = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_lang) == {"ru", "en", None}
    assert [c["command"] for c in by_lang["en"]] == ["start", "help", "language", "cancel"]
    assert by_lang["ru"][1]["description"] == "Справка"
    assert by_lang["en"][1]["description"] == "Help"


async def test_a_stale_button_is_answered_not_ignored(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    consent_message = anna.last_message()
    await anna.press("Согласен")
    await anna.command("language")
    language_message = anna.last_message()
    await anna.press("English")
    mark = len(world.api.calls)
    await anna.press_on(language_message, "Русский")  # an old button still acts: languages are stateless
    assert "Язык переключён на русский." in anna.said
    await anna.press_on(consent_message, "Согласен")  # idempotent: consent stays recorded
    answers = world.api.calls_to("answerCallbackQuery")
    assert len([c for c in world.api.calls[mark:] if c.method == "answerCallbackQuery"]) == 2
    assert answers, "every press gets an answer so the phone stops spinning"


async def test_two_messages_at_once_are_handled_in_order(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    first = anna.updates.text(anna.user, "/help")
    second = anna.updates.text(anna.user, "/language")
    mark = len(world.api.calls)
    await asyncio.gather(world.feed(first), world.feed(second))
    sent = [c.params["text"] for c in world.api.calls[mark:] if c.method == "sendMessage"]
    assert sent[0].startswith("Я помогаю оформить")
    assert sent[1] == "Выберите язык:"


async def test_unexpected_error_gives_an_apology_with_a_reference_and_logs_no_personal_data(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.common as common

    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(common, "back_to_menu", boom)  # /help now fails inside the handler, as a bug would
    with world.expect_errors() as records:
        await anna.command("help")
    assert anna.last.startswith("Извините, что-то пошло не так.")
    ref = anna.last.split("Код ошибки: ")[1].split(".")[0]
    logged = [r for r in records if ref in r.getMessage()]
    assert logged and "update" in logged[0].getMessage() and logged[0].exc_info is not None
    assert all("Анна" not in r.getMessage() for r in records)
    monkeypatch.undo()
    await anna.command("help")  # the conversation goes on
    assert anna.last.startswith("Я помогаю оформить")


async def test_the_citizen_side_stays_silent_in_a_group(world: World) -> None:
    """In the staff group only staff buttons are answered: no greeting, consent or hints there."""
    anna = world.person()
    mark = len(world.api.calls)
    await world.feed(anna.updates.text(anna.user, "/start", chat_id=-1001234567890))
    await world.feed(anna.updates.text(anna.user, "привет всем", chat_id=-1001234567890))
    assert [c.method for c in world.api.calls[mark:]] == []
