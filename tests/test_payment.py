"""Payment for the organisation's service (PRODUCT.md, step 11): invoices in Telegram, receipts, exemptions."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import SUPPORTED, Translator
from bot.operator_files import EXAMPLE_POLICY_PATH, load_policy
from domain.applicant import Draft
from domain.policy import Exemption
from fsm.states import Apply
from fsm.steps import applicable
from services.wizard import context
from storage.profiles import Profile
from tests.harness import Person, World
from tests.test_uploads import BROKEN, SCAN, TR, at_step
from views.payment import format_amount

PROVIDER_TOKEN = "284685063:TEST:abc"
LOCALES = Path(__file__).resolve().parent.parent / "locales"


async def priced(world: World, tmp_path: Path, *, price: str = "1500", token: bool = False) -> None:
    """Restart the bot with the example policy at `price` roubles (and a payment provider token)."""
    text = EXAMPLE_POLICY_PATH.read_text(encoding="utf-8")
    assert "\nprice_rub = 0 " in text
    path = tmp_path / "policy.toml"
    path.write_text(text.replace("\nprice_rub = 0 ", f"\nprice_rub = {price} ", 1), encoding="utf-8")
    world.env["POLICY_FILE"] = str(path)
    if token:
        world.env["PAYMENT_PROVIDER_TOKEN"] = PROVIDER_TOKEN
    await world.restart()


async def open_payment(world: World, person: Person, *, child: bool = False) -> None:
    """A consented person whose draft stands at the payment step opens it from the menu."""
    await at_step(world, person, "payment", child=child)
    for label in ("Оформить ЭМК", "Продолжить заполнение"):
        if label in person.buttons():
            await person.press(label)
            break
    await person.press("Иванова Анна (ребёнок)" if child else "Иванова Анна (для себя)")


async def profile_of(world: World, person: Person) -> Profile:
    assert world.deps is not None
    return (await world.deps.profiles.list_for(person.user.id))[0]


async def state_of(world: World, person: Person) -> str | None:
    assert world.dp is not None and world.bot is not None
    return await world.dp.fsm.get_context(world.bot, chat_id=person.chat_id, user_id=person.user.id).get_state()


async def test_invoice_pre_checkout_and_successful_payment_once(world: World, tmp_path: Path) -> None:
    await priced(world, tmp_path, token=True)
    assert world.deps is not None and world.updates is not None
    anna = world.person()
    await open_payment(world, anna)

    screen = anna.last
    assert screen.startswith("Оплата · 1 из 1 ▰")
    assert "Стоимость: 1 500 ₽" in screen
    assert world.deps.policy.payment.covers_ru in screen
    assert "плата организации" in screen and "пошлин" not in screen.lower()
    buttons = anna.buttons()
    for label in ("Оплатить в Telegram", "Оплачу по реквизитам", "Я студент", "Я пенсионер", "← Назад", "Отмена"):
        assert label in buttons
    assert "Ребёнок до 14 лет" not in buttons  # an adult
    assert "Оставить как есть" not in buttons  # nothing settled yet

    await anna.press("Оплатить в Telegram")
    invoice = world.api.calls_to("sendInvoice")[-1]
    assert invoice.ok and invoice.params["chat_id"] == str(anna.chat_id)
    assert invoice.params["currency"] == "RUB"
    assert [p["amount"] for p in invoice.params["prices"]] == [150000]
    assert invoice.params["provider_token"] == PROVIDER_TOKEN
    profile = await profile_of(world, anna)
    payload = invoice.params["payload"]
    assert re.fullmatch(rf"emk-pay:{profile.id}:[0-9a-f]{{16}}", payload)
    assert await state_of(world, anna) == Apply.payment.state  # still on the step until Telegram reports

    async def pre_checkout(person: Person, total: int, *, invoice_payload: str = payload) -> tuple[bool, str]:
        assert world.updates is not None
        await person.send_update(world.updates.pre_checkout(person.user, payload=invoice_payload, total_amount=total))
        answer = world.api.calls_to("answerPreCheckoutQuery")[-1]
        assert answer.ok
        return answer.get_bool("ok"), answer.get_str("error_message") or ""

    assert await pre_checkout(anna, 150000) == (True, "")
    ok, why = await pre_checkout(anna, 100)  # a tampered amount
    assert not ok and why.startswith("Сумма не совпадает")
    ok, why = await pre_checkout(anna, 150000, invoice_payload=f"emk-pay:{profile.id}:0000000000000000")
    assert not ok and "больше не действует" in why
    bob = world.person(5550002, "Bob", "en")
    await bob.command("start")
    ok, why = await pre_checkout(bob, 150000)  # somebody else's invoice
    assert not ok and why.startswith("This invoice is no longer valid")

    # Telegram reports the payment, and delivers the same update twice. A Stars-like charge id is long.
    charge = "stx" + "Ab9_" * 45
    paid = world.updates.successful_payment(
        anna.user, payload=payload, total_amount=150000, telegram_payment_charge_id=charge,
        provider_payment_charge_id="2c3b1a0f-000f-5000-9000-1b2c3d4e5f60",
    )
    await anna.send_update(paid)
    assert anna.replies[-1].startswith("✅ Оплата получена: 1 500 ₽")
    assert "Проверьте анкету" in anna.last
    assert "\nОплата\nОплата: " in anna.last  # the payment section of the summary
    assert await state_of(world, anna) == Apply.summary.state
    await anna.send_update(paid)
    assert anna.replies == []

    receipts = await world.deps.payments.list_for(profile.id)
    assert len(receipts) == 1
    receipt = receipts[0]
    assert receipt.paid_in_telegram and receipt.amount == 150000 and receipt.currency == "RUB"
    assert receipt.telegram_payment_charge_id == charge and receipt.payload == payload
    assert receipt.provider_payment_charge_id == "2c3b1a0f-000f-5000-9000-1b2c3d4e5f60"
    draft = (await profile_of(world, anna)).draft
    assert draft.payment_receipt_id == receipt.id and draft.payment_settled(proof_needed=True)

    # Paid: the same invoice cannot be paid again, and the screen offers nothing more to pay.
    ok, why = await pre_checkout(anna, 150000)
    assert not ok
    await anna.press("Изменить: Оплата")
    assert "✅ Оплачено в Telegram: 1 500 ₽." in anna.last
    assert "Оплатить в Telegram" not in anna.buttons() and "Оставить как есть" in anna.buttons()
    await anna.press("Оставить как есть")
    assert "Проверьте анкету" in anna.last


async def test_payment_arriving_after_the_person_moved_on(world: World, tmp_path: Path) -> None:
    await priced(world, tmp_path, price="1500.50", token=True)
    assert world.deps is not None and world.updates is not None
    anna = world.person()
    await open_payment(world, anna)
    assert "Стоимость: 1 500,50 ₽" in anna.last
    await anna.press("Оплатить в Telegram")
    invoice = world.api.calls_to("sendInvoice")[-1]
    assert [p["amount"] for p in invoice.params["prices"]] == [150050]
    await anna.command("cancel")
    await anna.send_update(world.updates.successful_payment(
        anna.user, payload=invoice.params["payload"], total_amount=150050,
    ))
    assert anna.last.startswith("✅ Оплата получена: 1 500,50 ₽. Спасибо!")
    assert "учтена в анкете" in anna.last
    assert await state_of(world, anna) is None
    assert (await profile_of(world, anna)).draft.payment_settled(proof_needed=True)

    # Another person looks at the summary when the payment arrives: it is shown again, now complete there.
    assert world.dp is not None and world.bot is not None
    olga = world.person(5550003, "Ольга")
    await open_payment(world, olga)
    await olga.press("Оплатить в Telegram")
    payload = world.api.calls_to("sendInvoice")[-1].params["payload"]
    await world.dp.fsm.get_context(world.bot, chat_id=olga.chat_id, user_id=olga.user.id).set_state(Apply.summary)
    await olga.send_update(world.updates.successful_payment(olga.user, payload=payload, total_amount=150050))
    assert olga.last.startswith("✅ Оплата получена: 1 500,50 ₽. Спасибо!")
    assert "Проверьте анкету" in olga.last and "• Оплата" not in olga.last


async def test_receipt_by_instructions_without_a_token(world: World, tmp_path: Path) -> None:
    await priced(world, tmp_path)
    assert world.deps is not None
    anna = world.person()
    await open_payment(world, anna)
    assert "Стоимость: 1 500 ₽" in anna.last
    assert "Оплатить в Telegram" not in anna.buttons()

    await anna.press("Оплачу по реквизитам")
    assert world.deps.policy.payment.instructions_ru in anna.last
    assert "квитанцию" in anna.last
    await anna.press("← Назад")  # back to the ways of paying, and again
    assert "Стоимость: 1 500 ₽" in anna.last
    await anna.press("Оплачу по реквизитам")
    assert await state_of(world, anna) == Apply.payment_proof.state

    await anna.send("оплатила вчера")
    assert anna.replies == [TR.get("ru", "hint-apply-payment-proof")]
    await anna.send_file(BROKEN, "receipt.pdf", "application/pdf")
    assert anna.last.startswith("❌ ") and anna.last.endswith("Отправьте, пожалуйста, другой файл.")
    assert await state_of(world, anna) == Apply.payment_proof.state

    await anna.send_file(SCAN, "receipt.png", "image/png")
    assert "✅ Квитанция принята" in anna.said
    assert "Проверьте анкету" in anna.last
    draft = (await profile_of(world, anna)).draft
    assert draft.payment_receipt_id is not None and draft.payment_settled(proof_needed=True)
    receipt = await world.deps.payments.get(draft.payment_receipt_id)
    assert receipt is not None and receipt.provider == "manual" and receipt.status == "uploaded"
    assert receipt.amount == 150000 and receipt.upload_id is not None
    upload = await world.deps.uploads.get(receipt.upload_id)
    assert upload is not None and upload.kind == "payment_receipt" and upload.status == "active"


async def test_student_exemption_with_proof(world: World, tmp_path: Path) -> None:
    await priced(world, tmp_path)
    assert world.deps is not None
    anna = world.person()
    await open_payment(world, anna)
    await anna.press("Я студент")
    assert "студенческого билета" in anna.last
    await anna.send_file(SCAN, "student_card.png", "image/png")
    assert "✅ Льгота учтена: студент." in anna.said
    assert "Проверьте анкету" in anna.last
    draft = (await profile_of(world, anna)).draft
    assert draft.payment_exemption == Exemption.STUDENT.value and draft.payment_receipt_id is None
    assert draft.payment_proof_upload_id is not None and draft.payment_settled(proof_needed=True)
    proof = await world.deps.uploads.get(draft.payment_proof_upload_id)
    assert proof is not None and proof.kind == "exemption_proof"

    # Changed her mind: pays by instructions instead; the exemption and its proof go.
    await anna.press("Изменить: Оплата")
    assert "✅ Льгота: студент." in anna.last and "Оставить как есть" in anna.buttons()
    await anna.press("Оплачу по реквизитам")
    await anna.send_photo(SCAN)  # compressed by Telegram below a legible size: explained
    assert anna.last.startswith("❌ ") and await state_of(world, anna) == Apply.payment_proof.state
    await anna.send_file(SCAN, "receipt.png", "image/png")  # the same bytes as the proof: still fine
    assert "✅ Квитанция принята" in anna.said
    draft = (await profile_of(world, anna)).draft
    assert draft.payment_exemption is None and draft.payment_proof_upload_id is None
    assert draft.payment_receipt_id is not None
    old = await world.deps.uploads.get(proof.id)
    assert old is not None and old.status == "removed"


async def test_child_under_14_needs_no_proof(world: World, tmp_path: Path) -> None:
    await priced(world, tmp_path)
    kid_parent = world.person()
    await open_payment(world, kid_parent, child=True)
    assert "Ребёнок до 14 лет" in kid_parent.buttons()
    await kid_parent.press("Ребёнок до 14 лет")
    assert "✅ Льгота учтена: ребёнок до 14 лет." in kid_parent.said
    assert "Проверьте анкету" in kid_parent.last
    draft = (await profile_of(world, kid_parent)).draft
    assert draft.payment_exemption == Exemption.CHILD_UNDER_14.value
    assert draft.payment_proof_upload_id is None and draft.payment_receipt_id is None
    assert draft.payment_settled(proof_needed=False)


async def test_no_payment_step_without_a_price(world: World) -> None:
    assert world.deps is not None
    policy = world.deps.policy
    assert not policy.requires_payment
    ctx = context(policy, world.clock, world.deps.settings.tz)
    assert "payment" not in [s.key for s in applicable(Draft(), ctx)]

    anna = world.person()
    await at_step(world, anna, "doc_others")
    for label in ("Оформить ЭМК", "Продолжить заполнение"):
        if label in anna.buttons():
            await anna.press(label)
            break
    await anna.press("Иванова Анна (для себя)")
    await anna.press("Пропустить")  # the last document step: straight to the summary
    assert "Проверьте анкету" in anna.last
    assert "Оплата" not in anna.last


def test_amounts_are_written_the_local_way() -> None:
    from decimal import Decimal

    assert format_amount(Decimal(1500), "ru") == "1 500"
    assert format_amount(Decimal(1500), "en") == "1,500"
    assert format_amount(Decimal("1500.5"), "ru") == "1 500,50"
    assert format_amount(Decimal("1234567.05"), "en") == "1,234,567.05"
    assert format_amount(Decimal(900), "ru") == "900"
    tr = Translator()
    assert tr.get("ru", "pay-price-value", amount="1 500") == "1 500 ₽"
    assert tr.get("en", "pay-price-value", amount="1,500") == "RUB 1,500"


def test_every_exemption_has_its_texts() -> None:
    tr = Translator()
    for code in SUPPORTED:
        for exemption in Exemption:
            key = exemption.value.replace("_", "-")
            assert {f"btn-pay-exempt-{key}", f"pay-exemption-{key}"} <= tr.keys[code]
            if exemption.needs_proof:
                assert f"pay-proof-ask-{key}" in tr.keys[code]
    assert load_policy(EXAMPLE_POLICY_PATH).payment.exemptions == tuple(Exemption)


def test_never_called_a_state_duty() -> None:
    duty = re.compile(r"пошлин|state\s+duty", re.IGNORECASE)
    for code in SUPPORTED:
        text = (LOCALES / code / "payment.ftl").read_text(encoding="utf-8")
        assert not [line for line in text.splitlines() if duty.search(line)], code
