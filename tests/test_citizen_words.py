"""Issue 9, the citizen side, walked through the bot: a typed phone number, what the summary says of a foreign
citizen's documents, a child's profile without a job, and the limit on profiles per account."""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator
from domain.applicant import Citizenship, Dms, Draft, ForeignPassport, Passport, PolicyKind, Relation, Sex
from services.wizard import MAX_PROFILES
from tests.harness import Person, World
from tests.test_uploads import at_step
from tests.test_wizard import begin, expect_error, expect_step


async def open_summary(world: World, person: Person, draft: Draft) -> str:
    """Save `draft` as the person's only profile, finished, and open it from the menu as they would."""
    assert world.deps is not None
    profiles = await world.deps.profiles.list_for(person.user.id)
    profile = profiles[0] if profiles else await world.deps.profiles.create(person.user.id, draft.relation)
    await world.deps.profiles.save(profile, draft, "summary")
    await resume(person)
    title = next(b for b in person.buttons() if b.endswith("(для себя)") or b.endswith("(ребёнок)"))
    await person.press(title)
    assert person.last.startswith("Проверьте анкету"), person.last
    return person.last


async def resume(person: Person) -> None:
    """/cancel from wherever the person is, then the menu's button back to the applications."""
    await person.command("cancel")
    await person.press("Продолжить заполнение" if "Продолжить заполнение" in person.buttons() else "Оформить ЭМК")


def adult(**changes: object) -> Draft:
    """A finished draft of a Russian adult (the photo and the scans as if uploaded), with `changes`."""
    base = Draft(
        phone="+79161234567", phone_confirmed=True, surname="Иванова", name="Анна", patronymic_skipped=True,
        birth_date=date(1990, 2, 1), sex=Sex.FEMALE, citizenship=Citizenship.RU, postal_index="123456",
        address="123456, г. Москва, ул. Ленина, д. 1", category="food", email_skipped=True,
        passport=Passport(series="4508", number="123456", issue_date=date(2010, 3, 15), division_code="770-001",
                          issued_by="ОВД Арбат"),
        snils="112-233-445 95", oms_kind="enp", oms_number="7700000000000016", photo_upload_id=1,
        employer_skipped=True, confirmed_documents=["oms_policy", "passport_main", "passport_registration"],
        skipped_documents=["others"],
    )
    return base.model_copy(update=changes)


async def test_a_typed_mobile_number_is_accepted_and_marked_not_confirmed(world: World) -> None:
    boris = world.person(user_id=5550031, first_name="Борис")
    await begin(world, boris)
    assert "номер можно написать сообщением" in boris.replies[0]
    await boris.send("8 (495) 123-45-67")  # a landline
    expect_error(boris, "нужен мобильный")
    await boris.send("\u200b8 (916) 123-45-67")  # with an invisible character pasted along
    assert boris.replies[0].startswith("✅ Телефон сохранён. Он введён вручную")
    assert boris.reply_keyboard() == []  # the contact button is gone
    expect_step(boris, "Контакты · 2 из 2", "электронной почты")

    assert world.deps is not None
    draft = (await world.deps.profiles.list_for(boris.user.id))[0].draft
    assert draft.phone == "+79161234567" and draft.phone_typed
    summary = await open_summary(world, boris, adult(phone=draft.phone, phone_confirmed=False))
    assert "Телефон: +7 9** ***-**-67 (не подтверждён Telegram)" in summary

    # A number from the button is simply «Телефон» with no remark.
    summary = await open_summary(world, boris, adult())
    assert "Телефон: +7 9** ***-**-67\n" in summary


async def test_a_foreign_citizens_summary_names_the_country_and_policy_and_masks_the_numbers(world: World) -> None:
    alisher = world.person(user_id=5550032, first_name="Alisher")
    await alisher.command("start")
    await alisher.press("Согласен")
    foreign = adult(
        surname="Каримов", name="Алишер", sex=Sex.MALE, citizenship=Citizenship.OTHER,
        foreign_passport=ForeignPassport(country="uz", number="AA 1234567", issue_date=date(2020, 3, 15),
                                         expiry_skipped=True),
        snils=None, snils_skipped=True, oms_kind=None, oms_number=None, policy_kind=PolicyKind.DMS,
        dms=Dms(number="001-23/456789", insurer="АО «СОГАЗ»"), passport=Passport(),
        confirmed_documents=["oms_policy", "passport_main"],
    )
    summary = await open_summary(world, alisher, foreign)
    assert "Страна паспорта: Узбекистан" in summary and ": uz" not in summary
    assert "Паспорт иностранного гражданина: ** *****67" in summary and "1234567" not in summary
    assert "Вид полиса: Полис ДМС" in summary and ": dms" not in summary
    assert "Полис ДМС: ***-**/**6789" in summary and "456789" not in summary
    assert "Медицинский полис\n" in summary and "Полис ОМС\n" not in summary  # the section's name
    assert "Полис ДМС (скан): ✅ загружено" in summary and "Полис ОМС (скан)" not in summary
    assert "Изменить: Медицинский полис" in alisher.buttons()

    # A country typed by hand is shown by its name, once.
    other = foreign.model_copy(update={"foreign_passport": foreign.foreign_passport.model_copy(
        update={"country": "other", "country_name": "Вьетнам"})})
    summary = await open_summary(world, alisher, other)
    assert "Страна паспорта: Вьетнам" in summary and "Другая страна" not in summary
    assert summary.count("Вьетнам") == 1


async def test_a_working_teenager_is_asked_about_the_childs_job_not_yours(world: World) -> None:
    olga = world.person(user_id=5550033, first_name="Ольга")
    await at_step(world, olga, "category", child=True)
    assert world.deps is not None
    profile = (await world.deps.profiles.list_for(olga.user.id))[0]
    teen = profile.draft.model_copy(update={"birth_date": date(2010, 5, 10), "category": None})
    await world.deps.profiles.save(profile, teen, "category")
    await resume(olga)
    await olga.press(olga.buttons()[0])
    assert "ребёнку нужна книжка" in olga.last and "Категория работы" not in olga.last
    await olga.press("Работа с пищевыми продуктами")
    profile = (await world.deps.profiles.list_for(olga.user.id))[0]
    await world.deps.profiles.save(profile, profile.draft, "employer_name")
    await resume(olga)
    await olga.press(olga.buttons()[0])
    expect_step(olga, "Работодатель · 1 из 6", "Где работает ребёнок")  # sixteen: may work
    for answer in ["ООО «Ромашка»", "7707083893", "1027700132195"]:
        await olga.send(answer)
    await olga.press("Пропустить")  # ОКПО
    assert "Должность ребёнка" in olga.last and "Ваша должность" not in olga.last


async def test_profiles_per_account_are_limited(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    assert world.deps is not None
    for _ in range(MAX_PROFILES - 1):
        await world.deps.profiles.create(anna.user.id, Relation.CHILD)
    await anna.press("Оформить ЭМК")
    await anna.press("Анкета для себя")  # the tenth
    assert "Поделитесь номером" in anna.said
    await resume(anna)
    await anna.press("Анкета для ребёнка")  # an eleventh
    assert anna.last == f"В одном аккаунте можно вести не больше {MAX_PROFILES} анкет. " \
                        "Продолжите одну из начатых — они в списке выше."
    assert len(await world.deps.profiles.list_for(anna.user.id)) == MAX_PROFILES


def test_the_new_texts_read_well_in_english_too() -> None:
    tr = Translator()
    assert tr.get("en", "apply-progress", section="Passport", n=3, m=4) == "Passport · 3 of 4"
    assert tr.get("en", "review-submitted", number="N-1", days=1).count("within 1 day.") == 1
    assert "within 2 days." in tr.get("en", "review-submitted", number="N-1", days=2)
    assert "в течение 1 дня." in tr.get("ru", "review-submitted", number="N-1", days=1)
    assert "pixel" not in tr.get("en", "apply-photo-result") and "dpi" not in tr.get("en", "apply-photo-result")
