"""The book's files: the card's QR decodes to the check URL, the PDF's text holds the Cyrillic name and every
entry, the CSV round-trips through the csv module."""

from __future__ import annotations

import csv
import io

import cv2
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from bot.i18n import Translator
from tests.domain.book_samples import adult_book, child_book
from views.book_files import CSV_DELIMITER, book_csv, book_pdf, card_png, csv_rows, entry_title

URL = "https://emk.example.org/b/" + "c" * 32


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 180, 160)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator(strict=True)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_card_qr_decodes_to_the_check_url(translator: Translator, locale: str) -> None:
    png = card_png(adult_book(), _photo(), URL, translator.bind(locale))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1080, 1500)
    pixels = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
    assert text == URL


def test_card_of_a_revoked_book_without_photo(translator: Translator) -> None:
    png = card_png(adult_book().revoked("ошибка", adult_book().issued_on), None, URL, translator.bind("ru"))
    assert png.startswith(b"\x89PNG")


@pytest.mark.parametrize("book", [adult_book(), child_book()], ids=["adult", "child"])
def test_pdf_text_holds_the_name_in_cyrillic_and_every_entry(translator: Translator, book: object) -> None:
    from domain.book import Book

    assert isinstance(book, Book)
    tr = translator.bind("ru")
    pdf = book_pdf(book, _photo(), URL, tr)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert book.surname in flat and book.name in flat
    assert book.number in flat
    for entry in book.entries:
        assert entry_title(tr, entry) in flat, entry
        assert entry.result in flat and entry.done_on.strftime("%d.%m.%Y") in flat
    assert "Центр гигиены" in flat


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_csv_round_trips_with_a_bom_and_a_header(translator: Translator, locale: str) -> None:
    book = adult_book()
    tr = translator.bind(locale)
    data = book_csv(book, tr)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=CSV_DELIMITER[locale]))
    assert rows == csv_rows(book, tr)
    assert len(rows) == 1 + len(book.entries)
    assert {r[2] for r in rows[1:]} == {entry_title(tr, e) for e in book.entries}
    assert sorted(r[3] for r in rows[1:]) == sorted(e.done_on.isoformat() for e in book.entries)
    if locale == "ru":
        assert "со слов владельца" in [r[-1] for r in rows]
