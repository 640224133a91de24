"""Safe handling of uploaded image bytes: type sniffing and a hardened decoder.

Everything here is synchronous and CPU-bound; the bot runs it off the event loop.
The decoder is shared by the portrait check (:mod:`domain.portrait`) and the scan check
(:mod:`domain.scans`). Its rules:

* The type is decided by the bytes (:func:`sniff`), never by a file name or a declared MIME type,
  and Pillow is only ever asked for the one plugin that matches (``formats=[...]``), so a TIFF,
  GIF or WebP renamed to ``.jpg`` never reaches a decoder we did not choose.
* Decompression bombs are refused when the header is read, before any pixel is decoded:
  Pillow's cap is set to :data:`MAX_PIXELS`, its ``DecompressionBombWarning`` is raised as an
  error, and the size is checked again by hand (so the outcome never depends on warning filters).
* Big JPEGs are decoded at a reduced DCT scale (``Image.draft``) when the caller only needs a
  smaller copy, which is several times faster and smaller than a full decode.
* EXIF orientation is applied (the same rule as ``ImageOps.exif_transpose``, XMP included). The
  metadata read is isolated because broken EXIF can raise or warn; a broken tag means "upright".
* Whatever the mode (CMYK, 16-bit, palette, alpha), the caller gets ``RGB`` or ``L``; transparency
  is flattened onto white.
* Animated PNG is refused; for MPO (camera multi-picture JPEG) and multi-image HEIC the first /
  primary image is used.

Failures are raised as :class:`MediaError` inside the domain; the public checks turn them into
:class:`~domain.issues.Issue` values and never raise.

Memory: a rejected bomb costs only its header. An accepted image costs its decoded size (at most
:data:`MAX_PIXELS` pixels; JPEGs usually far less thanks to ``draft``) plus one converted copy.
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
from PIL import Image, UnidentifiedImageError

from domain.issues import Issue, error

__all__ = [
    "IMAGE_KINDS",
    "MAX_PIXELS",
    "TELEGRAM_DOWNLOAD_LIMIT",
    "DecodedImage",
    "FileKind",
    "MediaError",
    "decode_image",
    "describe_format",
    "format_limit_mb",
    "sha256_hex",
    "sniff",
]


class FileKind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    HEIC = "heic"
    PDF = "pdf"


IMAGE_KINDS: Final = frozenset({FileKind.JPEG, FileKind.PNG, FileKind.HEIC})

#: Telegram's Bot API refuses to hand over bigger files; the bot refuses them before downloading.
TELEGRAM_DOWNLOAD_LIMIT: Final = 20 * 1024 * 1024
#: No upload may decode to more pixels than this (a 12 MP phone photo is 12_000_000).
MAX_PIXELS: Final = 50_000_000

# Pillow's own guard: above MAX_IMAGE_PIXELS it warns (we turn that into an error), above twice
# that it raises. Process-wide by design of Pillow; this bot only decodes untrusted uploads.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_PILLOW_FORMAT: Final = {FileKind.JPEG: "JPEG", FileKind.PNG: "PNG", FileKind.HEIC: "HEIF"}

# ISO-BMFF brands of HEIF/HEVC still images and sequences.
_HEIF_BRANDS: Final = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
# Brands that are HEVC-specific (mif1/msf1 alone are also used by AVIF files).
_HEVC_BRANDS: Final = _HEIF_BRANDS - {b"mif1", b"msf1"}
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_WHITE: Final = (255, 255, 255)

# EXIF orientation -> the transposition that makes the picture upright (as ImageOps.exif_transpose).
_ORIENTATION_FIX: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG: Final = 0x0112


class MediaError(Exception):
    """A file problem found inside the domain; public checks report it as :meth:`issue`."""

    def __init__(self, code: str, **params: str | int | float) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def issue(self) -> Issue:
        return error(self.code, **self.params)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_limit_mb(limit_bytes: int) -> int | float:
    """A byte limit in MiB for messages: ``5`` for 5 MiB, ``2.5`` for 2.5 MiB."""
    mb = limit_bytes / (1024 * 1024)
    if mb.is_integer():
        return int(mb)
    return round(mb, 1) if mb >= 1 else round(mb, 2)


# --------------------------------------------------------------------------- sniffing


def _bmff_brands(data: bytes) -> tuple[bytes, list[bytes]] | None:
    """Major and compatible brands of an ISO-BMFF ``ftyp`` box at the start of ``data``."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(data[0:4], "big")
    if box_size < 16:
        return None
    end = min(box_size, len(data), 16 + 4 * 64)
    compatible = [data[i : i + 4] for i in range(16, end - 3, 4)]
    return data[8:12], compatible


def sniff(data: bytes) -> FileKind | None:
    """The file kind from magic bytes only, or None for anything we do not accept."""
    if data[:3] == b"\xff\xd8\xff":
        return FileKind.JPEG
    if data[:8] == _PNG_SIGNATURE:
        return FileKind.PNG
    brands = _bmff_brands(data)
    if brands is not None:
        major, compatible = brands
        if major in _AVIF_BRANDS:
            return None
        if major in _HEIF_BRANDS or any(b in _HEVC_BRANDS for b in compatible):
            return FileKind.HEIC
    if b"%PDF-" in data[:1024]:
        return FileKind.PDF
    return None


def _jpeg_sample_precision(data: bytes) -> int | None:
    """Bits per sample from the first SOFn marker of a JPEG, or None if not found."""
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD9)):  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2:
            return None
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return data[i + 4] if i + 4 < n else None
        if marker == 0xDA:  # start of scan before any frame header
            return None
        i += 2 + length
    return None


def describe_format(data: bytes) -> str:
    """A short, language-neutral name of what the bytes are, for ``file-format-unsupported``.

    Returns ``"unknown"`` when nothing is recognised.
    """
    kind = sniff(data)
    if kind is FileKind.JPEG:
        precision = _jpeg_sample_precision(data)
        return "JPEG" if precision in (None, 8) else f"JPEG {precision}-bit"
    if kind is not None:
        return {FileKind.PNG: "PNG", FileKind.HEIC: "HEIC", FileKind.PDF: "PDF"}[kind]
    head = data[:16]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if head[:2] == b"BM":
        return "BMP"
    brands = _bmff_brands(data)
    if brands is not None and brands[0] in _AVIF_BRANDS:
        return "AVIF"
    if head[:4] == b"PK\x03\x04":
        return "ZIP"
    return "unknown"


# --------------------------------------------------------------------------- decoding

_heif_lock = threading.Lock()
_heif_registered = False

# warnings.catch_warnings() swaps a process-wide filter list; two threads doing it at once can
# leave the wrong filters behind. Every use in this module goes through this lock, and the lock
# is only held for header parsing and metadata reads, never for pixel work.
_warnings_lock = threading.Lock()


def _register_heif() -> None:
    global _heif_registered
    with _heif_lock:
        if not _heif_registered:
            import pillow_heif

            # Thumbnails off: pillow-heif's draft() could otherwise hand back an embedded thumbnail.
            pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
            _heif_registered = True


@contextmanager
def _guarded() -> Iterator[None]:
    """Silence library chatter (corrupt-EXIF warnings and the like) and make bombs raise."""
    with _warnings_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """An upright ``RGB`` or ``L`` picture, possibly decoded at a reduced scale.

    ``full_width`` and ``full_height`` are the size of the whole picture at full resolution,
    after orientation; ``image`` may be smaller (see :attr:`scale`).
    """

    image: Image.Image
    kind: FileKind
    format: str
    full_width: int
    full_height: int

    @property
    def scale(self) -> float:
        """Decoded pixels per full-resolution pixel (1.0, 0.5, 0.25 or 0.125 for JPEG)."""
        return self.image.width / self.full_width


def _open(data: bytes, kind: FileKind) -> Image.Image:
    """Parse the header only; refuse bombs and animations before any pixel is decoded."""
    if kind is FileKind.HEIC:
        _register_heif()
    with _guarded():
        try:
            im = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[kind]])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaError("image-too-large", limit_mp=MAX_PIXELS // 1_000_000) from None
        except UnidentifiedImageError:
            if kind is FileKind.JPEG and describe_format(data) != "JPEG":
                # 12-bit (and other non-baseline precision) JPEG: valid, just not decodable here.
                raise MediaError("file-format-unsupported", detected=describe_format(data)) from None
            raise MediaError("file-damaged") from None
        except Exception:  # truncated headers, text-chunk bombs, fuzzer files: all "damaged"
            raise MediaError("file-damaged") from None
        try:
            width, height = im.size
            if width <= 0 or height <= 0:
                raise MediaError("file-damaged")
            if width * height > MAX_PIXELS:
                raise MediaError("image-too-large", limit_mp=MAX_PIXELS // 1_000_000)
            if kind is FileKind.PNG and getattr(im, "n_frames", 1) > 1:
                raise MediaError("image-animated")
        except MediaError:
            im.close()
            raise
        except Exception:
            im.close()
            raise MediaError("file-damaged") from None
    return im


def _orientation(im: Image.Image) -> int:
    """EXIF (or XMP) orientation 1..8; anything unreadable counts as upright."""
    with _guarded():
        try:
            value = im.getexif().get(_EXIF_ORIENTATION_TAG, 1)
        except Exception:
            return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _sixteen_bit_to_l(im: Image.Image) -> Image.Image:
    """``I;16``/``I``/``F`` grey to 8-bit ``L``: /256 for real 16-bit data, as is for 0..255."""
    arr = np.asarray(im)
    if arr.dtype.kind == "f":
        arr = np.nan_to_num(arr, nan=0.0, posinf=255.0, neginf=0.0)
    top = float(arr.max()) if arr.size else 0.0
    if top > 255:
        arr = arr / 256.0
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")


def _flatten_alpha(im: Image.Image) -> Image.Image:
    rgba = im.convert("RGBA")
    out = Image.new("RGB", rgba.size, _WHITE)
    out.paste(rgba, mask=rgba.getchannel("A"))
    return out


def _to_rgb_or_l(im: Image.Image) -> Image.Image:
    mode = im.mode
    if mode in ("RGB", "L"):
        return im
    if mode == "1":
        return im.convert("L")
    if mode == "P":
        return _flatten_alpha(im) if "transparency" in im.info else im.convert("RGB")
    if mode in ("RGBA", "RGBa", "LA", "La", "PA"):
        return _flatten_alpha(im)
    if mode.startswith("I") or mode == "F":
        return _sixteen_bit_to_l(im)
    return im.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX


def decode_image(data: bytes, *, min_long: int | None = None, gray: bool = False) -> DecodedImage:
    """Decode an uploaded JPEG, PNG or HEIC safely. Raises :class:`MediaError`.

    ``min_long``: the caller needs at most this many pixels on the long side, so a JPEG may be
    decoded at a DCT-reduced scale (1/2, 1/4, 1/8) as long as its long side stays >= ``min_long``.
    ``gray``: return ``L`` (a JPEG is then decoded straight to grey, which is cheaper).
    """
    kind = sniff(data)
    if kind not in IMAGE_KINDS:
        raise MediaError("file-format-unsupported", detected=describe_format(data))
    im = _open(data, kind)
    out: Image.Image | None = None
    try:
        width, height = im.size
        orientation = 1
        if kind is FileKind.JPEG:
            orientation = _orientation(im)
            if min_long is not None and max(width, height) > min_long:
                k = min_long / max(width, height)
                target = (max(1, math.ceil(width * k)), max(1, math.ceil(height * k)))
                try:
                    im.draft("L" if gray else "RGB", target)
                except Exception:
                    raise MediaError("file-damaged") from None
        try:
            im.load()
        except MediaError:
            raise
        except Exception:  # "image file is truncated", broken data streams, decoder errors
            raise MediaError("file-damaged") from None
        if kind is FileKind.PNG:
            orientation = _orientation(im)  # an eXIf chunk may follow the image data
        # HEIC: libheif has already applied the container's rotation/mirroring, and the EXIF
        # orientation inside a HEIF file must be ignored (applying it would rotate twice).
        try:
            fmt = im.format or _PILLOW_FORMAT[kind]
            out = _to_rgb_or_l(im)
            fix = _ORIENTATION_FIX.get(orientation)
            if fix is not None:
                out = out.transpose(fix)
            if gray and out.mode != "L":
                out = out.convert("L")
        except Exception:
            raise MediaError("file-damaged") from None
        full_w, full_h = (height, width) if orientation >= 5 else (width, height)
        return DecodedImage(out, kind, fmt, full_w, full_h)
    finally:
        if out is not im:  # closing would also free the pixels we hand back
            im.close()
