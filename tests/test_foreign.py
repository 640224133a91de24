"""A foreign worker applies through the bot: the foreign passport instead of the Russian one, СНИЛС and a
policy only where they have them, the foreign passport's main page as the only passport scan."""

from __future__ import annotations

from tests.harness import World
from tests.test_wizard import GOOD_PORTRAIT, begin, expect_error, expect_step, pass_documents


async def test_a_foreign_worker_gives_a_foreign_passport_and_a_dms_policy(world: World) -> None:
    alisher = world.person(user_id=5550020, first_name="Alisher")
    await begin(world, alisher)
    await alisher.share_contact("79161234567")
    await alisher.press("Пропустить")
    for text in ["Каримов", "Алишер"]:
        await alisher.send(text)
    await alisher.press("Пропустить")  # no patronymic
    await alisher.send("01.02.1995")
    await alisher.press("Мужской")
    await alisher.press("Другое гражданство")
    await alisher.send("123456, г. Москва, ул. Ленина, д. 1")
    await alisher.press("Работа с пищевыми продуктами")

    # The foreign passport, not «Серия и номер паспорта РФ».
    expect_step(alisher, "Иностранный паспорт · 1 из 4", "страна выдала ваш паспорт")
    assert "миграционную карту и патент указывать не нужно" in alisher.last
    assert "Узбекистан" in alisher.buttons() and "Другая страна" in alisher.buttons()
    await alisher.press("Узбекистан")
    expect_step(alisher, "Иностранный паспорт · 2 из 4", "Номер паспорта, как он напечатан")
    await alisher.send("AA 12Ж4567")
    expect_error(alisher, "латинские буквы и цифры")
    await alisher.send("\u200bаа 1234567")  # a zero-width space and the Russian keyboard layout
    await alisher.send("01.01.1990")  # before his birth
    expect_error(alisher, "раньше даты рождения")
    await alisher.send("15.03.2020")
    await alisher.send("14.03.2025")  # expired: a warning, he may go on
    assert alisher.replies[0].startswith("⚠️") and "истёк" in alisher.replies[0]

    # No СНИЛС: skipped. A ДМС policy with its insurer.
    assert "СНИЛС" in alisher.last and "Пропустить" in alisher.buttons()
    await alisher.press("Пропустить")
    assert "Какой у вас медицинский полис" in alisher.last
    await alisher.press("Полис ДМС")
    await alisher.send("полис ДМС № 001-23/456789")
    await alisher.send("АО «СОГАЗ»")

    expect_step(alisher, "Фото и документы · 1 из 4", "Фото 3×4")  # the passport page, the policy, others
    await alisher.send_photo(GOOD_PORTRAIT)
    await alisher.press("Использовать это фото")
    await alisher.press("Пропустить")  # employer
    # Only the passport's main page and the policy: no registration page.
    assert "Иностранным гражданам — разворот национального паспорта" in alisher.last
    await pass_documents(alisher, ["passport", "policy"])
    summary = alisher.last
    assert summary.startswith("Проверьте анкету"), summary
    assert "✅ Все обязательные поля заполнены." in summary
    assert "Паспорт, регистрация" not in summary
    assert "Паспорт иностранного гражданина:" in summary and "Полис ДМС:" in summary
    assert "Страховая компания: АО «СОГАЗ»" in summary
