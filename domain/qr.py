"""Reading a book's QR code from a photo (for «Проверить»): OpenCV's QR detector over a safely decoded image.

Runs in the media worker (a process with a time budget), like the other photo checks.
"""

from __future__ import annotations

import re
from typing import Final

import cv2
import numpy as np

from domain.media import MediaError, decode_image

__all__ = ["check_id_from_url", "read_qr"]

_LONG_SIDE: Final = 1600  # enough for a QR that fills a fair part of the picture; cheaper to decode
_CHECK_PATH: Final = re.compile(r"/b/([A-Za-z0-9_-]{16,64})/?(?:[?#].*)?")


def read_qr(data: bytes) -> str | None:
    """The text of the QR code in the picture, or None (no code, unreadable, or not a picture)."""
    try:
        decoded = decode_image(data, min_long=_LONG_SIDE, gray=True)
    except MediaError:
        return None
    image = decoded.image
    if max(image.size) > _LONG_SIDE:
        image = image.copy()
        image.thumbnail((_LONG_SIDE, _LONG_SIDE))
    pixels = np.asarray(image)
    # OpenCV's classic detector misses about one code in a hundred that its ArUco-based one reads, and the
    # other way round: a person's photo gets both.
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        text, _points, _straight = detector.detectAndDecode(pixels)
        if text:
            return str(text)
    return None


def check_id_from_url(text: str, base_url: str) -> str | None:
    """The check id of a check-page URL under ``base_url`` (``<base>/b/<id>``), else None."""
    base = base_url.rstrip("/")
    text = text.strip()
    if not text.startswith(base + "/"):
        return None
    found = _CHECK_PATH.fullmatch(text[len(base):])
    return found.group(1) if found else None
