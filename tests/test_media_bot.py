"""Issue 9 through the bot: a PDF of nested forms, a person standing far away, a page blurred past any edge.

The pool's time budget itself (a check killed and its worker replaced) is shown in tests/test_media_pool.py,
with a budget short enough for a test."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path

from PIL import Image, ImageFilter

from tests.domain.test_scans import document, nested_forms_pdf
from tests.harness import World
from tests.test_uploads import at_step, static_prefix

DATA = Path(__file__).parent / "data" / "corpus"
PORTRAIT = (DATA / "faces/derived/good_portrait_lightbg.jpg").read_bytes()


def png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


async def test_nested_forms_pdf_is_refused_and_another_persons_photo_is_not_kept_waiting(world: World) -> None:
    anna, boris = world.person(), world.person(user_id=5550077, first_name="Борис")
    await at_step(world, anna, "doc_passport_main")
    await at_step(world, boris, "photo")
    hostile = nested_forms_pdf(6)  # 130 KB; PDFium alone takes 10-40 s on it (one media worker here)
    assert world.deps is not None
    await world.deps.media.scan(b"", max_bytes=1, max_pages=1)  # the worker is up (starting it takes seconds)
    start = time.perf_counter()
    await asyncio.gather(
        anna.send_file(hostile, "passport.pdf"),
        boris.send_file(PORTRAIT, "me.jpg", "image/jpeg"),
    )
    elapsed = time.perf_counter() - start
    assert anna.last.startswith("❌ " + static_prefix("issue-file-too-complex")), anna.replies
    assert "Пришлите фото страницы" in anna.last  # what to do instead
    assert "Использовать это фото?" in boris.last, boris.replies
    assert elapsed < 10
    assert "Файл принят" not in anna.said  # no longer taken as a passport scan


async def test_a_person_standing_far_away_is_asked_to_come_closer(world: World) -> None:
    anna = world.person()
    await at_step(world, anna, "photo")
    canvas = Image.new("RGB", (3000, 4000), (238, 238, 240))
    portrait = Image.open(io.BytesIO(PORTRAIT)).convert("RGB")
    width = round(3000 * 0.09 * 910 / 268)  # the face box is 9 % of the picture's width
    canvas.paste(portrait.resize((width, round(width * 1137 / 910))), (1300, 1500))
    await anna.send_file(png(canvas), "far.png", "image/png")
    assert anna.last.startswith("❌ " + static_prefix("issue-portrait-face-small")), anna.replies


async def test_a_page_blurred_past_any_edge_is_refused_as_blurred(world: World) -> None:
    anna = world.person()
    await at_step(world, anna, "doc_passport_main")
    await anna.send_file(png(document().filter(ImageFilter.GaussianBlur(8))), "page.png", "image/png")
    assert anna.last.startswith("❌ " + static_prefix("issue-scan-blurred")), anna.replies
