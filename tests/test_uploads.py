"""Photos and scans in chat, as a person sends them from a phone (issue: steps 6 and 8)."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from pathlib import Path

import pytest
from fluent.syntax import ast as fl
from PIL import Image

from bot.i18n import Translator
from domain.applicant import Citizenship, Draft, Relation, Sex
from fsm.states import Apply
from fsm.steps import STEP_BY_KEY
from tests.domain.test_portrait import PORTRAIT_TABLE
from tests.domain.test_scans import SCAN_TABLE
from tests.harness import Person, World

DATA = Path(__file__).parent / "data" / "corpus"
PORTRAIT = (DATA / "faces/derived/good_portrait_lightbg.jpg").read_bytes()
BIG_PHOTO = (DATA / "images/exif_orientation/photo_12mp_orient6.jpg").read_bytes()
HEIC = (DATA / "images/heic/iphone_like_4032x3024_orient6.heic").read_bytes()
SCAN = (DATA / "documents/images/doc_scan_200dpi.png").read_bytes()
SCAN_PHOTO = (DATA / "documents/images/doc_phone_photo.jpg").read_bytes()
PDF = (DATA / "pdf/pdf_scan_2pages_200dpi.pdf" if (DATA / "pdf/pdf_scan_2pages_200dpi.pdf").exists()
       else DATA / "pdf/generated/pdf_scan_2pages_200dpi.pdf").read_bytes()
LOCKED_PDF = (DATA / "pdf/encryption_r4-aes-user-password.pdf").read_bytes()
BROKEN = (DATA / "pdf/generated/truncated_half.pdf").read_bytes()
TR = Translator()


def sample(table: list[tuple[str, str, str]], *also: str) -> list[tuple[str, str, str]]:
    """The rows of a domain table worth a trip through the whole bot: the first file of every outcome (so every
    reason the bot can give is rendered once), plus the files named in `also` (a PDF, a HEIC, a type told by the
    bytes...). The full table is checked file by file at the domain level (tests/domain/test_portrait.py,
    test_scans.py); the outcomes come from there, so the table stays the one source."""
    by_file = {row[0]: row for row in table}
    extra = {by_file[rel] for rel in also}  # KeyError: a file named here is no longer in the table
    seen: set[str] = set()
    rows = []
    for row in table:
        if row[1] not in seen or row in extra:
            seen.add(row[1])
            rows.append(row)
    return rows


PHOTO_SAMPLE = sample(
    PORTRAIT_TABLE,
    "images/heic/example.heic",  # a HEIC decoded in the worker
    "pdf/crazyones.pdf",  # a PDF where a photo is wanted
    "pdf/generated/jpeg_renamed.pdf",  # a JPEG named .pdf: the bytes decide
    "images/bombs/png_bomb_40000x40000_1bit.png",  # a PNG bomb, refused at the header
)
SCAN_SAMPLE = sample(
    SCAN_TABLE,
    "images/heic/iphone_like_4032x3024_orient6.heic",  # a phone's HEIC accepted as a scan
    "pdf/crazyones.pdf",  # a plain text PDF accepted
    "pdf/generated/bitflipped.pdf",  # a damaged PDF (the first damaged file in the table is a PNG)
    "pdf/generated/jpeg_renamed.pdf",
    "images/bombs/png_bomb_40000x40000_1bit.png",
)


def static_prefix(key: str) -> str:
    """The text of a message up to its first variable, for matching a reply whatever the arguments."""
    message = TR.bundles["ru"]._messages[key]  # the parsed AST is what we need
    first = message.value.elements[0]
    text = first.value if isinstance(first, fl.TextElement) else ""
    return text.strip()[:40]


async def at_step(world: World, person: Person, key: str, *, child: bool = False) -> None:
    """Put a consented person with a filled draft at a step of the wizard, as if they had walked there."""
    assert world.deps is not None and world.dp is not None and world.bot is not None
    await person.command("start")
    await person.press("Согласен")
    profile = await world.deps.profiles.create(person.user.id, Relation.CHILD if child else Relation.SELF)
    draft = Draft(
        relation=profile.relation, phone="+79161234567", surname="Иванова", name="Анна", patronymic_skipped=True,
        birth_date=date(2016 if child else 1990, 2, 1), sex=Sex.FEMALE,
        citizenship=Citizenship.RU, postal_index="123456", address="123456, г. Москва, ул. Ленина, д. 1",
        category="food", email_skipped=True,
    )
    await world.deps.profiles.save(profile, draft, key)
    ctx = world.dp.fsm.get_context(world.bot, chat_id=person.chat_id, user_id=person.user.id)
    await ctx.set_state(STEP_BY_KEY[key].state)
    await ctx.set_data({"profile_id": profile.id})


async def test_photo_as_photo_as_file_heic_retake_and_use(world: World) -> None:
    anna = world.person()
    await at_step(world, anna, "photo")

    # A document instead of a face: a specific reason and what to do.
    await anna.send_file(SCAN, "scan.png", "image/png")
    assert anna.last.startswith("❌ " + static_prefix("issue-portrait-no-face"))
    assert "другое фото" in anna.last

    # As a photo (Telegram compresses it to 1280 px): corrected and shown back as a photo.
    mark = len(world.api.calls)
    await anna.send_photo(PORTRAIT)
    sent = [c for c in world.api.calls[mark:] if c.method == "sendPhoto"]
    assert len(sent) == 1
    # Said as a person understands it: no pixels, no dpi.
    assert anna.last.startswith("✅ Фото подходит: лицо по центру, фон светлый, я обрезал его до размера 3×4 см")
    assert "пиксел" not in anna.last and "dpi" not in anna.last
    upload = await world.deps.uploads.get((await world.deps.uploads.list_for(
        (await world.deps.profiles.list_for(anna.user.id))[0].id, "photo", status="pending"))[0].id)
    assert upload is not None and (upload.width, upload.height, upload.dpi) == (600, 800, 508)
    await anna.press("Переснять")
    assert "отправьте другое фото" in anna.said

    # As a file (original quality, here an iPhone HEIC rotated by EXIF): a bigger print, still 3×4 cm.
    await anna.send_file(HEIC, "IMG_0001.HEIC", "image/heic")
    assert anna.last.startswith("✅ Фото подходит")
    photo_call = [c for c in world.api.calls if c.method == "sendPhoto"][-1]
    with Image.open(io.BytesIO(photo_call.file("photo") or b"")) as shown:
        width, height = shown.size
    assert width * 4 == height * 3 and width >= 600
    assert len(photo_call.file("photo") or b"") < 2 * 1024 * 1024
    await anna.press("Использовать это фото")
    assert "✅ Фото сохранено." in anna.last
    assert "Работодатель" in anna.last  # on to the next step

    assert world.deps is not None
    profile = (await world.deps.profiles.list_for(anna.user.id))[0]
    assert profile.draft.photo_upload_id is not None
    upload = await world.deps.uploads.get(profile.draft.photo_upload_id)
    assert upload is not None and upload.status == "active" and upload.dpi and upload.dpi >= 300
    stored = await world.deps.files.get(upload.storage_name)
    assert stored == photo_call.file("photo")  # what she saw is what is kept
    on_disk = (world.deps.settings.files_dir / upload.storage_name).read_bytes()
    assert stored not in on_disk and b"JFIF" not in on_disk  # encrypted at rest, under a random name
    pending = await world.deps.uploads.list_for(profile.id, "photo", status="removed")
    assert len(pending) == 1  # the retaken one


async def test_file_over_telegram_limit_is_refused_before_download(world: World) -> None:
    anna = world.person()
    await at_step(world, anna, "photo")
    world.api.add_unservable_file("BQACbig", 25 * 1024 * 1024)
    update = anna.updates.document(anna.user, file_id="BQACbig", file_unique_id="AgADbig", file_name="IMG.jpg",
                                   mime_type="image/jpeg", file_size=25 * 1024 * 1024)
    await anna.send_update(update)
    assert anna.last.startswith("❌ Файл больше 20 МБ")
    assert not world.api.calls_to("getFile")


async def test_documents_album_broken_password_remove_duplicate_done(world: World) -> None:
    anna = world.person()
    await at_step(world, anna, "doc_passport_main")
    assert world.dp is not None and world.bot is not None
    await anna.send("вот паспорт")  # text where a file is expected
    assert anna.last == TR.get("ru", "hint-apply-upload")

    group = anna.updates.media_group_id()
    await anna.send_album([
        anna.file_update(SCAN, "p1.png", "image/png", media_group_id=group),
        anna.file_update(PDF, "p2.pdf", "application/pdf", media_group_id=group),
    ])
    assert anna.said.count("✅ Файл принят.") == 2
    assert "1) PNG, 1700×2200" in anna.last and "2) PDF, 2 страницы" in anna.last

    await anna.send_file(BROKEN, "passport.pdf")
    assert anna.last.startswith("❌ " + static_prefix("issue-file-damaged"))
    await anna.send_file(LOCKED_PDF, "passport.pdf")
    assert anna.last.startswith("❌ " + static_prefix("issue-pdf-password"))
    await anna.send_file(SCAN, "again.png", "image/png")
    assert anna.last == "Этот файл уже загружен — отправлять его ещё раз не нужно."

    await anna.press("🗑 Удалить 1")
    assert "1) PDF, 2 страницы" in anna.last and "1700×2200" not in anna.last
    await anna.press("Готово")
    assert anna.last == "Проверьте, пожалуйста: на сканах хорошо читаются подписи, печати и даты?"
    await anna.press("Нет, загружу другой файл")
    assert "1) PDF" in anna.last
    await anna.press("Готово")
    await world.restart()  # a restart at the confirmation loses nothing
    await anna.press("Да, всё читается")
    assert "страницы паспорта с регистрацией" in anna.last

    assert world.deps is not None
    profile = (await world.deps.profiles.list_for(anna.user.id))[0]
    assert profile.draft.confirmed_documents == ["passport_main"]
    active = await world.deps.uploads.list_for(profile.id, "passport_main")
    assert [u.detected_type for u in active] == ["pdf"]
    assert active[0].pages == 2 and len(active[0].sha256) == 64 and active[0].telegram_file_id


async def test_done_without_files_says_so(world: World) -> None:
    anna = world.person()
    await at_step(world, anna, "doc_oms_policy")
    await anna.send_file(SCAN_PHOTO, "oms.jpg", "image/jpeg")
    await anna.press("🗑 Удалить 1")
    assert "Готово" not in anna.buttons()  # nothing to finish with


async def test_another_person_is_answered_while_a_big_photo_is_processed(world: World) -> None:
    anna, boris = world.person(), world.person(user_id=5550077, first_name="Борис")
    await at_step(world, anna, "photo")
    await boris.command("start")
    await boris.press("Согласен")
    update = anna.file_update(BIG_PHOTO, "IMG_2001.JPG", "image/jpeg")
    assert world.dp is not None and world.bot is not None
    world.api.observe_update(update)
    anna_task = asyncio.create_task(world.dp.feed_raw_update(world.bot, update))
    async def downloaded() -> None:  # Anna's photo is downloaded and goes to the worker
        while not world.api.calls_to("getFile"):  # noqa: ASYNC110 - polling the fake's record is the point
            await asyncio.sleep(0.005)

    await asyncio.wait_for(downloaded(), 10)
    await boris.command("help")
    assert boris.last.startswith("Я помогаю оформить")
    assert not anna_task.done(), "Boris was answered while Anna's 12 MP photo was still being checked"
    await anna_task
    assert [c for c in world.api.calls if c.method == "sendPhoto"], "and Anna got her corrected photo"


@pytest.mark.parametrize(("rel", "expected", "why"), PHOTO_SAMPLE, ids=[r[0] for r in PHOTO_SAMPLE])
async def test_every_outcome_at_the_photo_step(world: World, rel: str, expected: str, why: str) -> None:
    anna = world.person()
    await at_step(world, anna, "photo")
    await anna.send_file((DATA / rel).read_bytes(), Path(rel).name, "application/octet-stream")
    if expected.startswith("ok"):
        assert "Использовать это фото?" in anna.last, (rel, anna.replies)
        for code in expected.split("+")[1:]:
            assert "⚠️ " + static_prefix(f"issue-{code}") in anna.last, (rel, code)
    else:
        assert anna.last.startswith("❌ " + static_prefix(f"issue-{expected}")), (rel, expected, anna.replies)


@pytest.mark.parametrize(("rel", "expected", "why"), SCAN_SAMPLE, ids=[r[0] for r in SCAN_SAMPLE])
async def test_every_outcome_at_a_document_step(world: World, rel: str, expected: str, why: str) -> None:
    anna = world.person()
    await at_step(world, anna, "doc_passport_main")
    await anna.send_file((DATA / rel).read_bytes(), Path(rel).name, "application/octet-stream")
    if expected.startswith("ok"):
        assert anna.replies[0].startswith("✅ Файл принят."), (rel, anna.replies)
        for code in expected.split("+")[1:]:
            assert "⚠️ " + static_prefix(f"issue-{code}") in anna.replies[0], (rel, code)
    else:
        assert anna.last.startswith("❌ " + static_prefix(f"issue-{expected}")), (rel, expected, anna.replies)


def test_photo_and_document_states_are_in_the_step_table() -> None:
    assert STEP_BY_KEY["photo"].state == Apply.photo
    assert STEP_BY_KEY["doc_passport_main"].kind == "upload"


async def submitted_with(world: World, person: Person) -> None:
    """Sign and send the person's profile as it is (the signed snapshot takes its current files)."""
    assert world.dp is not None and world.bot is not None and world.deps is not None
    profile = (await world.deps.profiles.list_for(person.user.id))[0]
    ctx = world.dp.fsm.get_context(world.bot, chat_id=person.chat_id, user_id=person.user.id)
    await world.deps.services.applications.submit(person.user.id, profile, {"ru": "", "en": ""}, ctx)


async def test_many_files_on_one_step_rows_of_remove_buttons_a_limit_and_removed_files_leave_the_disk(
    world: World,
) -> None:
    anna = world.person()
    await at_step(world, anna, "doc_others")
    assert world.deps is not None
    limit = world.deps.policy.documents.max_files_per_step
    for i in range(limit):  # the same photo of a page made distinct, as ten certificates would be
        await anna.send_file(SCAN_PHOTO + b"\0" * (i + 1), f"page{i}.jpg", "image/jpeg")
        assert anna.replies[0].startswith("✅ Файл принят."), anna.replies
    # Every remove button is there, in rows Telegram accepts (the fake Bot API refuses a row of more than 8).
    keyboard = anna.last_message()["reply_markup"]["inline_keyboard"]
    removes = [b["text"] for row in keyboard for b in row if b["text"].startswith("🗑")]
    assert removes == [f"🗑 Удалить {n}" for n in range(1, limit + 1)]
    assert max(len(row) for row in keyboard) <= 4

    # One more is refused before it is even downloaded, with the way out.
    downloads = len(world.api.calls_to("getFile"))
    await anna.send_file(SCAN_PHOTO + b"\1", "one-more.jpg", "image/jpeg")
    assert anna.last.startswith(f"К одному документу можно приложить не больше {limit} файлов.")
    assert "«🗑 Удалить»" in anna.last
    assert len(world.api.calls_to("getFile")) == downloads

    # A removed file's encrypted bytes leave the disk; the others stay.
    profile = (await world.deps.profiles.list_for(anna.user.id))[0]
    files = await world.deps.uploads.list_for(profile.id, "others")
    files_dir = world.deps.settings.files_dir
    assert all((files_dir / f.storage_name).exists() for f in files)
    await anna.press("🗑 Удалить 1")
    assert not (files_dir / files[0].storage_name).exists()
    assert (await world.deps.uploads.get(files[0].id)).status == "removed"  # type: ignore[union-attr]
    assert all((files_dir / f.storage_name).exists() for f in files[1:])
    await anna.send_file(SCAN_PHOTO + b"\1", "one-more.jpg", "image/jpeg")  # room again
    assert anna.replies[0].startswith("✅ Файл принят.")

    # A file that a submitted application's signed snapshot refers to stays on disk when taken off the draft.
    await submitted_with(world, anna)
    await at_step_again(world, anna, "doc_others")
    await anna.press("🗑 Удалить 1")
    assert (files_dir / files[1].storage_name).exists()
    assert (await world.deps.uploads.get(files[1].id)).status == "removed"  # type: ignore[union-attr]


async def at_step_again(world: World, person: Person, key: str) -> None:
    """The person opens the same profile at a step again (as after a rejection, to send it anew)."""
    assert world.deps is not None and world.dp is not None and world.bot is not None
    profile = (await world.deps.profiles.list_for(person.user.id))[0]
    await world.deps.profiles.save(profile, profile.draft, key)
    await person.command("cancel")
    await person.press("Продолжить заполнение")
    await person.press(person.buttons()[0])
    assert person.buttons()[0] == "🗑 Удалить 1", person.buttons()
