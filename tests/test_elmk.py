"""«Добавить мою ЭЛМК» through the bot: a holder adds the official ЭЛМК they already have (number, dates, its
PDF or a photo of its QR); it is shown «со слов владельца» until staff confirm it on its staff message."""

from __future__ import annotations

import io

import segno
from PIL import Image

from storage.elmk import ElmkRepository
from tests.harness import Person, World
from tests.test_review import ALICE, STAFF_CHAT, staff_press
from tests.test_wizard import SCAN_PDF, SCAN_PHOTO


def _qr_photo() -> bytes:
    """A phone photo of the ЭЛМК's QR: the code laid on a photographed page, as a JPEG."""
    code = io.BytesIO()
    segno.make("https://www.gosuslugi.ru/elmk/860102797025", error="m").save(code, kind="png", scale=20, border=4)
    page = Image.open(io.BytesIO(SCAN_PHOTO)).convert("RGB")
    qr = Image.open(code).convert("RGB")
    page.paste(qr, ((page.width - qr.width) // 2, (page.height - qr.height) // 2))
    out = io.BytesIO()
    page.save(out, "JPEG", quality=90)
    return out.getvalue()


async def _staffed(world: World) -> None:
    world.env["STAFF_CHAT_ID"] = str(STAFF_CHAT)
    await world.restart()


async def _open_flow(anna: Person) -> None:
    await anna.command("start")
    await anna.press("Согласен")
    await anna.press("Добавить мою ЭЛМК")


async def _answer_questions(anna: Person) -> None:
    await _open_flow(anna)
    assert "Центр гигиены и эпидемиологии" in anna.last and "86-01-027970-25" in anna.last
    await anna.send("86 01 027970 25")
    assert "Когда выдана ЭЛМК" in anna.last
    await anna.send("15.03.2025")
    assert "До какой даты действует" in anna.last
    await anna.send("15.03.2026")
    assert "PDF ЭЛМК" in anna.last


async def test_add_with_a_pdf_then_staff_confirm(world: World) -> None:
    await _staffed(world)
    anna = world.person()
    await _answer_questions(anna)
    await anna.send_file(SCAN_PDF, "elmk.pdf", "application/pdf")
    assert "ЭЛМК добавлена: ЭЛМК № 86-01-027970-25, выдана 15.03.2025" in anna.last, anna.said
    assert "со слов владельца" in anna.last

    await anna.command("start")
    await anna.press("Моя ЭМК")
    assert "официальная ЭЛМК (добавлена вами)" in anna.last
    assert "86-01-027970-25" in anna.last and "(со слов владельца)" in anna.last

    # Staff get one message with «Файл» and «Подтвердить»; a non-staff press changes nothing.
    await world.sweep()
    staff = [m for m in world.api.sent_messages(STAFF_CHAT) if "Добавлена ЭЛМК" in m.get("text", "")]
    assert len(staff) == 1 and "86-01-027970-25" in staff[0]["text"]
    await staff_press(world, 900777, "✅ Подтвердить")
    refusals = [c for c in world.api.calls_to("answerCallbackQuery") if "только сотрудникам" in str(c.params)]
    assert refusals
    assert world.deps is not None
    stored = await ElmkRepository(world.deps.engine, world.deps.clock, world.deps.cipher).list_for(anna.user.id)
    assert [e.status for e in stored] == ["reported"]

    await staff_press(world, ALICE, "📎 Файл")
    assert [c for c in world.api.calls_to("sendDocument") if str(c.params.get("chat_id")) == str(ALICE)]
    await staff_press(world, ALICE, "✅ Подтвердить")
    assert "Подтвердил: Алиса" in world.api.sent_messages(STAFF_CHAT)[-1]["text"]
    await world.sweep()
    assert any("подтвердил вашу ЭЛМК № 86-01-027970-25" in m.get("text", "")
               for m in world.api.sent_messages(anna.chat_id))
    await anna.command("start")
    await anna.press("Моя ЭМК")
    assert "(подтверждено сотрудником)" in anna.last and "со слов владельца" not in anna.last
    actions = [a["action"] for a in await world.deps.applications.audit_entries()]
    assert {"elmk.added", "staff.elmk_file", "staff.elmk_confirm", "staff.refused"} <= set(actions)


async def test_add_with_a_qr_photo(world: World) -> None:
    anna = world.person()
    await _answer_questions(anna)
    await anna.send_photo(SCAN_PHOTO)  # the same page without a QR code: refused as a document would be
    assert "Разрешение слишком низкое" in anna.said and "ЭЛМК добавлена" not in anna.said
    await anna.send_photo(_qr_photo())
    assert "ЭЛМК добавлена" in anna.last and "со слов владельца" in anna.last, anna.said
    assert world.deps is not None
    stored = await ElmkRepository(world.deps.engine, world.deps.clock, world.deps.cipher).list_for(anna.user.id)
    assert [(e.number, e.upload_id is not None) for e in stored] == [("86-01-027970-25", True)]


async def test_wrong_number_and_dates_are_refused_with_examples(world: World) -> None:
    anna = world.person()
    await _open_flow(anna)
    await anna.send("12345")
    assert "не похоже на номер ЭЛМК" in anna.last and "86-01-027970-25" in anna.last
    await anna.send("86-01-027970-25")
    await anna.send("01.01.2099")
    assert "ещё не наступила" in anna.last
    await anna.send("15.03.2025")
    await anna.send("01.03.2025")
    assert "позже даты выдачи" in anna.last
    await anna.press("← Назад")
    assert "Когда выдана ЭЛМК" in anna.last
    await anna.press("Отмена")
    assert "отменено" in anna.last
    await anna.send("86-01-027970-25")  # out of the flow: not taken as a number
    assert world.deps is not None
    stored = await ElmkRepository(world.deps.engine, world.deps.clock, world.deps.cipher).list_for(anna.user.id)
    assert stored == []
