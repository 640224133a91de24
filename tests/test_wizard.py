"""The application wizard, walked like a person: mistakes on every field, back, skip, cancel and resume,
a restart in the middle, edits from the summary; for an adult and for a child under 14."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from tests.harness import Person, World


async def begin(world: World, person: Person, who: str = "Анкета для себя") -> None:
    await person.command("start")
    await person.press("Согласен")
    await person.press("Оформить ЭМК")
    await person.press(who)


DATA = Path(__file__).parent / "data" / "corpus"
GOOD_PORTRAIT = (DATA / "faces/derived/good_portrait_lightbg.jpg").read_bytes()
SCAN_PNG = (DATA / "documents/images/doc_scan_200dpi.png").read_bytes()
SCAN_PHOTO = (DATA / "documents/images/doc_phone_photo.jpg").read_bytes()
SCAN_PDF = (DATA / "pdf/generated/pdf_scan_200dpi_letter.pdf").read_bytes()


async def pass_documents(person: Person, kinds: list[str]) -> None:
    """Upload a good scan for each required document, confirm legibility, skip the optional ones."""
    files = [(SCAN_PNG, "passport.png", "image/png"), (SCAN_PDF, "scan.pdf", "application/pdf"),
             (SCAN_PHOTO, "photo.jpg", "image/jpeg")]
    for i, _kind in enumerate(kinds):
        data, name, mime = files[i % len(files)]
        # the same file may not be used twice for one person: make each distinct
        await person.send_file(data + b"\0" * (i + 1) if mime != "image/png" else data, name, mime)
        assert "✅ Файл принят." in person.last, person.last
        await person.press("Готово")
        await person.press("Да, всё читается")
    await person.press("Пропустить")  # other documents


async def fill_up_to_the_photo(person: Person, *, email: str | None, passport: str) -> None:
    """Good answers from the contact step to the ОМС policy, as a person who makes no mistakes."""
    await person.share_contact("79161234567")
    if email is None:
        await person.press("Пропустить")
    else:
        await person.send(email)
    for text in ["Иванова", "Анна", "Сергеевна", "01.02.1990"]:
        await person.send(text)
    await person.press("Женский")
    await person.press("Российская Федерация")
    await person.send("123456, г. Москва, ул. Ленина, д. 1")
    await person.press("Работа с пищевыми продуктами")
    for text in [passport, "15.03.2010", "770-001", "ОВД Арбат", "112-233-445 95", "7700000000000016"]:
        await person.send(text)


def expect_error(person: Person, fragment: str) -> None:
    first = person.last.split("\n")[0]
    assert first.startswith("❌"), person.last
    assert fragment in first, first


def expect_step(person: Person, where: str, prompt: str) -> None:
    """`where`: the progress line's words, «Паспорт · 1 из 4» (the section, the step's place in it)."""
    assert re.search(re.escape(where) + " [▰▱]{10}\n", person.last), person.last
    assert prompt in person.last, person.last


async def test_adult_wizard_with_mistakes_back_skip_cancel_restart_and_edit(world: World) -> None:
    anna = world.person()
    await begin(world, anna)
    assert anna.replies[0].startswith("Контакты · 1 из 2 ▱")
    assert "номер можно написать сообщением" in anna.replies[0]
    assert anna.reply_keyboard()[0][0]["request_contact"] is True

    # 1. Contacts: a typed number that is not a mobile and someone else's contact are refused;
    # own contact accepted.
    await anna.send("+7 495 123-45-67")
    expect_error(anna, "нужен мобильный")
    await anna.share_contact("79161234567", own=False)
    expect_error(anna, "только свой контакт")
    await anna.share_contact("79161234567")
    assert anna.replies[0] == "✅ Телефон сохранён."
    assert anna.reply_keyboard() == []  # the contact keyboard is removed
    expect_step(anna, "Контакты · 2 из 2", "электронной почты")
    await anna.send("anna@")
    expect_error(anna, "электронной почты")
    await anna.press("Пропустить")

    # 2. Personal data.
    expect_step(anna, "Личные данные · 1 из 8", "фамилия")
    await anna.send("Ivanova")
    expect_error(anna, "русскими буквами")
    await anna.send("  иванова-петрова ")
    await anna.send("анна")
    await anna.press("← Назад")  # back to the name, shown with its value
    expect_step(anna, "Личные данные · 2 из 8", "Ваше имя")
    assert "Сейчас указано: Анна" in anna.last
    await anna.press("Оставить как есть")
    await anna.send("1990")  # a patronymic with digits
    expect_error(anna, "")
    await anna.press("Пропустить")
    await anna.send("31.02.1990")
    expect_error(anna, "Такой даты нет")
    await anna.send("01.02.2030")
    expect_error(anna, "")
    await anna.send("1.2.1990")
    await anna.send("женский")  # typing where a button is expected
    assert anna.last == "Выберите вариант кнопкой под вопросом выше."
    await anna.press("Женский")
    await anna.press("Российская Федерация")
    await anna.send("г. Москва, ул. Ленина, д. 1")
    expect_error(anna, "почтового индекса")
    await anna.send("123456, г. Москва, ул. Ленина, д. 1, кв. 2")
    await anna.press("Работа с пищевыми продуктами")

    # Cancel keeps the draft; the menu offers to continue where she stopped.
    expect_step(anna, "Паспорт · 1 из 4", "Серия и номер паспорта")
    await anna.press("Отмена")
    assert anna.last.startswith("Заполнение прервано, черновик сохранён.")
    assert "Продолжить заполнение" in anna.buttons()
    await anna.press("Продолжить заполнение")
    await anna.press("Иванова-Петрова Анна (для себя)")
    expect_step(anna, "Паспорт · 1 из 4", "Серия и номер паспорта")

    # 3. Passport.
    await anna.send("45 08 12345")
    expect_error(anna, "10 цифр")
    await anna.send("№ 0008 123456")
    assert anna.replies[0].startswith("⚠️")  # unknown region code: a warning, she may go on
    expect_step(anna, "Паспорт · 2 из 4", "Дата выдачи паспорта")
    await anna.press("← Назад")
    await anna.send("4508 123456")
    await anna.send("15.03.2003")  # before her 14th birthday
    expect_error(anna, "")
    await anna.send("15.03.2010")

    # The bot restarts in the middle of the wizard: she continues at exactly this step.
    await world.restart()
    await anna.send("7700011")
    expect_error(anna, "Код подразделения")
    await anna.send("770 001")
    await anna.send("ОВД района Арбат г. Москвы")

    # 4–5. СНИЛС and ОМС.
    await anna.send("112-233-445 96")
    expect_error(anna, "Контрольное число СНИЛС")
    await anna.send("11223344595")
    await anna.send("7700 0000 0000 0017")
    expect_error(anna, "контрольная цифра")
    await anna.send("7700 0000 0000 0016")

    # 6. The photo: checked, corrected to 3×4 and shown back; she uses it.
    expect_step(anna, "Фото и документы · 1 из 5", "Фото 3×4")
    await anna.send_photo(GOOD_PORTRAIT)
    assert anna.last.startswith("✅ Фото подходит: лицо по центру, фон светлый")
    assert anna.buttons() == ["Использовать это фото", "Переснять"]
    await anna.press("Использовать это фото")

    # 7. Employer.
    expect_step(anna, "Работодатель · 1 из 6", "Работодатель")
    await anna.send("ООО «Ромашка»")
    await anna.send("7707083894")
    expect_error(anna, "ИНН")
    await anna.send("7707083893")
    await anna.send("1027700132196")
    expect_error(anna, "")
    await anna.send("1027700132195")
    await anna.send("1234")
    expect_error(anna, "")
    await anna.press("Пропустить")
    await anna.send("повар")
    await anna.send("32.12.2026")
    expect_error(anna, "")
    await anna.send("01.12.2026")

    # 8. Documents.
    await pass_documents(anna, ["passport", "registration", "oms"])

    # Summary: everything, identifiers masked, an edit button per section.
    summary = anna.last
    assert summary.startswith("Проверьте анкету")
    assert "Телефон: +7 9** ***-**-67" in summary
    assert "СНИЛС: ***-***-*** 95" in summary
    assert "Паспорт: ** ** ****56" in summary or "Паспорт: **** ****56" in summary
    assert "112-233-445" not in summary and "123456," in summary  # the postal index is not an identifier
    assert "Фамилия: Иванова-Петрова" in summary
    assert "✅ Все обязательные поля заполнены." in summary
    assert "Изменить: СНИЛС" in anna.buttons()

    # Edit one section from the summary and come back to it.
    await anna.press("Изменить: СНИЛС")
    assert "Сейчас указано: ***-***-*** 95" in anna.last
    await anna.send("001-001-998 00")
    assert anna.replies[0].startswith("⚠️")  # a number without checksum: warned, accepted
    assert "Проверьте анкету" in anna.last
    assert "СНИЛС: ***-***-*** 00" in anna.last

    # The edit of personal data walks only that section, then returns to the summary.
    await anna.press("Изменить: Контакты")
    await anna.press("Оставить как есть")
    await anna.send("Anna.Ivanova@Example.com")
    assert anna.last.startswith("Проверьте анкету")
    assert "E-mail: Anna.Ivanova@example.com" in anna.last


async def test_child_under_14_gets_the_birth_certificate_path(world: World) -> None:
    olga = world.person(user_id=5550010, first_name="Ольга")
    await begin(world, olga, "Анкета для ребёнка")
    await olga.share_contact("+79031234567")
    await olga.press("Пропустить")
    assert "Фамилия ребёнка" in olga.last
    await olga.send("Петров")
    await olga.send("Иван")
    await olga.send("Сергеевич")
    await olga.send("01.02.1990")  # an adult in a child's application
    expect_error(olga, "меньше 18 лет")
    await olga.send("2016-05-10")
    await olga.press("Мужской")
    await olga.press("Российская Федерация")
    await olga.send("630000, г. Новосибирск, ул. Мира, д. 5")
    await olga.press("Воспитание и обучение детей")
    expect_step(olga, "Свидетельство о рождении · 1 из 2", "свидетельства о рождении")
    await olga.send("IIII-МЮ 123456")  # not a canonical Roman numeral
    expect_error(olga, "")
    await olga.send("iv мю №123456")  # lower case, a space, «№»
    await olga.send("01.01.2016")
    expect_error(olga, "")
    await olga.send("20.05.2016")
    await olga.send("112-233-445 95")
    await olga.send("7700000000000016")
    await olga.send_photo(GOOD_PORTRAIT)
    await olga.press("Использовать это фото")
    # A ten-year-old does not work: no employer, no position; straight on to the documents.
    assert "Работодатель" not in olga.last and "должность" not in olga.last.lower()
    expect_step(olga, "Фото и документы · 2 из 4", "свидетельства о рождении")
    await pass_documents(olga, ["birth certificate", "oms"])
    summary = olga.last
    assert summary.startswith("Проверьте анкету")
    assert "Свидетельство о рождении: IV-МЮ ****56" in summary
    assert "Паспорт" not in summary
    assert "Работодатель" not in summary and "Должность" not in summary

    # The same account also applies for itself: a second profile, listed separately.
    await olga.press("В меню")
    await olga.press("Оформить ЭМК")
    assert "Петров Иван Сергеевич (ребёнок)" in olga.buttons()
    assert "Анкета для себя" in olga.buttons()


async def test_summary_lists_what_is_missing_and_jumps_there(world: World) -> None:
    anna = world.person()
    await begin(world, anna)
    await fill_up_to_the_photo(anna, email=None, passport="4508 123456")
    await anna.send_photo(GOOD_PORTRAIT)
    await anna.press("Использовать это фото")
    await anna.press("Пропустить")  # employer
    await pass_documents(anna, ["passport", "registration", "oms"])
    # Change the birth date to a child's: the passport no longer applies, a birth certificate is missing.
    await anna.press("Изменить: Личные данные")
    for _ in range(3):
        await anna.press("Оставить как есть")
    await anna.send("10.05.2016")
    for _ in range(4):
        await anna.press("Оставить как есть")
    assert anna.last.startswith("Проверьте анкету")
    assert "Не заполнено:" in anna.last and "• Свидетельство о рождении\n" in anna.last
    assert "• Свидетельство о рождении (скан)" in anna.last  # and its scan
    assert "Заполнить: Свидетельство о рождении (скан)" in anna.buttons()
    await anna.press("Заполнить: Свидетельство о рождении")
    assert "свидетельства о рождении" in anna.last


async def test_identifiers_are_not_in_the_database_file_in_clear(world: World) -> None:
    anna = world.person()
    await begin(world, anna)
    await fill_up_to_the_photo(anna, email="secret.mail@example.com", passport="4508 918273")
    await world.stop()
    raw = b""
    for path in sorted(world.data_dir.glob("emk.db*")):  # the database, its WAL and shared memory
        raw += path.read_bytes()
    with sqlite3.connect(world.data_dir / "emk.db") as conn:
        raw += "\n".join(str(row) for row in conn.execute("SELECT * FROM profiles")).encode()
        raw += "\n".join(str(row) for row in conn.execute("SELECT * FROM fsm_records")).encode()
    for secret in ["4508", "918273", "11223344595", "112-233-445", "7700000000000016", "79161234567",
                   "secret.mail", "Иванова"]:
        assert secret.encode() not in raw, secret
    assert (world.data_dir / "data.key").stat().st_mode & 0o077 == 0
    await world.start()

