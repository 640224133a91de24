"""domain.portrait: every corpus file sent to the 3×4 photo step, the corrected JPEG, synthetic cases.

The table below gives, for EVERY file under tests/data/corpus, the outcome of ``check_portrait``:
an error code, or ``ok`` (accepted, no warnings), or ``ok+<warning>...``. The third column says
why, and flags where the outcome differs from tests/data/corpus/MANIFEST.md ("P: ...") and why
ours is the better one.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFilter

import domain.portrait as portrait_module
from domain.issues import Issue, Severity
from domain.media import DecodedImage
from domain.portrait import PortraitResult, check_portrait

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"

LOWRES = "portrait-low-resolution"
UNSUPPORTED = "file-format-unsupported"

# (file, expected outcome, why / deviation from MANIFEST)
PORTRAIT_TABLE: list[tuple[str, str, str]] = [
    ("documents/images/doc_blurred.png", "portrait-no-face", "a document"),
    ("documents/images/doc_low_contrast.png", "portrait-no-face", "a document"),
    ("documents/images/doc_lowres_67dpi.png", LOWRES, "566 px short side"),
    ("documents/images/doc_phone_photo.jpg", "portrait-no-face", "a document"),
    ("documents/images/doc_scan_200dpi.png", "portrait-no-face", "a document"),
    ("faces/biden.jpg", "portrait-background", "MANIFEST: face small or auto-crop. The face box is 33 % of "
     "the width and the crop has enough pixels, so the real problem is the busy room behind him"),
    ("faces/chelsea.png", LOWRES, "451x300; a cat anyway"),
    ("faces/derived/blue_bg_portrait.jpg", "portrait-background", "coloured background"),
    ("faces/derived/blur1.5_portrait.jpg", "ok+portrait-slightly-blurred", "MANIFEST: warn/reject; we warn"),
    ("faces/derived/blur3_portrait.jpg", "portrait-blurred", ""),
    ("faces/derived/good_portrait_lightbg.jpg", "ok", "the reference portrait"),
    ("faces/derived/offcentre_portrait.jpg", "portrait-face-cut", "MANIFEST: re-centre or reject. A centred "
     "3:4 crop would leave the frame, so we ask for a centred photo rather than pad"),
    ("faces/derived/overexposed_portrait.jpg", "portrait-too-bright", ""),
    ("faces/derived/shadow_bg_portrait.jpg", "portrait-background", "shadow: sides differ by ~70 levels"),
    ("faces/derived/small_face_portrait.jpg", "portrait-face-small", "face 10 % of the width"),
    ("faces/derived/underexposed_portrait.jpg", "portrait-too-dark", "exposure is judged before background"),
    ("faces/obama.jpg", "portrait-background", "curtains and flag"),
    ("faces/obama_partial_face.jpg", LOWRES, "MANIFEST: face not fully visible. It is also only 491 px "
     "wide, and the size rule comes first; Haar finds no face in it anyway"),
    ("faces/obama_small.jpg", LOWRES, "320x240"),
    ("faces/page.png", LOWRES, "384x191"),
    ("faces/text.png", LOWRES, "448x172"),
    ("faces/two_people.jpg", "portrait-many-faces", ""),
    ("images/bombs/decompression_bomb.gif", UNSUPPORTED, "GIF is never decoded"),
    ("images/bombs/decompression_bomb_extents.gif", UNSUPPORTED, "GIF is never decoded"),
    ("images/bombs/jpeg_header_60000x60000.jpg", "image-too-large", "refused at the header"),
    ("images/bombs/png_20000x8_strip.png", LOWRES, "8 px short side"),
    ("images/bombs/png_bomb_40000x40000_1bit.png", "image-too-large", "refused at the header"),
    ("images/bombs/png_decompression_dos.png", "file-damaged", "text-chunk bomb: Pillow refuses the header"),
    ("images/corrupt/broken.png", "file-damaged", ""),
    ("images/corrupt/broken_data_stream.png", "file-damaged", "MANIFEST: size reject (Pillow decoded it). "
     "Pillow 13 raises on load; a damaged file should be called damaged"),
    ("images/corrupt/clap-overflow-divide-zero.heic", "file-damaged", ""),
    ("images/corrupt/crash-2020-10-test.tif", UNSUPPORTED, "TIFF is never decoded"),
    ("images/corrupt/github_15.heic", UNSUPPORTED, "MANIFEST: reject stub. 16 bytes without an ftyp box: "
     "not a HEIC at all by its bytes"),
    ("images/corrupt/pngtest_bad.png.bin", UNSUPPORTED, "MANIFEST: unreadable. The PNG signature's first "
     "byte is missing, so by its bytes it is not a PNG"),
    ("images/corrupt/sugarshack_no_data.mpo", LOWRES, "frame 0 decodes (see test_media); 640x480"),
    ("images/corrupt/truncated_app14.jpg", LOWRES, "decodes; 100x100"),
    ("images/corrupt/truncated_end_chunk.png", "file-damaged", "MANIFEST: size reject (Pillow decoded "
     "it). Pillow 13 raises on load: it is truncated, so it is called damaged"),
    ("images/corrupt/truncated_image.png", "file-damaged", ""),
    ("images/corrupt/truncated_jpeg.jpg", "file-damaged", ""),
    ("images/corrupt/ultrahdr.jpg", "file-damaged", ""),
    ("images/corrupt/unknown_compression_method.png", "file-damaged", ""),
    ("images/corrupt/zero_width.gif", UNSUPPORTED, "GIF"),
    ("images/exif_dpi/empty_gps_ifd.jpg", LOWRES, "10x10; broken EXIF read safely"),
    ("images/exif_dpi/exif-200dpcm.jpg", LOWRES, "200x200"),
    ("images/exif_dpi/exif-dpi-zerodivision.jpg", LOWRES, "200x200"),
    ("images/exif_dpi/exif_gps_typeerror.jpg", LOWRES, "531 px short side"),
    ("images/exif_dpi/hopper_bad_exif.jpg", LOWRES, "500x500"),
    ("images/exif_dpi/invalid-exif.jpg", LOWRES, "200x200"),
    ("images/exif_dpi/jfif_unit_cm.jpg", LOWRES, "1x1"),
    ("images/exif_dpi/no-dpi-in-exif.jpg", LOWRES, "200x200"),
    ("images/exif_dpi/photoshop-200dpi.jpg", LOWRES, "200x200; stated dpi is ignored"),
    ("images/exif_dpi/truncated_exif_dpi.jpg", LOWRES, "480x640"),
    ("images/exif_orientation/exif_imagemagick_orientation.png", LOWRES, "512x512"),
    ("images/exif_orientation/hopper_orientation_2.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_3.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_4.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_5.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_6.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_7.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/hopper_orientation_8.jpg", LOWRES, "128x128"),
    ("images/exif_orientation/photo_12mp_orient6.jpg", "ok", "accept-and-fix: transposed, cropped, 600x800"),
    ("images/exif_orientation/xmp_tags_orientation.png", LOWRES, "326x268"),
    ("images/heic/colors-no-alpha.heic", LOWRES, "64x64"),
    ("images/heic/example.heic", "portrait-no-face", "a landscape"),
    ("images/heic/iphone_like_4032x3024_orient6.heic", "ok", "accept-and-fix -> JPEG"),
    ("images/odd_modes/hopper.jpg", LOWRES, "128x128"),
    ("images/odd_modes/hopper.webp", UNSUPPORTED, "WebP"),
    ("images/odd_modes/hopper_gray.jpg", LOWRES, "128x128"),
    ("images/odd_modes/i_trns.png", LOWRES, "64x64, 16-bit grey"),
    ("images/odd_modes/iss634.gif", UNSUPPORTED, "GIF"),
    ("images/odd_modes/monkey12.jpg", UNSUPPORTED, "12-bit JPEG, detected='JPEG 12-bit'"),
    ("images/odd_modes/monkey16.png", LOWRES, "149x227"),
    ("images/odd_modes/num_plays.png", "image-animated", "APNG"),
    ("images/odd_modes/pil_sample_cmyk.jpg", LOWRES, "100x100 CMYK"),
    ("images/odd_modes/rgba_portrait.png", "ok", "alpha flattened onto white"),
    ("images/odd_modes/sugarshack.mpo", LOWRES, "640x480"),
    ("images/odd_modes/testimgari.jpg", LOWRES, "227x149, arithmetic-coded JPEG decodes"),
    ("images/odd_modes/tiff_renamed.jpg", UNSUPPORTED, "TIFF named .jpg"),
    ("images/odd_modes/uncompressed_rgb.png", "portrait-no-face", ""),
    ("images/valid/flower.jpg", LOWRES, "480x360"),
    ("images/valid/itxt_chunks.png", "portrait-no-face", ""),
    ("images/valid/junk_jpeg_header.jpg", "portrait-no-face", ""),
    ("pdf/cmyk-image.pdf", UNSUPPORTED, "a PDF is not a photo"),
    ("pdf/crazyones.pdf", UNSUPPORTED, "PDF"),
    ("pdf/duplicate_xref_entry.pdf", UNSUPPORTED, "PDF"),
    ("pdf/encrypted-file.pdf", UNSUPPORTED, "PDF"),
    ("pdf/encryption_r2-user-password.pdf", UNSUPPORTED, "PDF"),
    ("pdf/encryption_r4-aes-user-password.pdf", UNSUPPORTED, "PDF"),
    ("pdf/encryption_r4-owner-password.pdf", UNSUPPORTED, "PDF"),
    ("pdf/encryption_r6-both-passwords.pdf", UNSUPPORTED, "PDF"),
    ("pdf/encryption_r6-empty-password.pdf", UNSUPPORTED, "PDF"),
    ("pdf/encryption_r6-user-password.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/bad_xref_offset.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/bitflipped.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/empty.pdf", "file-empty", "0 bytes"),
    ("pdf/generated/header_only.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/html_error_page.pdf", UNSUPPORTED, "HTML"),
    ("pdf/generated/jpeg_renamed.pdf", LOWRES, "a JPEG by its bytes (named .pdf): 128x128"),
    ("pdf/generated/pdf_500_blank_pages.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/pdf_huge_page_200in.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/pdf_scan_200dpi_letter.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/pdf_scan_2pages_200dpi.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/pdf_scan_72dpi_letter.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/truncated_half.pdf", UNSUPPORTED, "PDF"),
    ("pdf/generated/truncated_no_eof.pdf", UNSUPPORTED, "PDF"),
    ("pdf/grayscale-image.pdf", UNSUPPORTED, "PDF"),
    ("pdf/imagemagick-CCITTFaxDecode.pdf", UNSUPPORTED, "PDF"),
    ("pdf/indirect-rotation.pdf", UNSUPPORTED, "PDF"),
    ("pdf/jpeg.pdf", UNSUPPORTED, "PDF"),
    ("pdf/libreoffice-writer-password.pdf", UNSUPPORTED, "PDF"),
    ("pdf/pdflatex-4-pages.pdf", UNSUPPORTED, "PDF"),
    ("pdf/trailer_loop.pdf", UNSUPPORTED, "PDF"),
    ("pdf/two-different-pages.pdf", UNSUPPORTED, "PDF"),
]

GOOD_PORTRAITS = [
    "faces/derived/good_portrait_lightbg.jpg",
    "images/exif_orientation/photo_12mp_orient6.jpg",
    "images/heic/iphone_like_4032x3024_orient6.heic",
    "images/odd_modes/rgba_portrait.png",
]


def corpus(rel: str) -> bytes:
    return (CORPUS / rel).read_bytes()


def outcome(issues: tuple[Issue, ...]) -> str:
    errors = [i.code for i in issues if i.severity is Severity.ERROR]
    if errors:
        assert len(issues) == 1, "checks stop at the first error"
        return errors[0]
    return "".join(["ok", *(f"+{i.code}" for i in issues)])


def encode(im: Image.Image, fmt: str = "JPEG", **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def test_the_table_covers_every_corpus_file() -> None:
    on_disk = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file())
    assert sorted([row[0] for row in PORTRAIT_TABLE] + ["MANIFEST.md"]) == on_disk


@pytest.mark.parametrize(("rel", "expected", "why"), PORTRAIT_TABLE, ids=[r[0] for r in PORTRAIT_TABLE])
def test_corpus_outcome(rel: str, expected: str, why: str) -> None:
    result = check_portrait(corpus(rel))
    assert outcome(result.issues) == expected, why
    if expected.startswith("ok"):
        assert result.jpeg is not None
    else:
        assert (result.jpeg, result.width, result.height, result.dpi) == (None, 0, 0, 0)


def test_issue_params() -> None:
    issue = check_portrait(corpus("images/valid/flower.jpg")).issues[0]
    assert dict(issue.params) == {"width": 480, "height": 360}
    issue = check_portrait(corpus("images/odd_modes/monkey12.jpg")).issues[0]
    assert dict(issue.params) == {"detected": "JPEG 12-bit", "accepted": "JPEG, PNG, HEIC"}
    issue = check_portrait(corpus("pdf/crazyones.pdf")).issues[0]
    assert dict(issue.params) == {"detected": "PDF", "accepted": "JPEG, PNG, HEIC"}
    issue = check_portrait(corpus("faces/two_people.jpg")).issues[0]
    assert dict(issue.params) == {"count": 2}
    issue = check_portrait(corpus("images/bombs/png_bomb_40000x40000_1bit.png")).issues[0]
    assert dict(issue.params) == {"limit_mp": 50}


# --------------------------------------------------------------------------- the corrected JPEG

_cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / "haarcascade_frontalface_alt2.xml"))


def assert_print_ready(result: PortraitResult) -> Image.Image:
    assert result.ok and result.jpeg is not None
    assert len(result.jpeg) < 2 * 1024 * 1024
    im = Image.open(io.BytesIO(result.jpeg))
    im.load()
    assert im.format == "JPEG" and im.mode == "RGB"
    assert im.size == (result.width, result.height)
    assert result.width * 4 == result.height * 3, "3:4"
    assert result.width >= 600 and result.height >= 800
    assert result.dpi >= 300
    assert im.info["dpi"] == (result.dpi, result.dpi)
    assert math.isclose(result.width / result.dpi * 2.54, 3.0, abs_tol=0.05)
    assert math.isclose(result.height / result.dpi * 2.54, 4.0, abs_tol=0.05)
    assert "exif" not in im.info and "icc_profile" not in im.info
    return im


@pytest.mark.parametrize("rel", GOOD_PORTRAITS)
def test_good_portraits_become_a_3x4_print(rel: str) -> None:
    result = check_portrait(corpus(rel))
    assert result.issues == ()
    im = assert_print_ready(result)
    gray = np.asarray(im.convert("L"))
    faces = _cascade.detectMultiScale(gray, 1.1, 5, minSize=(im.width // 5, im.width // 5))
    assert len(faces) == 1
    x, y, w, _ = (int(v) for v in faces[0])
    assert abs((x + w / 2) / im.width - 0.5) < 0.06, "face centred horizontally"
    assert 0.3 < w / im.width < 0.75, "face fills a sensible part of the width"
    assert 0.05 < y / im.height < 0.4, "room above the head, face in the upper half"


def test_orientation_is_fixed_in_the_output() -> None:
    result = check_portrait(corpus("images/exif_orientation/photo_12mp_orient6.jpg"))
    im = assert_print_ready(result)
    assert im.height > im.width
    # Upright: the face is found without rotating the output.
    assert len(_cascade.detectMultiScale(np.asarray(im.convert("L")), 1.1, 5, minSize=(120, 120))) == 1


def test_large_source_gives_a_larger_print() -> None:
    result = check_portrait(corpus("images/heic/iphone_like_4032x3024_orient6.heic"))
    assert (result.width, result.height, result.dpi) == (900, 1200, 762)


def test_slightly_blurred_is_accepted_with_a_warning() -> None:
    result = check_portrait(corpus("faces/derived/blur1.5_portrait.jpg"))
    assert [(i.code, i.severity) for i in result.issues] == [("portrait-slightly-blurred", Severity.WARNING)]
    assert_print_ready(result)


# --------------------------------------------------------------------------- synthetic pictures


def good() -> Image.Image:
    im = Image.open(CORPUS / "faces/derived/good_portrait_lightbg.jpg")
    im.load()
    return im.convert("RGB")


BG = (238, 238, 240)  # the light grey of the reference portrait


def test_grey_noise_has_no_face() -> None:
    rng = np.random.default_rng(1)
    noise = rng.normal(128, 40, (1600, 1200, 3)).clip(0, 255).astype(np.uint8)
    assert outcome(check_portrait(encode(Image.fromarray(noise))).issues) == "portrait-no-face"


def test_plain_light_wall_has_no_face() -> None:
    assert outcome(check_portrait(encode(Image.new("RGB", (1200, 1600), BG))).issues) == "portrait-no-face"


@pytest.mark.parametrize("size", [(1, 1), (100, 100), (128, 128), (320, 240), (480, 360), (599, 2000)])
def test_small_pictures_are_low_resolution(size: tuple[int, int]) -> None:
    data = encode(good().resize(size))
    assert outcome(check_portrait(data).issues) == LOWRES


def test_empty_pdf_and_oversized_inputs() -> None:
    assert outcome(check_portrait(b"").issues) == "file-empty"
    assert outcome(check_portrait(b"%PDF-1.7\n").issues) == UNSUPPORTED
    oversized = check_portrait(b"\xff\xd8\xff\xe0" + bytes(20 * 1024 * 1024))
    assert outcome(oversized.issues) == "file-too-big"
    assert dict(oversized.issues[0].params) == {"limit_mb": 20}


def test_portrait_on_a_big_light_canvas_is_recentred() -> None:
    portrait = good()  # 910x1137, face centred a bit right of the middle
    canvas = Image.new("RGB", (2400, 3000), BG)
    canvas.paste(portrait.resize((1820, 2274)), (200, 400))
    result = check_portrait(encode(canvas, quality=92))
    assert outcome(result.issues) == "ok"
    assert_print_ready(result)


def test_face_near_the_edge_is_cut() -> None:
    portrait = good()
    shifted = Image.new("RGB", portrait.size, BG)
    shifted.paste(portrait, (-330, 0))  # the face now touches the left edge
    assert outcome(check_portrait(encode(shifted)).issues) == "portrait-face-cut"


def test_head_cut_at_the_top_is_cut() -> None:
    portrait = good()
    cropped = portrait.crop((0, 60, 910, 1137))  # the top of the head is outside the picture
    assert outcome(check_portrait(encode(cropped)).issues) == "portrait-face-cut"


def test_face_far_away_is_small() -> None:
    canvas = Image.new("RGB", (1800, 2400), BG)
    canvas.paste(good().resize((637, 796)), (560, 900))  # face about 10 % of the width
    assert outcome(check_portrait(encode(canvas)).issues) == "portrait-face-small"


@pytest.mark.parametrize("canvas_width", [1800, 3000, 4000])
@pytest.mark.parametrize("face_share", [0.05, 0.08, 0.09, 0.10])
def test_a_face_far_away_is_told_to_come_closer_not_no_face(canvas_width: int, face_share: float) -> None:
    # The reference portrait's face box is 268 of its 910 px; scale it so the box is `face_share` of the width.
    canvas = Image.new("RGB", (canvas_width, canvas_width * 4 // 3), BG)
    width = round(canvas_width * face_share * 910 / 268)
    portrait = good().resize((width, round(width * 1137 / 910)))
    canvas.paste(portrait, ((canvas.width - portrait.width) // 2, (canvas.height - portrait.height) // 2))
    assert outcome(check_portrait(encode(canvas)).issues) == "portrait-face-small"


def test_coloured_and_dark_and_patterned_backgrounds() -> None:
    arr = np.asarray(good()).copy()
    background = (np.abs(arr.astype(np.int16) - np.array(BG)).sum(axis=2) < 12)[..., None]
    for colour in [(90, 140, 200), (120, 120, 120), (240, 200, 150)]:
        recoloured = np.where(background, np.array(colour, dtype=np.uint8), arr)
        assert outcome(check_portrait(encode(Image.fromarray(recoloured))).issues) == "portrait-background"
    warm_white = np.where(background, np.array((236, 224, 206), dtype=np.uint8), arr)
    assert outcome(check_portrait(encode(Image.fromarray(warm_white))).issues) == "ok", "warm white balance"
    stripes = np.zeros_like(arr)
    stripes[:, :] = np.array(BG, dtype=np.uint8)
    stripes[:, ::40] = 60
    stripes[:, 1::40] = 60
    patterned = np.where(background, stripes, arr)
    assert outcome(check_portrait(encode(Image.fromarray(patterned))).issues) == "portrait-background"


def test_blur_made_here() -> None:
    blurred = good().filter(ImageFilter.GaussianBlur(4))
    assert outcome(check_portrait(encode(blurred)).issues) == "portrait-blurred"


def test_png_and_grayscale_inputs() -> None:
    result = check_portrait(encode(good(), "PNG"))
    assert outcome(result.issues) == "ok"
    grey = check_portrait(encode(good().convert("L")))
    assert outcome(grey.issues) == "ok"
    assert Image.open(io.BytesIO(grey.jpeg or b"")).mode == "RGB"


def test_an_8mp_photo_is_decoded_again_when_the_reduced_copy_is_too_coarse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2448x3264 with the face at ~16 % of the width: at the 1/2 DCT scale the crop would be under
    # 420 px, so the checker decodes again at a finer scale for the output instead of upscaling.
    canvas = Image.new("RGB", (2448, 3264), BG)
    small = good().resize((1274, 1592))
    canvas.paste(small, (1224 - round(0.54 * small.width), 700))
    decodes: list[tuple[int, int]] = []
    real = portrait_module.decode_image

    def counting(data: bytes, **kw: Any) -> DecodedImage:
        dec = real(data, **kw)
        decodes.append(dec.image.size)
        return dec

    monkeypatch.setattr(portrait_module, "decode_image", counting)
    result = check_portrait(encode(canvas, quality=92))
    assert outcome(result.issues) == "ok"
    assert decodes == [(1224, 1632), (2448, 3264)]
    im = assert_print_ready(result)
    assert im.width >= 600


def test_output_is_under_2mb_even_for_noisy_sources() -> None:
    rng = np.random.default_rng(7)
    arr = np.asarray(good().resize((1820, 2274))).astype(np.int16)
    noisy = (arr + rng.normal(0, 6, arr.shape)).clip(0, 255).astype(np.uint8)
    result = check_portrait(encode(Image.fromarray(noisy), quality=95))
    assert result.jpeg is not None, result.issues
    assert len(result.jpeg) < 2 * 1024 * 1024
