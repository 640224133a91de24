"""Issue 11 through the bot: the exam checklist, results uploaded item by item, staff confirming or returning
them on one card per applicant, and approval waiting until every required item is confirmed."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.i18n import Translator
from bot.operator_files import EXAMPLE_CLINICS_PATH
from domain.exams import ExamState
from domain.policy import ExamCode, ExamResult
from storage.exams import ExamRepository
from tests.harness import Person, World
from tests.test_review import (
    ALICE,
    SCAN,
    SCAN2,
    STAFF_CHAT,
    ready_to_submit,
    staff_card,
    staff_press,
    staff_say,
    submitted,
)

# A smaller checklist than the shipped one (the policy decides; the journey is the same): five required items
# at hiring, one of them only at hiring, and an optional vaccination.
POLICY = """
[exams]
general = ["therapist", "fluorography", "vaccination_measles"]
[categories.food]
exams = ["dentist", "hygiene_attestation"]
exams_at_hiring = ["staph_swab"]
"""
# What a person answers for each item: the date, the institution, then the result (a button or typed).
ANSWERS: dict[str, tuple[str, str | None]] = {
    "Терапевт (профпатолог)": ("20.11.2026", "Годен"),
    "Флюорография": ("03.02.2025", None),  # the previous calendar year still counts
    "Стоматолог": ("21.11.2026", "Допущен"),
    "Гигиеническая аттестация": ("22.11.2026", "77-123456"),
    "Мазок из зева и носа на стафилококк": ("23.11.2026", "Отрицательно"),
}


async def with_policy(world: World, tmp_path: Path, policy: str = POLICY) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(policy, encoding="utf-8")
    world.env["POLICY_FILE"] = str(path)
    world.env["STAFF_CHAT_ID"] = str(STAFF_CHAT)
    await world.restart()


def exam_cards(world: World) -> list[dict[str, Any]]:
    return [m for m in world.api.sent_messages(STAFF_CHAT) if m.get("text", "").startswith("Обследования: ")]


async def enter(world: World, anna: Person, label: str, *, restart_after_file: bool = False) -> None:
    """One item, the way a person does it: the item, the file, the date, the institution, the result."""
    await anna.press(f"⬜ {label}")
    assert anna.last.startswith(f"{label}: пришлите результат"), anna.last
    await anna.send_file(SCAN if label != "Стоматолог" else SCAN2, "result.png", "image/png")
    assert "Файл принят" in anna.said and "когда проводилось" in anna.last, anna.said
    if restart_after_file:
        await world.restart()
    when, result = ANSWERS[label]
    await anna.send(when)
    assert "где проводилось" in anna.last, anna.last
    await anna.send("ГБУЗ «Городская поликлиника № 5»")
    if result is None:
        return
    if result in anna.buttons():
        await anna.press(result)
    else:
        await anna.send(result)


async def dentist_file_sent(world: World) -> Person:
    """Anna sent her application, opened «Обследования» and sent the dentist's result: the date is asked."""
    anna = world.person()
    await submitted(world, anna)
    await anna.press("Обследования")
    await anna.press("⬜ Стоматолог")
    await anna.send_file(SCAN, "result.png", "image/png")
    assert "когда проводилось" in anna.last
    return anna


async def test_the_whole_exam_journey(world: World, tmp_path: Path) -> None:
    await with_policy(world, tmp_path)
    anna = world.person()
    await submitted(world, anna)

    # Offered right after sending: the checklist with states and the progress line.
    await anna.press("Обследования")
    assert "0 из 5 готово" in anna.last
    assert "Предварительный осмотр" in anna.last
    assert "Мазок из зева и носа на стафилококк (только при приёме на работу) — Не загружено" in anna.last
    assert "Прививка: корь (по желанию) — Не загружено" in anna.last
    assert "правило организации" in anna.last  # the attestation period is the operator's rule

    # Approval waits for the exams: staff cannot approve yet, and the card says what is open.
    await staff_press(world, ALICE, "Взять в работу")
    await staff_press(world, ALICE, "Одобрить")
    answers = [c for c in world.api.calls_to("answerCallbackQuery") if "не подтверждены" in str(c.params.get("text"))]
    assert answers and "Стоматолог" in str(answers[-1].params["text"])
    assert world.deps is not None
    assert [h.to_status.value for h in await world.deps.applications.history(1)] == ["accepted", "in_review"]
    assert "Обследования не подтверждены (5)" in staff_card(world)["text"]

    for number, label in enumerate(ANSWERS):
        await enter(world, anna, label, restart_after_file=number == 1)  # a restart mid-item loses nothing
        assert f"{label}: отправлено на проверку" in anna.said, anna.said
        await world.sweep()
    assert "0 из 5 готово" in anna.last  # all sent, none confirmed yet
    assert "На проверке" in anna.last

    # Staff: ONE card for Anna's results, edited as they arrived, with the file on request.
    cards = exam_cards(world)
    assert len(cards) == 1, [c["text"] for c in cards]
    card = cards[0]["text"]
    assert "Заявление ЭМК-2026-000001" in card
    assert "дата 21.11.2026, ГБУЗ «Городская поликлиника № 5», результат: Допущен" in card
    assert "результат: 77-123456" in card
    await staff_press(world, ALICE, "📎 Стоматолог")
    assert [c for c in world.api.calls_to("sendDocument") if str(c.params.get("chat_id")) == str(ALICE)]

    # Staff return one with a reason (a reply to the prompt); Anna is told, and uploads exactly that item again.
    await staff_press(world, ALICE, "↩️ Вернуть: Стоматолог")
    await staff_say(world, ALICE, "Не видно печати врача")
    assert "Возвращено: Не видно печати врача" in exam_cards(world)[0]["text"]
    await world.sweep()
    push = [m for m in world.api.sent_messages(anna.chat_id) if "результат возвращён" in m.get("text", "")]
    assert push and "Не видно печати врача" in push[-1]["text"]
    await world.restart()
    await anna.press("Загрузить заново")
    assert anna.last.startswith("Стоматолог: пришлите результат")
    await anna.send_file(SCAN, "result.png", "image/png")
    assert "Файл принят" in anna.said
    await anna.send("21.11.2026")
    await anna.send("ГБУЗ «Городская поликлиника № 5»")
    await anna.press("Допущен")
    assert "Стоматолог: отправлено на проверку" in anna.said
    await world.sweep()
    assert len(exam_cards(world)) == 1

    # Staff confirm every item; each confirmation is pushed; the card shows nothing open.
    for label in ANSWERS:
        await staff_press(world, ALICE, f"✅ Подтвердить: {label}")
    await world.sweep()
    card = exam_cards(world)[0]["text"]
    assert "5 из 5 готово" in card and "Не подтверждено" not in card
    sent_to_anna = world.api.sent_messages(anna.chat_id)
    confirmed = [m["text"] for m in sent_to_anna if "результат подтверждён" in m.get("text", "")]
    assert len(confirmed) == len(ANSWERS)
    assert any("Стоматолог: результат подтверждён, действует до 20.11.2027" in t for t in confirmed)
    assert any("Флюорография: результат подтверждён, действует до 31.12.2026" in t for t in confirmed)

    # Now the application can be approved.
    await staff_press(world, ALICE, "Одобрить")
    assert [h.to_status.value for h in await world.deps.applications.history(1)][-1] == "approved"

    # The confirmed results are the book's entries: date, result, institution, valid until, who, when.
    repo = ExamRepository(world.deps.engine, world.clock, world.deps.cipher)
    entries = {r.item: r for r in await repo.list_for(1) if r.state is ExamState.CONFIRMED}
    assert set(entries) == {"therapist", "fluorography", "dentist", "hygiene_attestation", "staph_swab"}
    dentist = entries["dentist"]
    assert (dentist.done_on, dentist.result) == (date(2026, 11, 21), "admitted")
    assert dentist.valid_until == date(2027, 11, 20)
    assert dentist.institution == "ГБУЗ «Городская поликлиника № 5»" and dentist.decided_by == ALICE
    assert dentist.decided_at is not None and dentist.decided_by_name == "Алиса"
    assert entries["hygiene_attestation"].result == "77-123456"
    returned = [r for r in await repo.list_for(1) if r.state is ExamState.RETURNED]
    assert [(r.item, r.reason) for r in returned] == [("dentist", "Не видно печати врача")]

    # What a result says is health data: none of it is in the database file in clear.
    await world.stop()
    raw = b"".join(path.read_bytes() for path in sorted(world.data_dir.glob("emk.db*")))
    with sqlite3.connect(world.data_dir / "emk.db") as conn:
        raw += "\n".join(str(row) for row in conn.execute("SELECT * FROM exam_results")).encode()
    for secret in ["Городская поликлиника", "77-123456", "Не видно печати", "admitted"]:
        assert secret.encode() not in raw, secret
    await world.start()

    # Every view and decision is audited, with ids only.
    actions = [e["action"] for e in await world.deps.applications.audit_entries()]
    assert actions.count("staff.exam_confirm") == len(ANSWERS)
    assert "staff.exam_return" in actions and "staff.exam_file" in actions and "staff.approve_waits" in actions
    assert actions.count("exams.sent") == len(ANSWERS) + 1


async def test_dates_future_too_old_and_the_boundary_day(world: World, tmp_path: Path) -> None:
    await with_policy(world, tmp_path)
    anna = await dentist_file_sent(world)
    # Today is 25.11.2026 (the harness clock); a dentist's result lasts the category's 12 months.
    await anna.send("26.11.2026")
    assert anna.last.startswith("Дата не может быть в будущем")
    await anna.send("25.11.2025")
    assert "срок истёк 24.11.2026" in anna.last
    await anna.send("31.02.2026")
    assert "когда проводилось" not in anna.last and "где проводилось" not in anna.last
    await anna.send("26.11.2025")  # valid through 25.11.2026 — today: the last day it counts
    assert "где проводилось" in anna.last

    # Back and cancel: the draft is kept and resumed at the question it stopped at.
    await anna.press("← Назад")
    assert "когда проводилось" in anna.last
    await anna.send("26.11.2025")
    await anna.press("Отмена")
    assert "Стоматолог — Не закончено" in anna.last
    await world.restart()
    await anna.press("✏️ Стоматолог")
    assert "где проводилось" in anna.last
    await anna.send("Поликлиника")
    await anna.press("Допущен")
    assert "Стоматолог: отправлено на проверку" in anna.said
    await anna.press("⏳ Стоматолог")  # on review: nothing to enter


async def test_a_teacher_and_a_food_worker_get_their_checklists_from_the_shipped_policy(world: World) -> None:
    anna = world.person()
    await submitted(world, anna)  # food, a woman of 36, first application: at hiring
    await anna.press("Обследования")
    food = anna.last
    assert "Мазок из зева и носа на стафилококк" in food and "Гинеколог" in food and "Маммография" not in food
    assert world.deps is not None
    profile = (await world.deps.profiles.list_for(anna.user.id))[0]
    await world.deps.profiles.save(profile, profile.draft.model_copy(update={"category": "children"}), "summary")
    await world.restart()
    await anna.press("В меню")
    await anna.press("Обследования")  # the main menu has it for a person with a work category
    assert anna.last != food
    assert "Анализ на гонорею" in anna.last and "Мазок из зева и носа на стафилококк" not in anna.last


async def test_the_institution_is_one_of_the_operators_clinics(world: World) -> None:
    world.env["CLINICS_FILE"] = str(EXAMPLE_CLINICS_PATH)
    await world.restart()
    anna = await dentist_file_sent(world)
    await anna.send("20.11.2026")
    clinics = [b for b in anna.buttons() if "Пример" in b]
    assert clinics == ["Медицинский центр «Пример» на Тверской", "Медицинский центр «Пример-Урал»"]  # dentists
    await anna.press("Медицинский центр «Пример-Урал»")
    await anna.press("Допущен")
    assert "Стоматолог: отправлено на проверку" in anna.said
    assert world.deps is not None
    record = (await ExamRepository(world.deps.engine, world.clock, world.deps.cipher).list_for(1))[-1]
    assert (record.clinic, record.institution) == ("ekb-malysheva", "Медицинский центр «Пример-Урал»")


async def test_with_before_submit_the_application_waits_for_the_exams(world: World, tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY.replace("[exams]\n", "[exams]\nbefore_submit = true\n"), encoding="utf-8")
    world.env["POLICY_FILE"] = str(path)
    await world.restart()
    anna = world.person()
    await ready_to_submit(world, anna)
    await anna.press("✍️ Подписать и отправить")
    await anna.press("Подписать и отправить")
    alerts = [c for c in world.api.calls_to("answerCallbackQuery") if "Сначала загрузите" in str(c.params.get("text"))]
    assert alerts and "осталось: 5" in str(alerts[-1].params["text"])
    assert world.deps is not None and await world.deps.applications.count() == 0


async def test_a_confirmed_result_runs_out_and_is_asked_again(world: World, tmp_path: Path) -> None:
    await with_policy(world, tmp_path)
    anna = world.person()
    await submitted(world, anna)
    await anna.press("Обследования")
    await enter(world, anna, "Стоматолог")
    await world.sweep()
    await staff_press(world, ALICE, "✅ Подтвердить: Стоматолог")
    await anna.press("В меню")
    await anna.press("Обследования")
    assert "✅ Стоматолог — Подтверждено, действует до 20.11.2027" in anna.last and "1 из 5 готово" in anna.last
    world.clock.advance(timedelta(days=366))  # 26.11.2027
    await anna.press("В меню")
    await anna.press("Обследования")
    assert "⚠️ Стоматолог — Срок истёк 20.11.2027, нужен новый результат" in anna.last
    assert "0 из 5 готово" in anna.last


def test_every_exam_code_and_result_has_a_name() -> None:
    t = Translator()
    wanted = {"exam-" + code.value.replace("_", "-") for code in ExamCode}
    wanted |= {"exam-result-" + v.replace("_", "-") for kind in ExamResult for v in kind.choices}
    wanted |= {"exam-state-" + s.value.replace("_", "-") for s in ExamState if s is not ExamState.CONFIRMED}
    for code in t.keys:
        assert sorted(wanted - t.keys[code]) == [], code


async def test_results_stored_in_clear_by_an_earlier_version_are_sealed_at_start(world: World, tmp_path: Path) -> None:
    anna = await dentist_file_sent(world)
    await anna.send("21.11.2026")
    await anna.send("ГБУЗ «Городская поликлиника № 5»")
    await world.stop()
    with sqlite3.connect(world.data_dir / "emk.db") as conn:  # as an earlier version wrote it
        conn.execute("UPDATE exam_results SET institution = 'Old clinic', result = 'admitted'")
    await world.start()
    assert world.deps is not None
    with sqlite3.connect(world.data_dir / "emk.db") as conn:
        stored = conn.execute("SELECT institution, result FROM exam_results").fetchall()
    assert stored and all(value.startswith("v2:") for row in stored for value in row), stored
    record = (await ExamRepository(world.deps.engine, world.clock, world.deps.cipher).list_for(1))[-1]
    assert (record.institution, record.result) == ("Old clinic", "admitted")
