"""domain.media: type sniffing, the hardened decoder, and "never raise / never blow up" on hostile bytes."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from domain.issues import Severity
from domain.media import (
    MAX_PIXELS,
    TELEGRAM_DOWNLOAD_LIMIT,
    FileKind,
    MediaError,
    decode_image,
    describe_format,
    sha256_hex,
    sniff,
)
from domain.portrait import check_portrait
from domain.scans import check_scan

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"
BOMBS = [
    "images/bombs/png_bomb_40000x40000_1bit.png",
    "images/bombs/jpeg_header_60000x60000.jpg",
    "images/bombs/decompression_bomb.gif",
    "images/bombs/decompression_bomb_extents.gif",
    "images/bombs/png_decompression_dos.png",
]


def corpus(rel: str) -> bytes:
    return (CORPUS / rel).read_bytes()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header_only(width: int, height: int, bit_depth: int = 8, colour: int = 2) -> bytes:
    """A PNG that claims a size but carries no pixel data: what a bomb's header looks like."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


# --------------------------------------------------------------------------- constants and sniffing


def test_constants() -> None:
    assert TELEGRAM_DOWNLOAD_LIMIT == 20 * 1024 * 1024
    assert MAX_PIXELS == 50_000_000
    assert [k.value for k in FileKind] == ["jpeg", "png", "heic", "pdf"]


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00\x00\x00\x08free"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", FileKind.JPEG),
        (b"\xff\xd8\xff\xe1", FileKind.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FileKind.PNG),
        (ftyp(b"heic", b"mif1", b"heic"), FileKind.HEIC),
        (ftyp(b"heix", b"mif1"), FileKind.HEIC),
        (ftyp(b"mif1", b"mif1", b"heic", b"hevc"), FileKind.HEIC),
        (ftyp(b"msf1", b"hevc"), FileKind.HEIC),
        (ftyp(b"hevc"), FileKind.HEIC),
        (ftyp(b"heim"), FileKind.HEIC),
        (ftyp(b"heis"), FileKind.HEIC),
        (ftyp(b"avif", b"mif1", b"miaf"), None),  # AVIF shares mif1 but is not HEIC
        (ftyp(b"isom", b"mp41"), None),  # an MP4 video
        (b"%PDF-1.7\n", FileKind.PDF),
        (b"\xef\xbb\xbf garbage before the header %PDF-1.4\n", FileKind.PDF),
        (b" " * 1000 + b"%PDF-1.4", FileKind.PDF),
        (b" " * 1100 + b"%PDF-1.4", None),  # only the first 1024 bytes count
        (b"GIF89a", None),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", None),
        (b"II*\x00", None),
        (b"<!DOCTYPE html>", None),
        (b"", None),
        (b"\xff\xd8", None),
        (b"\x89PNG", None),
    ],
)
def test_sniff_uses_magic_bytes_only(data: bytes, kind: FileKind | None) -> None:
    assert sniff(data) is kind


@pytest.mark.parametrize(
    ("rel", "kind", "label"),
    [
        ("images/odd_modes/hopper.jpg", FileKind.JPEG, "JPEG"),
        ("images/odd_modes/monkey12.jpg", FileKind.JPEG, "JPEG 12-bit"),
        ("images/odd_modes/uncompressed_rgb.png", FileKind.PNG, "PNG"),
        ("images/heic/example.heic", FileKind.HEIC, "HEIC"),
        ("pdf/crazyones.pdf", FileKind.PDF, "PDF"),
        ("pdf/generated/jpeg_renamed.pdf", FileKind.JPEG, "JPEG"),
        ("images/odd_modes/tiff_renamed.jpg", None, "TIFF"),
        ("images/odd_modes/hopper.webp", None, "WebP"),
        ("images/odd_modes/iss634.gif", None, "GIF"),
        ("pdf/generated/html_error_page.pdf", None, "unknown"),
        ("images/corrupt/github_15.heic", None, "unknown"),
        ("images/corrupt/pngtest_bad.png.bin", None, "unknown"),
    ],
)
def test_sniff_and_describe_corpus(rel: str, kind: FileKind | None, label: str) -> None:
    data = corpus(rel)
    assert sniff(data) is kind
    assert describe_format(data) == label


def test_describe_other_formats() -> None:
    assert describe_format(b"BM" + b"\x00" * 30) == "BMP"
    assert describe_format(b"PK\x03\x04" + b"\x00" * 30) == "ZIP"
    assert describe_format(ftyp(b"avif", b"mif1")) == "AVIF"


def test_every_issue_code_has_a_message_in_both_locales() -> None:
    root = Path(__file__).resolve().parents[2]
    emitted: set[str] = set()
    pattern = re.compile(r"(?:error|warning|MediaError)\(\s*\"([a-z0-9-]+)\"")
    for module in ("media", "portrait", "scans"):
        emitted |= set(pattern.findall((root / "domain" / f"{module}.py").read_text(encoding="utf-8")))
    assert {"file-damaged", "portrait-background", "pdf-password"} <= emitted
    for locale in ("ru", "en"):
        text = (root / "locales" / locale / "issues-files.ftl").read_text(encoding="utf-8")
        keys = set(re.findall(r"^issue-([a-z0-9-]+) =", text, flags=re.MULTILINE))
        assert keys == emitted, locale


def test_sha256_hex() -> None:
    assert sha256_hex(b"") == hashlib.sha256(b"").hexdigest()
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --------------------------------------------------------------------------- decoding


def reference_hopper() -> np.ndarray:
    return np.asarray(decode_image(corpus("images/odd_modes/hopper.jpg")).image, dtype=np.float32)


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_exif_orientation_is_applied(orientation: int) -> None:
    dec = decode_image(corpus(f"images/exif_orientation/hopper_orientation_{orientation}.jpg"))
    assert dec.image.size == (128, 128)
    assert dec.image.mode == "RGB"
    diff = np.abs(np.asarray(dec.image, dtype=np.float32) - reference_hopper()).mean()
    assert diff < 12, f"orientation {orientation} not undone (mean abs diff {diff:.1f})"


def test_orientation_of_the_12mp_phone_photo_and_draft() -> None:
    data = corpus("images/exif_orientation/photo_12mp_orient6.jpg")
    full = Image.open(io.BytesIO(data))
    assert full.size == (4000, 3000)  # stored landscape, EXIF says rotate
    dec = decode_image(data, min_long=1600)
    assert (dec.full_width, dec.full_height) == (3000, 4000)
    assert dec.image.size == (1500, 2000)  # DCT-scaled 1/2, upright
    assert dec.scale == 0.5
    gray = decode_image(data, min_long=1000, gray=True)
    assert gray.image.mode == "L"
    assert gray.image.size == (750, 1000)


@pytest.mark.parametrize(
    "rel",
    [
        "images/exif_orientation/xmp_tags_orientation.png",
        "images/exif_orientation/exif_imagemagick_orientation.png",
    ],
)
def test_png_orientation_from_exif_or_xmp(rel: str) -> None:
    data = corpus(rel)
    raw = Image.open(io.BytesIO(data))
    raw.load()
    rotated = np.asarray(raw.convert("RGB").transpose(Image.Transpose.ROTATE_180), dtype=np.float32)
    dec = decode_image(data)
    assert dec.image.size == raw.size
    got = np.asarray(dec.image.convert("RGB"), dtype=np.float32)
    if raw.mode == "RGBA":  # flattened onto white: compare only opaque pixels
        alpha = np.asarray(raw.getchannel("A").transpose(Image.Transpose.ROTATE_180)) == 255
        got, rotated = got[alpha], rotated[alpha]
    assert np.abs(got - rotated).mean() < 1.0


def test_heic_rotation_comes_from_the_container() -> None:
    dec = decode_image(corpus("images/heic/iphone_like_4032x3024_orient6.heic"))
    assert dec.kind is FileKind.HEIC
    assert (dec.full_width, dec.full_height) == (3024, 4032)
    assert dec.image.size == (3024, 4032)


def test_multi_image_heic_uses_the_primary_image() -> None:
    dec = decode_image(corpus("images/heic/example.heic"))
    assert dec.image.size == (1280, 854)


@pytest.mark.parametrize("rel", ["images/odd_modes/sugarshack.mpo", "images/corrupt/sugarshack_no_data.mpo"])
def test_mpo_uses_the_first_frame(rel: str) -> None:
    dec = decode_image(corpus(rel))
    assert dec.format == "MPO"
    assert dec.kind is FileKind.JPEG
    assert dec.image.size == (640, 480)


@pytest.mark.parametrize(
    ("rel", "mode"),
    [
        ("images/odd_modes/pil_sample_cmyk.jpg", "RGB"),
        ("images/odd_modes/hopper_gray.jpg", "L"),
        ("images/odd_modes/i_trns.png", "L"),
        ("images/odd_modes/monkey16.png", "RGB"),
        ("images/odd_modes/testimgari.jpg", "RGB"),
        ("images/odd_modes/uncompressed_rgb.png", "RGB"),
        ("images/odd_modes/rgba_portrait.png", "RGB"),
    ],
)
def test_odd_modes_become_rgb_or_l(rel: str, mode: str) -> None:
    assert decode_image(corpus(rel)).image.mode == mode


def test_sixteen_bit_grey_is_scaled_to_eight_bit() -> None:
    ramp = np.linspace(0, 65535, 256, dtype=np.uint16).reshape(16, 16)
    data = encode(Image.fromarray(ramp), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    arr = np.asarray(decode_image(data).image)
    assert arr.dtype == np.uint8
    assert arr.min() == 0 and arr.max() == 255


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_flattened_onto_white(mode: str) -> None:
    im = Image.new("RGBA", (40, 20), (200, 0, 0, 255))
    im.paste((0, 0, 0, 0), (20, 0, 40, 20))  # right half fully transparent
    if mode == "LA":
        im = im.convert("LA")
    elif mode == "P":
        im = im.convert("P", palette=Image.Palette.ADAPTIVE)
        im.info["transparency"] = im.getpixel((30, 10))
    data = encode(im, "PNG")
    arr = np.asarray(decode_image(data).image.convert("RGB"))
    assert (arr[:, 25:] == 255).all(), "transparent area must be white"
    assert arr[:, :15].mean() < 200, "opaque area keeps its colour"


def test_bilevel_png_becomes_l() -> None:
    im = Image.new("1", (64, 64), 1)
    assert decode_image(encode(im, "PNG")).image.mode == "L"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (corpus("images/odd_modes/num_plays.png"), "image-animated"),
        (corpus("images/odd_modes/monkey12.jpg"), "file-format-unsupported"),
        (corpus("images/odd_modes/tiff_renamed.jpg"), "file-format-unsupported"),
        (corpus("images/corrupt/truncated_jpeg.jpg"), "file-damaged"),
        (corpus("images/corrupt/ultrahdr.jpg"), "file-damaged"),
        (corpus("images/corrupt/truncated_image.png"), "file-damaged"),
        (corpus("images/corrupt/clap-overflow-divide-zero.heic"), "file-damaged"),
        (corpus("images/bombs/png_decompression_dos.png"), "file-damaged"),
        (corpus("images/bombs/png_bomb_40000x40000_1bit.png"), "image-too-large"),
        (corpus("images/bombs/jpeg_header_60000x60000.jpg"), "image-too-large"),
        (png_header_only(8000, 7000), "image-too-large"),  # 56 Mpx: over our cap, under Pillow's error
        (png_header_only(7100, 7100), "image-too-large"),  # 50.41 Mpx: just over
        (png_header_only(7000, 7000), "file-damaged"),  # 49 Mpx is allowed, but there is no pixel data
        (png_header_only(0, 10), "file-damaged"),
        (b"\xff\xd8\xff" + b"\x00" * 100, "file-damaged"),
        (pytest.param(b"%PDF-1.4", "file-format-unsupported", id="pdf-is-not-an-image")),
    ],
)
def test_decoder_failures_are_media_errors(data: bytes, code: str) -> None:
    with pytest.raises(MediaError) as caught:
        decode_image(data)
    assert caught.value.code == code
    assert caught.value.issue().severity is Severity.ERROR


def test_animated_png_made_here_is_refused_but_a_still_one_is_not() -> None:
    frames = [Image.new("RGB", (32, 32), c) for c in ("red", "green")]
    buf = io.BytesIO()
    frames[0].save(buf, "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(MediaError, match="image-animated"):
        decode_image(buf.getvalue())
    assert decode_image(encode(frames[0], "PNG")).image.size == (32, 32)


# --------------------------------------------------------------------------- bombs: fast and small


@pytest.mark.parametrize("rel", BOMBS)
def test_bombs_are_rejected_fast_and_without_memory(rel: str) -> None:
    data = corpus(rel)
    for check in (check_portrait, check_scan):
        tracemalloc.start()
        start = time.perf_counter()
        try:
            result = check(data)
            elapsed = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert [i.severity for i in result.issues] == [Severity.ERROR]
        assert result.issues[0].code in {"image-too-large", "file-format-unsupported", "file-damaged"}
        assert elapsed < 2.0, f"{rel}: {elapsed:.2f} s"  # a generous bound; the bench measures it properly
        assert peak < 50 * 1024 * 1024, f"{rel}: {peak / 2**20:.0f} MB traced"


def test_bombs_do_not_grow_the_process() -> None:
    """Pillow's pixel buffers are invisible to tracemalloc: measure peak RSS in a fresh process.

    ru_maxrss would carry this test process's peak into the child, so the child resets its own
    peak mark (/proc/self/clear_refs) after a warm-up and reads VmHWM afterwards.
    """
    clear_refs = Path("/proc/self/clear_refs")
    if not clear_refs.exists():
        pytest.skip("needs Linux /proc")
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from domain.portrait import check_portrait
        from domain.scans import check_scan

        def kib(field):
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1])

        root = Path({str(CORPUS)!r})
        warm = (root / "faces/derived/good_portrait_lightbg.jpg").read_bytes()
        check_portrait(warm); check_scan(warm)
        Path("/proc/self/clear_refs").write_text("5")
        before = kib("VmRSS")
        for rel in {BOMBS!r}:
            data = (root / rel).read_bytes()
            assert not check_portrait(data).jpeg
            assert not check_scan(data).ok
        print((kib("VmHWM") - before) // 1024)
        """
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) < 50, f"peak RSS grew by {out.stdout.strip()} MB"


# --------------------------------------------------------------------------- never raise


def mutated(base: bytes, positions: list[int], values: list[int], cut: int | None) -> bytes:
    buf = bytearray(base)
    for p, v in zip(positions, values, strict=False):
        buf[p % len(buf)] = v
    return bytes(buf[:cut] if cut else buf)


SEEDS = [
    corpus("images/odd_modes/hopper.jpg"),
    corpus("images/exif_orientation/hopper_orientation_6.jpg"),
    corpus("images/odd_modes/uncompressed_rgb.png"),
    corpus("images/heic/colors-no-alpha.heic"),
    corpus("pdf/crazyones.pdf"),
    corpus("pdf/generated/pdf_scan_72dpi_letter.pdf"),
]


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(range(len(SEEDS))),
    positions=st.lists(st.integers(min_value=0, max_value=200_000), max_size=12),
    values=st.lists(st.integers(min_value=0, max_value=255), max_size=12),
    cut=st.none() | st.integers(min_value=0, max_value=150_000),
)
def test_mutated_files_never_raise(
    seed: int, positions: list[int], values: list[int], cut: int | None
) -> None:
    data = mutated(SEEDS[seed], positions, values, cut)
    portrait = check_portrait(data)
    assert portrait.jpeg is None or portrait.width >= 600
    scan = check_scan(data)
    assert scan.size == len(data)
    for issue in (*portrait.issues, *scan.issues):
        assert issue.code == issue.code.lower() and " " not in issue.code


PREFIXES = [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", ftyp(b"heic", b"mif1"), b"%PDF-1.7\n"]


@settings(max_examples=60, deadline=None, database=None)
@given(
    prefix=st.sampled_from(PREFIXES),
    tail=st.binary(max_size=2048),
)
def test_random_bytes_never_raise(prefix: bytes, tail: bytes) -> None:
    data = prefix + tail
    assert not check_portrait(data).ok
    assert check_scan(data).sha256 == hashlib.sha256(data).hexdigest()


def test_checks_are_safe_from_several_threads() -> None:
    files = [
        "faces/derived/good_portrait_lightbg.jpg",
        "images/exif_dpi/invalid-exif.jpg",
        "pdf/jpeg.pdf",
        "documents/images/doc_scan_200dpi.png",
        "images/odd_modes/rgba_portrait.png",
        "pdf/generated/pdf_scan_2pages_200dpi.pdf",
    ]
    datas = [corpus(f) for f in files]

    def codes(data: bytes) -> tuple[list[str], list[str]]:
        return [i.code for i in check_portrait(data).issues], [i.code for i in check_scan(data).issues]

    expected = [codes(d) for d in datas]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(codes, datas * 3))
    assert got == expected * 3
