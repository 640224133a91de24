"""The book as files: the card picture (PNG) for showing on a phone, the whole book as a PDF, the entries as CSV.

Pure presentation over :class:`domain.book.Book`: no Telegram, no database. The PNG and PDF take tens of
milliseconds of CPU each, so callers on the event loop run them through ``asyncio.to_thread``.

* Card: Pillow; the QR from segno; Noto Sans (Cyrillic) from the ``fontpkg-noto-sans`` package, never a
  font searched for on the machine.
* PDF: fpdf2 with the same font embedded (subset), so Cyrillic text is real, selectable text; its table API
  lays the entries out; the QR and the photo are images.
* CSV: UTF-8 with a BOM (Excel reads UTF-8 only with it; LibreOffice detects it), one header row, one row per
  entry. The separator follows the spreadsheet's convention for the language: ``;`` for Russian (Russian
  Excel's list separator, and the decimal comma never clashes with it), ``,`` for English. Dates are ISO 8601
  (``2026-03-01``), which Excel and LibreOffice read as dates in every locale.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import fontpkg
import segno
from fontpkg.pil import truetype
from fpdf import FPDF
from fpdf.enums import TextMode, XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image, ImageDraw, ImageFont, ImageOps

from bot.i18n import Tr
from domain.book import Book, BookCheck, BookStatus, CheckOutcome, Entry, entries_sorted
from views.ui import fmt_date

__all__ = [
    "CSV_DELIMITER", "book_csv", "book_pdf", "card_png", "csv_rows", "entry_result", "entry_title", "full_name",
    "holder_label", "item_title", "qr_png", "status_line", "thumbnail_jpeg", "verdict",
]

FONT_FAMILY = "Noto Sans"
CSV_DELIMITER = {"ru": ";", "en": ","}
CARD_SIZE = (1080, 1500)
_INK = (20, 33, 61)
_MUTED = (90, 100, 120)
_ACCENT = (0, 98, 155)
_ALERT = (180, 30, 30)


def full_name(book: Book) -> str:
    return " ".join(p for p in (book.surname, book.name, book.patronymic) if p)


_VERDICT = {
    CheckOutcome.VALID: "web-check-valid", CheckOutcome.REVOKED: "web-check-revoked",
    CheckOutcome.SUPERSEDED: "web-check-superseded", CheckOutcome.NOT_FOUND: "web-check-not-found",
    CheckOutcome.BAD_SIGNATURE: "web-check-bad-signature",
}


def verdict(tr: Tr, check: BookCheck) -> str:
    """What a check says first (the bot's «Check» and the check page): valid, revoked, replaced by a renewal's
    new book (named), not found, or a bad signature."""
    new = check.book.superseded_by if check.book is not None else None
    return tr(_VERDICT[check.outcome], number=new or "—")


def status_line(tr: Tr, book: Book, *, reason: bool = True) -> str | None:
    """A book that is no longer valid says why: revoked (with the reason) or replaced by a renewal's book."""
    if book.status is BookStatus.REVOKED:
        return tr("book-status-revoked-reason", reason=book.revoked_reason or "—") if reason \
            else tr("book-status-revoked")
    if book.status is BookStatus.SUPERSEDED:
        return tr("book-status-superseded", number=book.superseded_by or "—")
    return None


def holder_label(book: Book) -> str:
    """How a book is told apart from the holder's others: the name and the number."""
    return f"{book.surname} {book.name} · {book.number}"


def entry_title(tr: Tr, entry: Entry) -> str:
    """The item's name in the person's language when the locales know it, else the recorded text."""
    if entry.title_key and entry.title_key in tr.translator.keys.get(tr.locale, frozenset()):
        return tr(entry.title_key)
    return entry.title or entry.code


def item_title(tr: Tr, code: str, entry: Entry | None) -> str:
    """A required item's name: its entry's title, else the exam's own name ``exam-<code>`` (one name per item,
    shared with the exams checklist) when the locales have it, else the code."""
    if entry is not None:
        return entry_title(tr, entry)
    key = "exam-" + code.replace("_", "-")
    return tr(key) if key in tr.translator.keys.get(tr.locale, frozenset()) else code


def entry_result(tr: Tr, entry: Entry) -> str:
    """A result picked from choices ('fit', 'negative'...) in the person's language; typed text as it is."""
    key = "exam-result-" + entry.result.replace("_", "-")
    return tr(key) if entry.result and key in tr.translator.keys.get(tr.locale, frozenset()) else entry.result


def thumbnail_jpeg(photo: bytes, size: tuple[int, int] = (240, 320)) -> bytes:
    """A small JPEG of the portrait for the check page (a few kB, embedded, no second request)."""
    with Image.open(io.BytesIO(photo)) as raw:
        small = ImageOps.fit(ImageOps.exif_transpose(raw).convert("RGB"), size)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _source(tr: Tr, entry: Entry) -> str:
    return tr("book-source-holder") if entry.source == "holder_reported" else tr("book-source-confirmed")


def qr_png(url: str, scale: int = 10) -> bytes:
    """The QR code of ``url`` as PNG (segno), with the standard quiet zone."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


@cache
def _font(size: int, weight: int = 400) -> ImageFont.FreeTypeFont:
    return truetype(FONT_FAMILY, size, weight=weight)


def _font_path(weight: int = 400) -> Path:
    return fontpkg.path(FONT_FAMILY, weight=weight)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap by measured width (Pillow measures; it does not wrap)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and draw.textlength(candidate, font=font) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, font: ImageFont.FreeTypeFont,
          width: int, fill: tuple[int, int, int] = _INK, spacing: float = 1.25) -> int:
    """Draw wrapped text; returns the y below it."""
    x, y = xy
    step = int(font.size * spacing)
    for line in _wrap(draw, text, font, width):
        draw.text((x, y), line, font=font, fill=fill)
        y += step
    return y


def card_png(book: Book, photo: bytes | None, check_url: str, tr: Tr) -> bytes:
    """The card for showing on a phone: photo, name, number, 'valid until' in words, the QR to the check."""
    width, height = CARD_SIZE
    card = Image.new("RGB", CARD_SIZE, "white")
    draw = ImageDraw.Draw(card)
    margin = 60
    draw.rectangle((0, 0, width, 150), fill=_ACCENT)
    _text(draw, (margin, 30), tr("book-card-title"), _font(40, 700), width - 2 * margin, fill=(255, 255, 255))
    _text(draw, (margin, 90), book.issuer, _font(28), width - 2 * margin, fill=(225, 235, 245))

    photo_box = (300, 400)
    top = 190
    if photo:
        with Image.open(io.BytesIO(photo)) as raw:
            portrait = ImageOps.fit(ImageOps.exif_transpose(raw).convert("RGB"), photo_box)
        card.paste(portrait, (margin, top))
    else:
        draw.rectangle((margin, top, margin + photo_box[0], top + photo_box[1]), outline=_MUTED, width=3)
    x = margin + photo_box[0] + 40
    text_width = width - x - margin
    y = _text(draw, (x, top), full_name(book), _font(46, 700), text_width)
    y = _text(draw, (x, y + 10), tr("book-birth-date", date=fmt_date(book.birth_date, tr)), _font(30),
              text_width, fill=_MUTED)
    y = _text(draw, (x, y + 20), tr("book-number-label"), _font(28), text_width, fill=_MUTED)
    _text(draw, (x, y), book.number, _font(44, 700), text_width)

    y = top + photo_box[1] + 40
    status = status_line(tr, book, reason=False)
    if status is not None:
        y = _text(draw, (margin, y), status, _font(48, 700), width - 2 * margin, fill=_ALERT)
    until = book.valid_until()
    valid_text = tr("book-valid-until", date=fmt_date(until, tr)) if until else tr("book-valid-until-none")
    y = _text(draw, (margin, y), valid_text, _font(44, 700), width - 2 * margin)
    y = _text(draw, (margin, y + 5), tr("book-valid-until-meaning"), _font(28), width - 2 * margin, fill=_MUTED)

    # Whole pixels per module: a QR resized by a fraction gets uneven modules, which readers miss.
    room = min(480, height - y - 170)
    modules = segno.make(check_url, error="m", micro=False).symbol_size(border=4)[0]
    with Image.open(io.BytesIO(qr_png(check_url, scale=max(1, room // modules)))) as qr_raw:
        qr = qr_raw.convert("RGB")
    qr_side = qr.width
    card.paste(qr, ((width - qr_side) // 2, y + 25))
    y += 25 + qr_side + 10
    y = _text(draw, (margin, y), tr("book-card-scan"), _font(28), width - 2 * margin, fill=_MUTED)
    _text(draw, (margin, height - 90), tr("book-organisation-record"), _font(22), width - 2 * margin,
          fill=_MUTED, spacing=1.2)
    out = io.BytesIO()
    card.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------------


class _BookPdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer_text
        # The variable font's default instance (regular weight) as is: instancing a bold weight with
        # fontTools takes ~10 s here, so emphasis is the library's fill-and-stroke text mode instead.
        self.add_font("NotoSans", style="", fname=str(_font_path()))
        self.set_auto_page_break(auto=True, margin=18)

    def strong(self, size: float, height: float, text: str, **kwargs: Any) -> None:
        """A heading line: the regular face filled and stroked (fpdf2's text mode), so it reads as bold."""
        self.set_font("NotoSans", "", size)
        self.set_draw_color(*_INK)
        self.set_line_width(0.25)
        self.text_mode = TextMode.FILL_STROKE
        self.multi_cell(0 if "w" not in kwargs else kwargs.pop("w"), height, text, **kwargs)
        self.text_mode = TextMode.FILL

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("NotoSans", size=7)
        self.set_text_color(*_MUTED)
        self.multi_cell(0, 3.5, f"{self._footer_text}  ·  {self.page_no()}/{{nb}}", align="C")


def book_pdf(book: Book, photo: bytes | None, check_url: str, tr: Tr) -> bytes:
    """The whole book: holder, number, validity, every entry, the QR to the check page."""
    pdf = _BookPdf(tr("book-organisation-record"))
    pdf.set_title(f"{tr('book-card-title')} {book.number}")
    pdf.set_creator(book.issuer)
    pdf.add_page()
    pdf.set_text_color(*_INK)
    pdf.strong(16, 8, tr("book-card-title"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("NotoSans", "", 10)
    pdf.multi_cell(0, 5, book.issuer, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = pdf.get_y() + 4
    qr_side = 40
    pdf.image(io.BytesIO(qr_png(check_url)), x=pdf.w - pdf.r_margin - qr_side, y=top, w=qr_side, h=qr_side)
    if photo:
        with Image.open(io.BytesIO(photo)) as raw:
            portrait = ImageOps.fit(ImageOps.exif_transpose(raw).convert("RGB"), (300, 400))
        pdf.image(portrait, x=pdf.l_margin, y=top, w=30, h=40)
    pdf.set_xy(pdf.l_margin + (34 if photo else 0), top)
    text_w = pdf.w - pdf.r_margin - qr_side - 4 - pdf.get_x()
    left = pdf.get_x()
    pdf.strong(14, 7, full_name(book), w=text_w, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("NotoSans", "", 10)
    until = book.valid_until()
    lines = [
        tr("book-birth-date", date=fmt_date(book.birth_date, tr)),
        f"{tr('book-number-label')} {book.number}",
        tr("book-issued-on", date=fmt_date(book.issued_on, tr)),
        tr("book-valid-until", date=fmt_date(until, tr)) if until else tr("book-valid-until-none"),
    ]
    status = status_line(tr, book)
    if status is not None:
        lines.append(status)
    for line in lines:
        pdf.set_x(left)
        pdf.multi_cell(text_w, 5.5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_x(left)
    pdf.set_text_color(*_MUTED)
    pdf.multi_cell(text_w, 4.5, tr("book-valid-until-meaning"), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_INK)
    pdf.set_y(max(pdf.get_y(), top + qr_side) + 2)
    pdf.set_font("NotoSans", "", 8)
    pdf.multi_cell(0, 4, tr("book-check-at", url=check_url), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    missing = book.missing()
    if missing:
        pdf.set_text_color(*_ALERT)
        pdf.multi_cell(0, 5, tr("book-missing", items=", ".join(missing)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*_INK)
    pdf.ln(3)
    pdf.strong(12, 7, tr("book-entries-title"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("NotoSans", "", 8)
    header, rows = _table(book, tr)
    visible = (1, 2, 3, 4, 5, 6, 7, 9)  # the PDF leaves out the confirmation time; the CSV has it
    with pdf.table(col_widths=(18, 32, 17, 22, 32, 17, 27, 25), text_align="LEFT", line_height=4.5,
                   headings_style=FontFace(fill_color=(230, 238, 245))) as table:
        for values in (header, *rows):
            row = table.row()
            for i in visible:
                row.cell(values[i])
    pdf.set_font("NotoSans", "", 8)
    pdf.ln(4)
    pdf.multi_cell(0, 4, tr("book-signature-note"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


# --- CSV --------------------------------------------------------------------------------------------------

_COLUMNS = ("number", "kind", "item", "date", "result", "institution", "valid-until", "confirmed-by",
            "confirmed-at", "source")


def _table(book: Book, tr: Tr, *, iso: bool = False) -> tuple[list[str], list[list[str]]]:
    """The header and one row per entry; dates as people write them, or ISO 8601 (``iso``) for the CSV."""
    def day(value: date | None) -> str:
        if value is None:
            return ""
        if iso:
            return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()
        return fmt_date(value, tr)

    header = [tr(f"book-col-{c}") for c in _COLUMNS]
    rows = [
        [book.number, tr(f"book-kind-{e.kind}"), entry_title(tr, e), day(e.done_on), entry_result(tr, e), e.institution,
         day(e.valid_until), e.confirmed_by or "", day(e.confirmed_at), _source(tr, e)]
        for e in entries_sorted(book.entries)
    ]
    return header, rows


def csv_rows(book: Book, tr: Tr) -> list[list[str]]:
    """What the CSV holds, header first."""
    header, rows = _table(book, tr, iso=True)
    return [header, *rows]


def book_csv(book: Book, tr: Tr) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=CSV_DELIMITER.get(tr.locale, ","), lineterminator="\r\n")
    writer.writerows(csv_rows(book, tr))
    return out.getvalue().encode("utf-8-sig")
