"""The 3×4 cm portrait check: is this photo usable, and the print-ready JPEG made from it.

``check_portrait(data)`` takes the uploaded bytes (JPEG, PNG or HEIC, as a Telegram photo or as a
file) and returns a :class:`PortraitResult`. It never raises. The checks run in this order and
stop at the first error (the order decides which single piece of advice the person gets):

1. ``file-empty``, ``file-format-unsupported`` (type by magic bytes), ``file-too-big``
   (over Telegram's 20 MB download limit; the bot normally refuses these before downloading).
2. ``file-damaged``, ``image-too-large`` (decompression bombs, refused at the header),
   ``image-animated``; see :func:`domain.media.decode_image`.
3. ``portrait-low-resolution``: the short side is under 600 px.
4. Face detection: OpenCV Haar ``haarcascade_frontalface_alt2`` on a grey copy of at most
   480 px (scale step 1.15, ``minNeighbors=5``, no histogram equalisation, which would hide
   overexposed faces; faces narrower than 8 % of the short side are not looked for;
   a detection under half the width of the biggest one is treated as noise, not as a person).
   ``portrait-no-face`` / ``portrait-many-faces``. When that finds nobody, a second pass on a
   copy of at most 1200 px looks for faces down to 3.5 % of the short side: a person standing
   far away (a face at 8-10 % of the width is missed by the first pass) is told to come closer
   (``portrait-face-small``), not that there is no face.
5. ``portrait-face-small``: the face box is narrower than 15 % of the picture's short side.
   (A Haar box spans roughly the eyes-to-mouth width, about 3/4 of the head with hair and ears,
   so this is the "head ≥ about 20 % of the width" rule of the product.)
6. ``portrait-face-cut``: the 3:4 crop described below does not fit inside the picture
   (the face is too close to an edge, or the top of the head / the chin is outside).
7. ``portrait-low-resolution``: that crop has fewer than 420×560 source pixels. 420 px over 3 cm
   is 355 real dpi, above the 300 dpi a print needs; the output is never upscaled more than 1.43×.
8. ``portrait-too-dark`` / ``portrait-too-bright``: mean brightness of the inner face region,
   and the share of blown-out (≥ 250) pixels in it. Exposure is judged before the background,
   because an underexposed light wall also looks dark.
9. ``portrait-background``: regions beside the head (left and right, 0.85-1.2 face heights from
   the face centre, from the forehead to the nose; above the head when the sides are not in the
   picture), sampled on the small copy, must be light (mean ≥ 140), plain
   (standard deviation ≤ 20), without colour (mean max-min channel spread ≤ 45, which lets a
   slightly warm white balance pass but not a coloured wall), and the two sides
   must not differ by more than 35 levels (a shadow or a lamp on one side).
10. ``portrait-blurred`` (error, under 50) / ``portrait-slightly-blurred`` (warning, under 120):
    variance of the Laplacian of the face box resampled to 128×128 (corpus: sharp portraits
    190-380, a slight blur 100, a heavy blur 26).

The crop (documented layout, in units of the Haar box height ``h``; the box runs from the
forehead to just under the mouth): the top of the head, hair included, is estimated 0.45 h above
the box and the chin 0.15 h below it, so chin-to-crown is about 1.6 h. That head takes 62 % of the
photo height (about 25 mm of 40 mm, the usual 3×4 layout with the face at 50-70 % of the height),
with 10 % of the height (4 mm) free above the crown; the photo is 3:4 and centred on the face
horizontally, so the face box is about half the photo width. When the picture is too tight for
that, the crop may shrink until the head takes 75 % of the height, and the margin above the crown
may shrink to nothing (the crown estimate may even be up to 0.15 h outside the picture, as it
includes hair). Otherwise: ``portrait-face-cut``.

The output is a baseline JPEG (quality 90, lowered only if it would reach 2 MB) of 600×800,
750×1000 or 900×1200 px, the largest the source supports without upscaling (600×800 otherwise),
without EXIF or ICC data, with a JFIF density of 508, 635 or 762 dpi so that it prints at exactly
3×4 cm. Big JPEGs are decoded once at a DCT-reduced scale (``Image.draft``) that keeps at least
1600 px on the long side; only if the crop would then be under 420 px wide is the file decoded again
at a finer scale. The trade: a 12 MP phone photo is decoded at 1500×2000 (faster than a plain full
decode, a quarter of the memory) and its ~560 px wide crop is resized up to 600×800 by ~1.07×,
still about 470 real dpi at 3×4 cm.
"""

from __future__ import annotations

import io
import math
import os
import threading
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from domain.issues import Issue, Severity, error, warning
from domain.media import (
    IMAGE_KINDS,
    TELEGRAM_DOWNLOAD_LIMIT,
    DecodedImage,
    MediaError,
    decode_image,
    describe_format,
    format_limit_mb,
    sniff,
)

__all__ = ["PORTRAIT_FORMATS", "PortraitResult", "check_portrait"]

PORTRAIT_FORMATS: Final = "JPEG, PNG, HEIC"

MIN_SHORT_SIDE: Final = 600
MIN_CROP_WIDTH: Final = 420  # source pixels across the 3 cm width (355 real dpi)
OUTPUT_WIDTHS: Final = (900, 750, 600)  # 3:4 outputs; at 3 cm these are exactly 762, 635, 508 dpi
PRINT_WIDTH_CM: Final = 3.0
MAX_JPEG_BYTES: Final = 2 * 1024 * 1024

WORK_LONG_SIDE: Final = 1600  # JPEGs are decoded at a reduced DCT scale down to this
DETECT_LONG_SIDE: Final = 480
FACE_MIN_DETECT: Final = 0.08  # of the short side, in the first pass
FAR_DETECT_LONG_SIDE: Final = 1200  # the second pass, only when the first finds nobody
FAR_FACE_MIN_DETECT: Final = 0.035  # of the short side: smaller faces are not looked for at all
DETECT_SCALE_STEP: Final = 1.15
FACE_NOISE_RATIO: Final = 0.5  # detections under half the biggest face's width are ignored
FACE_MIN_WIDTH: Final = 0.15  # of the short side

# Crop layout, in units of the (square) Haar box height.
CROWN_ABOVE_BOX: Final = 0.45
CHIN_BELOW_BOX: Final = 0.15
HEAD_SHARE: Final = 0.62  # chin-to-crown / photo height
HEAD_SHARE_MAX: Final = 0.75  # when the picture is too tight for the ideal crop
TOP_MARGIN: Final = 0.10  # free space above the crown / photo height

DARK_FACE_MEAN: Final = 65.0
BRIGHT_FACE_MEAN: Final = 215.0
BLOWN_OUT_SHARE: Final = 0.25

BG_MIN_MEAN: Final = 140.0
BG_MAX_STD: Final = 20.0
BG_MAX_CHROMA: Final = 45.0
BG_MAX_SIDE_DIFF: Final = 35.0

BLUR_ERROR_BELOW: Final = 50.0
BLUR_WARNING_BELOW: Final = 120.0

_JPEG_QUALITIES: Final = (90, 85, 80, 75, 70, 60, 50)

FloatArray = npt.NDArray[np.float32]
UInt8Array = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class PortraitResult:
    """``jpeg`` is the print-ready photo, or None when there is an error.

    ``width``, ``height`` (pixels) and ``dpi`` describe that JPEG; they are 0 when it is None.
    """

    issues: tuple[Issue, ...]
    jpeg: bytes | None
    width: int
    height: int
    dpi: int

    @property
    def ok(self) -> bool:
        return self.jpeg is not None and not any(i.severity is Severity.ERROR for i in self.issues)


@dataclass(frozen=True, slots=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    def scaled(self, k: float) -> _Box:
        return _Box(self.x * k, self.y * k, self.w * k, self.h * k)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


class _Reject(Exception):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue


def _rejected(*issues: Issue) -> PortraitResult:
    return PortraitResult(tuple(issues), None, 0, 0, 0)


def check_portrait(data: bytes) -> PortraitResult:
    """Check an uploaded portrait and make the 3×4 cm JPEG. Never raises."""
    try:
        return _check(data)
    except _Reject as r:
        return _rejected(r.issue)
    except MediaError as e:
        return _rejected(_media_issue(e))
    except _ModelUnavailable:
        raise  # a broken installation, not a bad file: let it surface
    except Exception:  # a decoder or library failure we did not foresee: the file is unusable
        return _rejected(error("file-damaged"))


def _media_issue(e: MediaError) -> Issue:
    if e.code == "file-format-unsupported":
        return error(e.code, detected=str(e.params.get("detected", "unknown")), accepted=PORTRAIT_FORMATS)
    return e.issue()


def _check(data: bytes) -> PortraitResult:
    if not data:
        raise _Reject(error("file-empty"))
    if sniff(data) not in IMAGE_KINDS:
        raise _Reject(
            error("file-format-unsupported", detected=describe_format(data), accepted=PORTRAIT_FORMATS)
        )
    if len(data) > TELEGRAM_DOWNLOAD_LIMIT:
        raise _Reject(error("file-too-big", limit_mb=format_limit_mb(TELEGRAM_DOWNLOAD_LIMIT)))

    dec = decode_image(data, min_long=WORK_LONG_SIDE)
    full_w, full_h = dec.full_width, dec.full_height
    if min(full_w, full_h) < MIN_SHORT_SIDE:
        raise _Reject(error("portrait-low-resolution", width=full_w, height=full_h))

    work = dec.image
    small = _reduce(work, DETECT_LONG_SIDE)
    small_rgb = np.asarray(small.convert("RGB"))
    to_full = full_w / small.width

    try:
        face = _find_face(np.asarray(small.convert("L")), FACE_MIN_DETECT).scaled(to_full)
    except _NoFace:
        # Nobody at the usual size: look again, finer, for a person standing far away, whose
        # advice is "come closer", not "no face".
        far = _reduce(work, FAR_DETECT_LONG_SIDE)
        try:
            _find_face(np.asarray(far.convert("L")), FAR_FACE_MIN_DETECT)
        except _NoFace:
            raise _Reject(error("portrait-no-face")) from None
        raise _Reject(error("portrait-face-small")) from None
    if face.w < FACE_MIN_WIDTH * min(full_w, full_h):
        raise _Reject(error("portrait-face-small"))
    crop = _fit_crop(face, full_w, full_h)
    if crop is None:
        raise _Reject(error("portrait-face-cut"))
    if crop.w < MIN_CROP_WIDTH:
        raise _Reject(error("portrait-low-resolution", width=full_w, height=full_h))

    face_small = face.scaled(1 / to_full)
    _check_exposure(small_rgb, face_small)
    _check_background(small_rgb, face_small)
    issues: list[Issue] = []
    sharpness = _face_sharpness(work, face.scaled(dec.scale))
    if sharpness < BLUR_ERROR_BELOW:
        raise _Reject(error("portrait-blurred"))
    if sharpness < BLUR_WARNING_BELOW:
        issues.append(warning("portrait-slightly-blurred"))

    if crop.w * dec.scale < MIN_CROP_WIDTH and dec.scale < 1:
        # The reduced decode is too coarse for this (smallish) face: decode again, finer.
        needed = math.ceil(max(full_w, full_h) * OUTPUT_WIDTHS[-1] / crop.w)
        dec = decode_image(data, min_long=needed)
    jpeg, width, height, dpi = _render(dec, crop)
    return PortraitResult(tuple(issues), jpeg, width, height, dpi)


# --------------------------------------------------------------------------- face detection


class _ModelUnavailable(RuntimeError):
    pass


_cascade_lock = threading.Lock()
_cascade: cv2.CascadeClassifier | None = None


def _detect(gray: UInt8Array, min_size: int) -> list[tuple[int, int, int, int]]:
    """Haar detections as (x, y, w, h). One classifier per process, used under a lock."""
    global _cascade
    with _cascade_lock:
        if _cascade is None:
            path = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_alt2.xml")  # type: ignore[attr-defined]
            cascade = cv2.CascadeClassifier(path)
            if cascade.empty():
                raise _ModelUnavailable(f"cannot load the Haar cascade from {path}")
            _cascade = cascade
        max_size = min(gray.shape[:2])
        found = _cascade.detectMultiScale(
            gray,
            scaleFactor=DETECT_SCALE_STEP,
            minNeighbors=5,
            minSize=(min_size, min_size),
            maxSize=(max_size, max_size),
        )
    return [(int(x), int(y), int(w), int(h)) for (x, y, w, h) in found]


class _NoFace(Exception):
    pass


def _find_face(gray: UInt8Array, min_share: float) -> _Box:
    """The one face at least ``min_share`` of the short side wide. Raises :class:`_NoFace`, or
    ``_Reject`` with ``portrait-many-faces``."""
    min_size = max(20, round(min_share * min(gray.shape[:2])))
    if min(gray.shape[:2]) < min_size:
        raise _NoFace
    faces = _detect(np.ascontiguousarray(gray), min_size)
    if not faces:
        raise _NoFace
    biggest = max(f[2] for f in faces)
    people = [f for f in faces if f[2] >= FACE_NOISE_RATIO * biggest]
    if len(people) > 1:
        raise _Reject(error("portrait-many-faces", count=len(people)))
    x, y, w, h = people[0]
    return _Box(float(x), float(y), float(w), float(h))


# --------------------------------------------------------------------------- geometry


def _fit_crop(face: _Box, width: int, height: int) -> _Box | None:
    """The 3:4 crop around the face (see the module docstring), or None if it cannot fit."""
    h = face.h
    crown = face.y - CROWN_ABOVE_BOX * h
    head = (CROWN_ABOVE_BOX + 1 + CHIN_BELOW_BOX) * h
    if crown < -0.15 * h:  # the top of the head is outside the picture
        return None
    steps = 4
    for i in range(steps + 1):
        share = HEAD_SHARE + (HEAD_SHARE_MAX - HEAD_SHARE) * i / steps
        crop_h = head / share
        crop_w = crop_h * 3 / 4
        left = face.cx - crop_w / 2
        if left < 0 or left + crop_w > width:
            continue
        top = max(0.0, crown - TOP_MARGIN * crop_h)
        if top + crop_h > height:
            continue
        return _Box(left, top, crop_w, crop_h)
    return None


def _region(
    img: UInt8Array, x0: float, y0: float, x1: float, y1: float, min_side: float
) -> UInt8Array | None:
    """The pixels of a rectangle clipped to the picture, or None if fewer than ``min_side`` remain."""
    height, width = img.shape[:2]
    xa, xb = max(0, round(x0)), min(width, round(x1))
    ya, yb = max(0, round(y0)), min(height, round(y1))
    if xb - xa < min_side or yb - ya < min_side:
        return None
    return img[ya:yb, xa:xb]


def _luma(rgb: UInt8Array) -> FloatArray:
    f = rgb.astype(np.float32)
    return 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- quality checks


def _check_exposure(rgb: UInt8Array, face: _Box) -> None:
    inner = _region(
        rgb, face.x + 0.2 * face.w, face.y + 0.2 * face.h, face.x + 0.8 * face.w, face.y + 0.9 * face.h, 2
    )
    if inner is None:
        return
    y = _luma(inner)
    mean = float(y.mean())
    if mean < DARK_FACE_MEAN:
        raise _Reject(error("portrait-too-dark"))
    if mean > BRIGHT_FACE_MEAN or float((y >= 250).mean()) > BLOWN_OUT_SHARE:
        raise _Reject(error("portrait-too-bright"))


def _check_background(rgb: UInt8Array, face: _Box) -> None:
    h, cx = face.h, face.cx
    min_side = max(2.0, 0.1 * h)
    band = (face.y - 0.3 * h, face.y + 0.6 * h)
    left = _region(rgb, cx - 1.2 * h, band[0], cx - 0.85 * h, band[1], min_side)
    right = _region(rgb, cx + 0.85 * h, band[0], cx + 1.2 * h, band[1], min_side)
    regions = [r for r in (left, right) if r is not None]
    if not regions:
        top = _region(rgb, cx - 0.5 * h, face.y - 1.0 * h, cx + 0.5 * h, face.y - 0.6 * h, min_side)
        if top is None:
            return  # no background in view to judge; the crop check has already passed
        regions = [top]
    means = []
    for region in regions:
        y = _luma(region)
        f = region.astype(np.int16)
        chroma = float((f.max(axis=2) - f.min(axis=2)).mean())
        mean, std = float(y.mean()), float(y.std())
        if mean < BG_MIN_MEAN or std > BG_MAX_STD or chroma > BG_MAX_CHROMA:
            raise _Reject(error("portrait-background"))
        means.append(mean)
    if len(means) == 2 and abs(means[0] - means[1]) > BG_MAX_SIDE_DIFF:
        raise _Reject(error("portrait-background"))


def _face_sharpness(work: Image.Image, face: _Box) -> float:
    box = (face.x, face.y, face.x + face.w, face.y + face.h)
    sample = work.resize((128, 128), Image.Resampling.BILINEAR, box=box, reducing_gap=2.0).convert("L")
    lap = cv2.Laplacian(np.asarray(sample), cv2.CV_64F)
    return float(lap.var())


# --------------------------------------------------------------------------- output


def _reduce(im: Image.Image, long_side: int) -> Image.Image:
    factor = math.ceil(max(im.size) / long_side)
    return im.reduce(factor) if factor > 1 else im


def _render(dec: DecodedImage, crop: _Box) -> tuple[bytes, int, int, int]:
    k = dec.scale
    box = (crop.x * k, crop.y * k, (crop.x + crop.w) * k, (crop.y + crop.h) * k)
    available = crop.w * k
    out_w = next((w for w in OUTPUT_WIDTHS if w <= available), OUTPUT_WIDTHS[-1])
    out_h = out_w * 4 // 3
    out = dec.image.resize((out_w, out_h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    if out.mode != "RGB":
        out = out.convert("RGB")
    dpi = round(out_w * 2.54 / PRINT_WIDTH_CM)
    jpeg = b""
    for quality in _JPEG_QUALITIES:
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
        jpeg = buf.getvalue()
        if len(jpeg) < MAX_JPEG_BYTES:
            break
    return jpeg, out_w, out_h, dpi
