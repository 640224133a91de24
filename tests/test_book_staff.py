"""The book issued and revoked by staff, through the bot: the exams confirmed → «Одобрить» → «Выдать ЭМК» (the
confirmed results are the book's entries) → the holder's card → «Моя ЭМК»; then «Отозвать ЭМК» with a reason →
the holder is told → the check says «отозвана»."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.web import create_web_app
from tests.harness import Person, World
from tests.test_exams import enter, with_policy
from tests.test_review import ALICE, staff_card, staff_press, staff_say, submitted

POLICY = """
[exams]
general = ["therapist"]
[categories.food]
exams = ["hygiene_attestation"]
exams_at_hiring = []
"""


async def _exams_walked(world: World, tmp_path: Path) -> Person:
    """Anna sent her application and both results; staff confirmed them on the exam card."""
    await with_policy(world, tmp_path, POLICY)
    anna = world.person()
    await submitted(world, anna)
    await staff_press(world, ALICE, "Взять в работу")
    await anna.press("Обследования")
    for label in ("Терапевт (профпатолог)", "Гигиеническая аттестация"):
        await enter(world, anna, label)
        await world.sweep()
    return anna


def _buttons(message: dict) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_staff_issue_the_book_from_confirmed_exams_then_revoke_it(world: World, tmp_path: Path) -> None:
    anna = await _exams_walked(world, tmp_path)
    await staff_press(world, ALICE, "✅ Подтвердить: Терапевт (профпатолог)")
    await staff_press(world, ALICE, "Одобрить")  # the attestation is still on review: approval waits
    assert "Выдать ЭМК" not in _buttons(staff_card(world))
    await staff_press(world, ALICE, "✅ Подтвердить: Гигиеническая аттестация")
    await staff_press(world, ALICE, "Одобрить")
    card = staff_card(world)
    assert "Статус: Одобрено" in card["text"] and "Выдать ЭМК" in _buttons(card)

    await staff_press(world, ALICE, "Выдать ЭМК")
    card = staff_card(world)
    assert "Статус: ЭМК выдана" in card["text"] and "Книжка: К-2026-000001" in card["text"]
    assert "Выдать ЭМК" not in _buttons(card) and "Отозвать ЭМК" in _buttons(card)
    assert world.deps is not None
    history = [h.to_status.value for h in await world.deps.applications.history(1)]
    assert history[-2:] == ["approved", "issued"]
    actions = [e["action"] for e in await world.deps.applications.audit_entries(1)]
    assert "staff.issue" in actions

    await world.sweep()
    photos = [c for c in world.api.calls_to("sendPhoto") if str(c.params.get("chat_id")) == str(anna.chat_id)]
    assert photos and "выдана: К-2026-000001" in photos[-1].params["caption"]
    opened = await world.deps.services.book.open(anna.user.id)
    assert opened is not None
    entries = {e.code: e for e in opened.book.entries}
    assert set(entries) == {"therapist", "hygiene_attestation"} and opened.book.required == tuple(entries)
    therapist = entries["therapist"]
    assert therapist.result == "fit" and therapist.institution == "ГБУЗ «Городская поликлиника № 5»"
    assert therapist.confirmed_by == "Алиса" and therapist.confirmed_at is not None
    assert therapist.title_key == "exam-therapist" and therapist.valid_until is not None
    assert entries["hygiene_attestation"].result == "77-123456"

    await anna.command("start")
    await anna.press("Моя ЭМК")
    assert "К-2026-000001" in anna.last
    await anna.press("Записи")  # the confirmed results, by the exams' own names, results in words
    assert "20.11.2026 · Терапевт (профпатолог) · Годен · ГБУЗ «Городская поликлиника № 5» — до" in anna.last
    assert "22.11.2026 · Гигиеническая аттестация · 77-123456" in anna.last

    # Revoke: a reason as a reply to the prompt; the holder is told; the check says «отозвана».
    await staff_press(world, ALICE, "Отозвать ЭМК")
    await staff_say(world, ALICE, "Подложный результат аттестации")
    card = staff_card(world)
    assert "Книжка К-2026-000001 отозвана" in card["text"] and "Отозвать ЭМК" not in _buttons(card)
    await world.sweep()
    told = [m["text"] for m in world.api.sent_messages(anna.chat_id) if "отозвана" in m.get("text", "")]
    assert told and "Подложный результат аттестации" in told[-1] and "К-2026-000001" in told[-1]
    assert "staff.revoke_book" in [e["action"] for e in await world.deps.applications.audit_entries(1)]

    await anna.command("start")
    await anna.press("Проверить книжку")
    await anna.send("К-2026-000001")
    assert "Книжка отозвана" in anna.last
    async with TestClient(TestServer(create_web_app(world.deps.services.book, world.deps.translator))) as web:
        page = await (await web.get(f"/b/{opened.book.check_id}?lang=ru")).text()
    assert "Книжка отозвана" in page and "К-2026-000001" in page
