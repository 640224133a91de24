"""Sharing a book with an employer, in the chat: «Поделиться» → ИНН/ОГРН (mistakes first) → name or skip → level →
lifetime → the link and its QR; «Мои ссылки» with every state; revoke with a confirmation; the employer's
confirmation pushes the holder at once. The rules of a share (domain/sharing.py) are tested here too."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from domain.ratelimit import TokenBucket
from domain.sharing import (
    ShareState,
    check_employer_id,
    expires_at,
    looks_like_token,
    new_token,
    same_employer,
    share_state,
    token_hash,
)
from services.book import IssuedBook
from services.sharing import ConfirmOutcome
from tests.harness import Person, World
from tests.test_book_bot import _issue, _qr, _sent

RIGHT_INN = "7707083893"
OTHER_INN = "5001007329"  # valid, but not the one the holder named
URL_RE = re.compile(r"http://localhost:8080/s/([A-Za-z0-9_-]{32})")


# --- the rules --------------------------------------------------------------------------------------------


def test_tokens_are_random_long_and_stored_only_as_a_hash() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200 and all(looks_like_token(t) for t in tokens)  # 32 characters: 192 bits
    token = next(iter(tokens))
    assert len(token_hash(token)) == 64 and token not in token_hash(token)
    assert not looks_like_token("x" * 31) and not looks_like_token("../" + "x" * 29) and not looks_like_token("")


def test_employer_id_is_an_inn_or_an_ogrn_checked_as_in_the_wizard() -> None:
    assert check_employer_id("ИНН 7707 083 893").value == RIGHT_INN
    assert check_employer_id("ОГРН 1027700132195").value == "1027700132195"
    assert [i.code for i in check_employer_id("7707083894").errors] == ["inn-checksum"]
    assert [i.code for i in check_employer_id("1027700132194").errors] == ["ogrn-checksum"]
    assert [(i.code, dict(i.params)) for i in check_employer_id("12345").errors] == [
        ("share-employer-id-length", {"got": 5})]
    assert [i.code for i in check_employer_id("77O7083893").errors] == ["inn-chars"]
    assert same_employer(RIGHT_INN, " 7707-083-893 ") and not same_employer(RIGHT_INN, OTHER_INN)
    assert not same_employer(RIGHT_INN, "7707083894")


def test_lifetimes_and_the_computed_state() -> None:
    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    until = expires_at(now, 30)
    assert until == now + timedelta(days=30)
    with pytest.raises(ValueError):
        expires_at(now, 31)
    assert share_state("created", until, now) is ShareState.CREATED
    assert share_state("opened", until, until) is ShareState.EXPIRED
    assert share_state("delivered", until, until + timedelta(days=1)) is ShareState.DELIVERED
    assert share_state("revoked", until, now) is ShareState.REVOKED


def test_token_bucket_refills_with_the_given_time_and_forgets_old_keys() -> None:
    bucket = TokenBucket(3, 0.5, max_keys=2)
    assert [bucket.take("a", 0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.retry_after("a") == pytest.approx(2.0)
    assert not bucket.take("a", 1.0) and bucket.take("a", 2.0) and not bucket.take("a", 2.0)
    assert bucket.take("b", 0.0) and bucket.take("c", 0.0) and len(bucket) == 2  # "a" forgotten
    assert bucket.take("a", 2.0)  # a forgotten key starts full
    with pytest.raises(ValueError):
        TokenBucket(0, 1)


# --- in the chat ------------------------------------------------------------------------------------------


async def holder_with_book(world: World, user_id: int = 5550001) -> tuple[Person, IssuedBook]:
    anna = world.person(user_id)
    await anna.command("start")
    await anna.press("Согласен")
    issued = await _issue(world, anna, child=False)
    await world.sweep()  # the card's push
    return anna, issued


async def share_from_chat(person: Person, *, employer: str = RIGHT_INN, name: str | None = "ООО Ромашка",
                          level: str = "Полный просмотр", days: str = "✅ 30 дней") -> str:
    """Walk «Моя ЭМК» → «Поделиться» → … and return the token of the link the bot sent."""
    await person.command("start")
    await person.press("Моя ЭМК")
    await person.press("📤 Поделиться")
    await person.send(employer)
    if name is None:
        await person.press("Пропустить")
    else:
        await person.send(name)
    await person.press(level)
    await person.press(days)
    match = URL_RE.search(person.said)
    assert match is not None, person.said
    return match.group(1)


async def revoked_and_expired(world: World) -> tuple[IssuedBook, str, str]:
    """A holder's book with two links, one revoked, the other past its 7 days: (book, revoked, expired)."""
    assert world.deps is not None
    anna, issued = await holder_with_book(world)
    revoked = await share_from_chat(anna)
    expiring = await share_from_chat(anna, days="7 дней")
    sharing = world.deps.services.sharing
    first = (await sharing.list_for(anna.user.id))[-1]  # newest first: the last one is the first made
    assert await sharing.revoke(anna.user.id, first.share.id)
    world.clock.advance(timedelta(days=7, seconds=1))
    return issued, revoked, expiring


async def test_share_walk_with_mistakes_then_list_open_confirm_and_revoke(world: World) -> None:
    assert world.deps is not None
    anna, issued = await holder_with_book(world)
    await anna.command("start")
    await anna.press("Моя ЭМК")
    assert {"📤 Поделиться", "🔗 Мои ссылки"} <= set(anna.buttons())
    await anna.press("🔗 Мои ссылки")
    assert "пока нет ссылок" in anna.last

    await anna.command("start")
    await anna.press("Моя ЭМК")
    await anna.press("📤 Поделиться")
    assert "ИНН" in anna.last and "ОГРН" in anna.last
    await anna.send("12345")
    assert "вы ввели 5 цифр" in anna.said
    await anna.send("7707083894")
    assert "Контрольная цифра ИНН не сходится" in anna.said
    await anna.send_update(anna.updates.sticker(anna.user))
    assert anna.replies == ["Пришлите ИНН или ОГРН работодателя цифрами или нажмите «Отмена»."]
    await anna.send("ИНН 7707083893")
    assert "Как называется работодатель" in anna.last and "Пропустить" in anna.buttons()
    await anna.send("ООО <Ромашка>")
    assert "Что увидит работодатель" in anna.last
    await anna.send("полный")
    assert anna.replies == ["Выберите, что увидит работодатель, — кнопкой под вопросом."]
    await anna.press("Полный просмотр")
    assert anna.buttons()[:3] == ["7 дней", "✅ 30 дней", "90 дней"]
    await anna.press("✅ 30 дней")
    photo = _sent(world, anna, "sendPhoto")[-1]
    match = URL_RE.search(photo.params["caption"])
    assert match is not None and "до 25.12.2026" in photo.params["caption"]
    token = match.group(1)
    assert _qr(photo.file("photo")) == f"http://localhost:8080/s/{token}"
    assert "Ссылка для ООО <Ромашка> (ИНН 7707083893) готова" in anna.last
    raw = b"".join(p.read_bytes() for p in world.data_dir.glob("emk.db*"))
    assert token.encode() not in raw and token_hash(token).encode() in raw
    assert "Ромашка".encode() not in raw and RIGHT_INN.encode() not in raw  # the employer is encrypted

    await anna.press("🔗 Мои ссылки")
    assert "ООО <Ромашка> (ИНН 7707083893)" in anna.last and "полный просмотр · до 25.12.2026" in anna.last
    assert "Состояние: Создана" in anna.last

    sharing = world.deps.services.sharing
    page = await sharing.page(token)
    assert page is not None and page.check.book == issued.book and page.photo is not None
    await anna.press("🔗 Мои ссылки")
    assert "Состояние: Открыта" in anna.last

    assert (await sharing.confirm(token, "12")).outcome is ConfirmOutcome.INVALID
    assert (await sharing.confirm(token, OTHER_INN)).outcome is ConfirmOutcome.MISMATCH
    assert await world.sweep() == 0  # nothing changed, nothing pushed
    assert (await sharing.confirm(token, "7707 083 893")).outcome is ConfirmOutcome.DONE
    assert (await sharing.confirm(token, RIGHT_INN)).outcome is ConfirmOutcome.DONE  # again: no second push
    assert await world.sweep() == 1
    push = world.api.last_message_sent_to(anna.chat_id)
    assert push is not None and "ООО <Ромашка> (ИНН 7707083893) подтвердил получение" in push["text"]
    assert [k for k, _, _ in await sharing.shares.events(page.share.id)] == ["open", "confirm"]
    await anna.press("🔗 Мои ссылки")
    assert "Состояние: Передана" in anna.last

    await anna.press("⛔ Отозвать: ООО <Ромашка>")
    assert "Отозвать эту ссылку?" in anna.last
    await anna.press("Нет, оставить")
    assert "Состояние: Передана" in anna.last
    await anna.press("⛔ Отозвать: ООО <Ромашка>")
    await anna.press("Да, отозвать")
    assert "Состояние: Отозвана" in anna.last and "⛔ Отозвать: ООО <Ромашка>" not in anna.buttons()
    assert await sharing.page(token) is None
    assert (await sharing.confirm(token, RIGHT_INN)).outcome is ConfirmOutcome.GONE


async def test_skip_name_status_level_expiry_and_only_the_holder_revokes(world: World) -> None:
    assert world.deps is not None
    anna, _ = await holder_with_book(world)
    boris = world.person(5550002, "Борис")
    await boris.command("start")
    await boris.press("Согласен")
    token = await share_from_chat(anna, employer="1027700132195", name=None, level="Только статус", days="7 дней")
    sharing = world.deps.services.sharing
    [line] = await sharing.list_for(anna.user.id)
    assert line.share.employer_name is None and line.share.level.value == "status"
    await anna.press("🔗 Мои ссылки")
    assert "ОГРН 1027700132195" in anna.last and "только статус · до 02.12.2026" in anna.last
    page = await sharing.page(token)
    assert page is not None and page.photo is None  # the status level shows no photo

    assert not await sharing.revoke(boris.user.id, line.share.id)  # not his
    assert await sharing.list_for(boris.user.id) == []
    world.clock.advance(timedelta(days=7))
    assert await sharing.page(token) is None
    await anna.press("🔗 Мои ссылки")
    assert "Состояние: Истекла" in anna.last
    assert not any(b.startswith("⛔ Отозвать") for b in anna.buttons())  # an expired link has nothing to revoke


async def test_cancel_and_a_revoked_book_cannot_be_shared(world: World) -> None:
    assert world.deps is not None
    anna, issued = await holder_with_book(world)
    await anna.command("start")
    await anna.press("Моя ЭМК")
    card = anna.last_message()
    await anna.press("📤 Поделиться")
    await anna.press("Отмена")
    assert anna.last == "Хорошо, ссылку не создаём."
    assert world.dp is not None and world.bot is not None
    ctx = world.dp.fsm.get_context(world.bot, chat_id=anna.chat_id, user_id=anna.user.id)
    assert await ctx.get_state() is None

    await world.deps.services.book.revoke(issued.id, "ошибка")
    await anna.press_on(card, "📤 Поделиться")  # the card from before the revocation
    [answer] = world.api.calls_to("answerCallbackQuery")[-1:]
    assert answer.params["text"] == "Книжка отозвана — ею нельзя поделиться."
    assert await ctx.get_state() is None
    await anna.command("start")
    await anna.press("Моя ЭМК")
    assert "📤 Поделиться" not in anna.buttons() and "🔗 Мои ссылки" in anna.buttons()
