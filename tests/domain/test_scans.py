"""domain.scans: every corpus file sent to a document step, PDFs made here, and the limits.

The table below gives, for EVERY file under tests/data/corpus, the outcome of ``check_scan``: an
error code, or ``ok`` / ``ok+<warning>...``. The third column says why, and flags where the
outcome differs from tests/data/corpus/MANIFEST.md ("D: ...") and why ours is the better one.
Most deviations come from the product rule (PRODUCT.md, "Photos and scans"): an image needs a
short side of at least 1000 px to carry a legible full page, a PDF scan needs 100 dpi (150 to be
free of a warning). MANIFEST's prototype had no size rule at all.
"""

from __future__ import annotations

import hashlib
import io
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

import domain.scans as scans_module
from domain.issues import Issue, Severity
from domain.media import FileKind
from domain.scans import check_scan

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"

LOWRES = "scan-low-resolution"
UNSUPPORTED = "file-format-unsupported"
SMALL = "PRODUCT rule: short side under 1000 px"

# (file, expected outcome, why / deviation from MANIFEST)
SCAN_TABLE: list[tuple[str, str, str]] = [
    ("documents/images/doc_blurred.png", "scan-blurred", ""),
    ("documents/images/doc_low_contrast.png", "scan-low-contrast", "MANIFEST: reject/warn; we reject"),
    ("documents/images/doc_lowres_67dpi.png", LOWRES, "566x733"),
    ("documents/images/doc_phone_photo.jpg", "ok", ""),
    ("documents/images/doc_scan_200dpi.png", "ok", ""),
    ("faces/biden.jpg", LOWRES, "970 px short side"),
    ("faces/chelsea.png", LOWRES, SMALL),
    ("faces/derived/blue_bg_portrait.jpg", LOWRES, "910 px short side"),
    ("faces/derived/blur1.5_portrait.jpg", LOWRES, "910 px short side"),
    ("faces/derived/blur3_portrait.jpg", LOWRES, "910 px short side"),
    ("faces/derived/good_portrait_lightbg.jpg", LOWRES, "910 px short side"),
    ("faces/derived/offcentre_portrait.jpg", LOWRES, "910 px short side"),
    ("faces/derived/overexposed_portrait.jpg", LOWRES, "910 px short side"),
    ("faces/derived/shadow_bg_portrait.jpg", LOWRES, "910 px short side"),
    ("faces/derived/small_face_portrait.jpg", LOWRES, "910 px short side"),
    ("faces/derived/underexposed_portrait.jpg", LOWRES, "910 px short side"),
    ("faces/obama.jpg", LOWRES, "910 px short side"),
    ("faces/obama_partial_face.jpg", LOWRES, "491 px short side"),
    ("faces/obama_small.jpg", LOWRES, "320x240"),
    ("faces/page.png", LOWRES, "384x191 (MANIFEST: too low resolution)"),
    ("faces/text.png", LOWRES, "448x172"),
    ("faces/two_people.jpg", LOWRES, "661 px short side"),
    ("images/bombs/decompression_bomb.gif", UNSUPPORTED, "GIF is never decoded"),
    ("images/bombs/decompression_bomb_extents.gif", UNSUPPORTED, "GIF is never decoded"),
    ("images/bombs/jpeg_header_60000x60000.jpg", "image-too-large", "refused at the header"),
    ("images/bombs/png_20000x8_strip.png", LOWRES, "8 px short side"),
    ("images/bombs/png_bomb_40000x40000_1bit.png", "image-too-large", "refused at the header"),
    ("images/bombs/png_decompression_dos.png", "file-damaged", "text-chunk bomb"),
    ("images/corrupt/broken.png", "file-damaged", ""),
    ("images/corrupt/broken_data_stream.png", "file-damaged", "Pillow 13 raises on load (MANIFEST: decoded)"),
    ("images/corrupt/clap-overflow-divide-zero.heic", "file-damaged", ""),
    ("images/corrupt/crash-2020-10-test.tif", UNSUPPORTED, "TIFF"),
    ("images/corrupt/github_15.heic", UNSUPPORTED, "no ftyp box: not a HEIC by its bytes"),
    ("images/corrupt/pngtest_bad.png.bin", UNSUPPORTED, "no PNG signature"),
    ("images/corrupt/sugarshack_no_data.mpo", LOWRES, "frame 0 decodes; 640x480"),
    ("images/corrupt/truncated_app14.jpg", LOWRES, "decodes; 100x100"),
    ("images/corrupt/truncated_end_chunk.png", "file-damaged", "Pillow 13 raises on load (MANIFEST: ok)"),
    ("images/corrupt/truncated_image.png", "file-damaged", ""),
    ("images/corrupt/truncated_jpeg.jpg", "file-damaged", ""),
    ("images/corrupt/ultrahdr.jpg", "file-damaged", ""),
    ("images/corrupt/unknown_compression_method.png", "file-damaged", ""),
    ("images/corrupt/zero_width.gif", UNSUPPORTED, "GIF"),
    ("images/exif_dpi/empty_gps_ifd.jpg", LOWRES, "10x10"),
    ("images/exif_dpi/exif-200dpcm.jpg", LOWRES, "200x200; stated dpi is ignored"),
    ("images/exif_dpi/exif-dpi-zerodivision.jpg", LOWRES, "200x200"),
    ("images/exif_dpi/exif_gps_typeerror.jpg", LOWRES, "800x531"),
    ("images/exif_dpi/hopper_bad_exif.jpg", LOWRES, "500x500"),
    ("images/exif_dpi/invalid-exif.jpg", LOWRES, "200x200"),
    ("images/exif_dpi/jfif_unit_cm.jpg", LOWRES, "1x1"),
    ("images/exif_dpi/no-dpi-in-exif.jpg", LOWRES, "200x200"),
    ("images/exif_dpi/photoshop-200dpi.jpg", LOWRES, "200x200"),
    ("images/exif_dpi/truncated_exif_dpi.jpg", LOWRES, "480x640"),
    ("images/exif_orientation/exif_imagemagick_orientation.png", LOWRES, "512x512"),
    ("images/exif_orientation/hopper_orientation_2.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_3.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_4.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_5.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_6.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_7.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_8.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/photo_12mp_orient6.jpg", "ok", "12 MP, 2.96 MB < 5 MB"),
    ("images/exif_orientation/xmp_tags_orientation.png", LOWRES, "326x268"),
    ("images/heic/colors-no-alpha.heic", LOWRES, "64x64"),
    ("images/heic/example.heic", LOWRES, f"MANIFEST: accept. 1280x854: {SMALL}"),
    ("images/heic/iphone_like_4032x3024_orient6.heic", "ok", ""),
    ("images/odd_modes/hopper.jpg", LOWRES, "128x128"),
    ("images/odd_modes/hopper.webp", UNSUPPORTED, "WebP"),
    ("images/odd_modes/hopper_gray.jpg", LOWRES, "128x128"),
    ("images/odd_modes/i_trns.png", LOWRES, "64x64"),
    ("images/odd_modes/iss634.gif", UNSUPPORTED, "animated GIF: format not allowed"),
    ("images/odd_modes/monkey12.jpg", UNSUPPORTED, "12-bit JPEG"),
    ("images/odd_modes/monkey16.png", LOWRES, "149x227"),
    ("images/odd_modes/num_plays.png", "image-animated", "APNG"),
    ("images/odd_modes/pil_sample_cmyk.jpg", LOWRES, "100x100"),
    ("images/odd_modes/rgba_portrait.png", LOWRES, "910 px short side"),
    ("images/odd_modes/sugarshack.mpo", LOWRES, "640x480"),
    ("images/odd_modes/testimgari.jpg", LOWRES, "227x149"),
    ("images/odd_modes/tiff_renamed.jpg", UNSUPPORTED, "TIFF named .jpg"),
    ("images/odd_modes/uncompressed_rgb.png", LOWRES, f"MANIFEST: accept. 800x600: {SMALL}"),
    ("images/valid/flower.jpg", LOWRES, f"MANIFEST: accept with a legibility warning. 480x360: {SMALL}"),
    ("images/valid/itxt_chunks.png", "ok", "2400x2000"),
    ("images/valid/junk_jpeg_header.jpg", LOWRES, f"MANIFEST: accept. 1024x768: {SMALL}"),
    ("pdf/cmyk-image.pdf", "ok+scan-pdf-dpi-borderline", "116 dpi (MANIFEST: borderline)"),
    ("pdf/crazyones.pdf", "ok", "text PDF"),
    ("pdf/duplicate_xref_entry.pdf", "pdf-page-size", "MANIFEST: accept (it opens). Its pages are 1x1 pt "
     "(0.35 mm): nothing a person can read"),
    ("pdf/encrypted-file.pdf", "pdf-password", ""),
    ("pdf/encryption_r2-user-password.pdf", "pdf-password", "RC4"),
    ("pdf/encryption_r4-aes-user-password.pdf", "pdf-password", "AES-128"),
    ("pdf/encryption_r4-owner-password.pdf", "ok", "owner password only: opens without one"),
    ("pdf/encryption_r6-both-passwords.pdf", "pdf-password", "AES-256"),
    ("pdf/encryption_r6-empty-password.pdf", "ok", "empty user password"),
    ("pdf/encryption_r6-user-password.pdf", "pdf-password", "viewers ask for a password (pypdf does not)"),
    ("pdf/generated/bad_xref_offset.pdf", "ok", "PDFium recovers"),
    ("pdf/generated/bitflipped.pdf", "file-damaged", ""),
    ("pdf/generated/empty.pdf", "file-empty", "0 bytes"),
    ("pdf/generated/header_only.pdf", "file-damaged", ""),
    ("pdf/generated/html_error_page.pdf", UNSUPPORTED, "HTML saved as .pdf"),
    ("pdf/generated/jpeg_renamed.pdf", LOWRES, "a JPEG by its bytes: checked as a JPEG, 128x128"),
    ("pdf/generated/pdf_500_blank_pages.pdf", "pdf-too-many-pages", ""),
    ("pdf/generated/pdf_huge_page_200in.pdf", "pdf-page-size", "5080 mm; never rendered"),
    ("pdf/generated/pdf_scan_200dpi_letter.pdf", "ok", "200 dpi image-only scan"),
    ("pdf/generated/pdf_scan_2pages_200dpi.pdf", "ok+scan-pdf-low-contrast", "page 2 washed out -> warning"),
    ("pdf/generated/pdf_scan_72dpi_letter.pdf", "scan-pdf-low-dpi", "72 dpi (MANIFEST: reject/warn)"),
    ("pdf/generated/truncated_half.pdf", "file-damaged", ""),
    ("pdf/generated/truncated_no_eof.pdf", "file-damaged", ""),
    ("pdf/grayscale-image.pdf", "scan-pdf-low-dpi", "MANIFEST: warn. 96 dpi is under the 100 dpi floor "
     "(a 324x450 px picture cannot carry a legible document)"),
    ("pdf/imagemagick-CCITTFaxDecode.pdf", "pdf-page-size", "4x4 pt page"),
    ("pdf/indirect-rotation.pdf", "ok", "5 pages, 300 dpi, text layer"),
    ("pdf/jpeg.pdf", "ok+scan-pdf-dpi-borderline", "MANIFEST: accept. Accepted; 120 dpi earns the "
     "product's 100-150 dpi warning"),
    ("pdf/libreoffice-writer-password.pdf", "pdf-password", ""),
    ("pdf/pdflatex-4-pages.pdf", "ok", "4 pages"),
    ("pdf/trailer_loop.pdf", "pdf-page-size", "MANIFEST: opens in PDFium (so: accept). Its page is "
     "1x1 pt: nothing to read"),
    ("pdf/two-different-pages.pdf", "ok", "2 pages of different size"),
]


def corpus(rel: str) -> bytes:
    return (CORPUS / rel).read_bytes()


def outcome(issues: tuple[Issue, ...]) -> str:
    errors = [i.code for i in issues if i.severity is Severity.ERROR]
    if errors:
        assert len(issues) == 1, "checks stop at the first error"
        return errors[0]
    return "".join(["ok", *(f"+{i.code}" for i in issues)])


def test_the_table_covers_every_corpus_file() -> None:
    on_disk = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file())
    assert sorted([row[0] for row in SCAN_TABLE] + ["MANIFEST.md"]) == on_disk


@pytest.mark.parametrize(("rel", "expected", "why"), SCAN_TABLE, ids=[r[0] for r in SCAN_TABLE])
def test_corpus_outcome(rel: str, expected: str, why: str) -> None:
    data = corpus(rel)
    result = check_scan(data)
    assert outcome(result.issues) == expected, why
    assert result.ok is expected.startswith("ok")
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- facts and params


def test_facts_of_an_image() -> None:
    result = check_scan(corpus("images/exif_orientation/photo_12mp_orient6.jpg"))
    assert (result.kind, result.pages, result.width, result.height, result.dpi) == (
        FileKind.JPEG,
        1,
        3000,
        4000,
        None,
    )
    low = check_scan(corpus("documents/images/doc_lowres_67dpi.png"))
    assert dict(low.issues[0].params) == {"short_side": 566, "minimum": 1000}
    assert (low.kind, low.width, low.height) == (FileKind.PNG, 566, 733)


def test_facts_of_pdfs() -> None:
    scan = check_scan(corpus("pdf/generated/pdf_scan_200dpi_letter.pdf"))
    assert (scan.kind, scan.pages, scan.width, scan.height, scan.dpi) == (FileKind.PDF, 1, 612, 792, 200)
    text = check_scan(corpus("pdf/pdflatex-4-pages.pdf"))
    assert (text.pages, text.dpi) == (4, None)
    two = check_scan(corpus("pdf/generated/pdf_scan_2pages_200dpi.pdf"))
    assert [(i.code, i.severity, dict(i.params)) for i in two.issues] == [
        ("scan-pdf-low-contrast", Severity.WARNING, {"page": 2})
    ]
    borderline = check_scan(corpus("pdf/jpeg.pdf")).issues[0]
    assert (borderline.severity, dict(borderline.params)) == (
        Severity.WARNING,
        {"dpi": 120, "page": 1, "recommended": 150},
    )
    low = check_scan(corpus("pdf/generated/pdf_scan_72dpi_letter.pdf"))
    assert dict(low.issues[0].params) == {"dpi": 72, "page": 1, "recommended": 150}
    assert low.dpi == 72
    pages = check_scan(corpus("pdf/generated/pdf_500_blank_pages.pdf"))
    assert dict(pages.issues[0].params) == {"pages": 500, "limit": 10}
    assert pages.pages == 500
    huge = check_scan(corpus("pdf/generated/pdf_huge_page_200in.pdf"))
    assert dict(huge.issues[0].params) == {"page": 1, "width_mm": 5080.0, "height_mm": 5080.0}


def test_unsupported_params() -> None:
    issue = check_scan(corpus("images/odd_modes/hopper.webp")).issues[0]
    assert dict(issue.params) == {"detected": "WebP", "accepted": "PDF, JPEG, PNG, HEIC"}
    assert check_scan(corpus("images/odd_modes/hopper.webp")).kind is None


def test_limits_are_parameters() -> None:
    data = corpus("pdf/pdflatex-4-pages.pdf")
    too_big = check_scan(data, max_bytes=10_000)
    assert outcome(too_big.issues) == "file-too-big"
    assert dict(too_big.issues[0].params) == {"limit_mb": 0.01}
    assert check_scan(data, max_bytes=len(data)).ok
    half = check_scan(b"%PDF-" + bytes(3 * 1024 * 1024), max_bytes=int(2.5 * 1024 * 1024))
    assert dict(half.issues[0].params) == {"limit_mb": 2.5}
    assert dict(check_scan(b"%PDF-" + bytes(6 * 1024 * 1024)).issues[0].params) == {"limit_mb": 5}
    pages = check_scan(data, max_pages=3)
    assert outcome(pages.issues) == "pdf-too-many-pages"
    assert dict(pages.issues[0].params) == {"pages": 4, "limit": 3}
    assert check_scan(data, max_pages=4).ok


def test_size_is_checked_before_anything_is_parsed() -> None:
    start = time.perf_counter()
    result = check_scan(b"\xff\xd8\xff" + bytes(30 * 1024 * 1024))
    assert outcome(result.issues) == "file-too-big"
    assert time.perf_counter() - start < 2.0


# --------------------------------------------------------------------------- PDFs made here


def build_pdf(objects: list[bytes], root: int = 1) -> bytes:
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return out


def image_page_pdf(
    px_w: int, px_h: int, data: bytes, page_w: int = 612, page_h: int = 792, flate: bool = False
) -> bytes:
    """One page covered by one image: grey JPEG data, or (flate=True) zlib-compressed RGB."""
    content = b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (page_w, page_h)
    kind = b"/DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode" if flate else (
        b"/DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
    )
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im0 5 0 R >> >> "
            b"/Contents 4 0 R >>" % (page_w, page_h),
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /Length %d >>\nstream\n"
            % (px_w, px_h, kind, len(data))
            + data
            + b"\nendstream",
        ]
    )


def nested_forms_pdf(depth: int, fanout: int = 8, leaf: bytes | None = None) -> bytes:
    """A scan page (a grey JPEG over the whole page) plus a chain of `depth` form XObjects, each drawing
    the next one `fanout` times: a small file that PDFium expands fanout**(depth-1) times. The default leaf
    is 200 small squares (costly to parse); pass e.g. full-page fills to make it costly to paint instead."""
    jpeg = encode(document().resize((850, 1100)), "JPEG", quality=70)
    if leaf is None:
        leaf = b"0.5 g " + b" ".join(b"%d %d 3 3 re f" % (i % 600, (i * 7) % 780) for i in range(200))
    content = b"q 612 0 0 792 0 0 cm /Im0 Do Q /F0 Do"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /XObject << /Im0 5 0 R /F0 6 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 850 /Height 1100 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % len(jpeg) + jpeg + b"\nendstream",
    ]
    for level in range(depth):
        if level < depth - 1:
            body = b" ".join(b"q 1 0 0 1 %d %d cm /C Do Q" % (i, i) for i in range(fanout))
            resources = b"<< /XObject << /C %d 0 R >> >>" % (6 + level + 1)
        else:
            body, resources = leaf, b"<< >>"
        objects.append(
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources %s /Length %d >>\nstream\n"
            % (resources, len(body)) + body + b"\nendstream"
        )
    return build_pdf(objects)


def test_nested_forms_pdf_is_refused_as_too_complex_before_pdfium_expands_it() -> None:
    # Issue 9: a 130 KB PDF of forms nested 6 deep, 8 wide. PDFium parses a form again wherever it is drawn
    # (8**5 times here, over ten seconds); it was accepted as a passport scan.
    data = nested_forms_pdf(6)
    assert len(data) < 200_000
    start = time.perf_counter()
    result = check_scan(data)
    assert outcome(result.issues) == "file-too-complex"
    assert time.perf_counter() - start < 2.0
    assert result.kind is FileKind.PDF


def test_shallow_nested_forms_are_still_checked_normally() -> None:
    assert outcome(check_scan(nested_forms_pdf(3, fanout=4)).issues) == "ok+scan-pdf-dpi-borderline"


def test_a_form_that_draws_itself_does_not_hang_the_precheck() -> None:
    data = nested_forms_pdf(1, leaf=b"q 0.5 0 0 0.5 0 0 cm /F0 Do Q")
    data = data.replace(b"/Resources << >>", b"/Resources << /XObject << /F0 6 0 R >> >>")
    start = time.perf_counter()
    check_scan(data)  # whatever PDFium says; the pre-check must terminate
    assert time.perf_counter() - start < 2.0


def test_unreadable_pages_object_stand_in() -> None:
    # Stands in for py-pdf sample 017 "unreadablemetadata.pdf" (2.8 MB, not copied): the catalog's
    # /Pages is not a page tree. pypdf says "Invalid object in /Pages"; PDFium refuses to load it.
    data = build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"42"])
    assert outcome(check_scan(data).issues) == "file-damaged"


def test_jpeg_scan_pdf_made_here() -> None:
    page = Image.new("L", (1275, 1650), 255)  # letter at 150 dpi
    ImageDraw.Draw(page).text((100, 100), "Lorem ipsum " * 8, fill=0, font_size=28)
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=80)
    result = check_scan(image_page_pdf(1275, 1650, buf.getvalue()))
    assert outcome(result.issues) == "ok", "150 dpi is fine"
    assert result.dpi == 150


def test_pdf_with_a_bomb_image_is_refused_without_decoding_it() -> None:
    data = image_page_pdf(60000, 60000, b"\xff\xd8\xff\xd9")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = check_scan(data)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome(result.issues) == "image-too-large"
    assert elapsed < 2.0 and peak < 50 * 1024 * 1024


def test_huge_page_is_rejected_fast_and_small() -> None:
    data = corpus("pdf/generated/pdf_huge_page_200in.pdf")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = check_scan(data)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome(result.issues) == "pdf-page-size"
    assert elapsed < 2.0 and peak < 50 * 1024 * 1024


def test_zero_page_pdf_is_damaged() -> None:
    data = build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    assert outcome(check_scan(data).issues) == "file-damaged"


# --------------------------------------------------------------------------- images made here


def document(width: int = 1700, height: int = 2200, ink: int = 20, paper: int = 250) -> Image.Image:
    page = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(page)
    for row in range(30):
        draw.text((120, 150 + row * 60), "Lorem ipsum dolor sit amet 0123456789 " * 2, fill=ink, font_size=30)
    return page


def encode(im: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def test_sharp_document_is_accepted_blurred_is_not() -> None:
    assert outcome(check_scan(encode(document())).issues) == "ok"
    blurred = document().filter(ImageFilter.GaussianBlur(4))
    assert outcome(check_scan(encode(blurred)).issues) == "scan-blurred"


def test_a_page_blurred_past_any_edge_is_blurred_while_ink_survives() -> None:
    # Blurred so far that no 7x7 window spans 40 grey levels, yet ink and paper still differ by more
    # than the contrast minimum: no measurable edge where there is ink means blurred, not accepted.
    page = document().filter(ImageFilter.GaussianBlur(8))
    assert outcome(check_scan(encode(page)).issues) == "scan-blurred"
    pdf = image_page_pdf(1700, 2200, encode(page, "JPEG", quality=90), page_w=408, page_h=528)
    assert outcome(check_scan(pdf).issues) == "ok+scan-pdf-blurred"  # a warning for PDFs: see the module


def test_washed_out_document() -> None:
    assert outcome(check_scan(encode(document(ink=190, paper=215))).issues) == "scan-low-contrast"
    assert outcome(check_scan(encode(document(ink=120, paper=220))).issues) == "ok"


def test_blank_page_is_low_contrast() -> None:
    assert outcome(check_scan(encode(Image.new("L", (1700, 2200), 250))).issues) == "scan-low-contrast"


def test_big_phone_photo_of_a_document_is_measured_on_a_reduced_copy() -> None:
    page = document(3000, 4000).convert("RGB")
    data = encode(page, "JPEG", quality=85)
    start = time.perf_counter()
    result = check_scan(data)
    assert outcome(result.issues) == "ok"
    assert (result.width, result.height) == (3000, 4000)
    assert time.perf_counter() - start < 5.0


def test_sparse_but_sharp_receipt_is_not_called_blurred() -> None:
    page = Image.new("L", (1200, 2400), 245)
    ImageDraw.Draw(page).text((100, 100), "TOTAL 1500.00", fill=10, font_size=40)
    assert outcome(check_scan(encode(page)).issues) == "ok"


def test_rgb_noise_is_neither_blurred_nor_washed_out() -> None:
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 256, (1200, 1600, 3), dtype=np.uint8)
    assert outcome(check_scan(encode(Image.fromarray(noise), "JPEG")).issues) == "ok"


def flate_image_pdf(width: int, height: int) -> bytes:
    raw = zlib.compress(b"\xf0" * (width * height * 3), 9)
    return image_page_pdf(width, height, raw, flate=True)


def test_big_flate_image_is_not_rendered_but_a_big_jpeg_is(monkeypatch: pytest.MonkeyPatch) -> None:
    # 7000x7000 RGB in a 140 KB PDF: PDFium would need ~150 MB to draw it; it is judged by dpi only.
    # A 6000x8000 JPEG is drawn through PDFium's scaled JPEG decoding (about 15 MB).
    rendered: list[int] = []
    real = scans_module._render_gray

    def spy(page: Any, w: float, h: float) -> Any:
        rendered.append(1)
        return real(page, w, h)

    monkeypatch.setattr(scans_module, "_render_gray", spy)
    flate = check_scan(flate_image_pdf(7000, 7000))
    assert (outcome(flate.issues), flate.dpi, rendered) == ("ok", 636, [])  # 7000 px over 11 in
    buf = io.BytesIO()
    Image.new("L", (6000, 8000), 240).save(buf, "JPEG", quality=30)
    jpeg = check_scan(image_page_pdf(6000, 8000, buf.getvalue()))
    assert outcome(jpeg.issues) == "ok+scan-pdf-low-contrast"  # a blank page, drawn
    assert rendered == [1]


def test_a_stale_password_error_is_not_reported_for_a_damaged_pdf() -> None:
    # PDFium's last-error code is global and some load failures do not reset it.
    assert outcome(check_scan(corpus("pdf/encryption_r6-user-password.pdf")).issues) == "pdf-password"
    broken = build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"42"])
    assert outcome(check_scan(broken).issues) == "file-damaged"
