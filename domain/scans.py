"""Checks for document uploads: passport pages, ОМС policy, birth certificate, exam results, receipts.

``check_scan(data)`` takes the uploaded bytes and returns a :class:`ScanResult`; it never raises.
The type is decided by the bytes. In order, stopping at the first error:

1. ``file-empty``; ``file-format-unsupported`` (not PDF, JPEG, PNG or HEIC);
   ``file-too-big`` (over ``max_bytes``, 5 MB by default).
2. Images (the decoder of :mod:`domain.media`: ``file-damaged``, ``image-too-large``,
   ``image-animated``), then, on a grey copy of at most 1600 px on the long side:

   * ``scan-low-resolution`` (error): the short side is under 1000 px (a full page is not legible).
   * ``scan-low-contrast`` (error): ink and paper too close, or nothing on the page. Near the
     marks on the page, paper (95th percentile of brightness) minus ink (5th) must be at least 55
     grey levels (on the corpus: washed-out pages 40, blurred ones 72, normal scans and photos
     137-255). An error, not a warning: staff must read the document, and a re-shot in daylight or
     a re-scan fixes it.
   * ``scan-blurred`` (error): edges too soft. At pixels on a real edge (the 7×7 neighbourhood
     spans ≥ 40 grey levels), the gradient is divided by that local range; the 99th percentile of
     this ratio is about 4 for a crisp step and 1-2 for an edge smeared over several pixels. Under
     2.4 is refused (on the corpus: scans and photos 2.8-4.0, a page blurred past reading 1.85).
     It is measured on a copy of fixed size relative to the page, so it means "blurred relative to
     the size of the text", whatever the camera, and it does not depend on how much text there is.
     A page that passed the contrast check (so there is ink on it) but has fewer than 200 such
     edge pixels is blurred too: the ink survived, the edges did not.

3. PDFs. PDFium (the engine of Chrome) is the "does it open" oracle, because viewers use it too:

   * ``pdf-password``: PDFium asks for a password (including files that pypdf can open with an
     empty *owner* password, e.g. AES-256 R6 with a user password: a viewer asks for it).
   * ``file-damaged``: PDFium cannot load it, or it has no pages, or a page cannot be loaded.
   * ``pdf-too-many-pages``: more than ``max_pages`` (10 by default).
   * ``pdf-page-size``: a page under 20 mm or over 2000 mm on a side.
   * ``image-too-large``: an embedded image over 50 megapixels (a bomb inside a PDF).
   * Scanned pages (an image covering at least 30 % of the page) are judged by the effective
     resolution of their largest image (pixels per inch as placed on the page): under 100 dpi
     ``scan-pdf-low-dpi`` (error), under 150 dpi ``scan-pdf-dpi-borderline`` (warning). Pages
     without such an image (text PDFs, a logo on a letter) are not judged by dpi.
   * The first three scanned pages are rendered (grey, at most 1600 px on the long side, however big
     the page claims to be; a page holding a non-JPEG image over 12 megapixels is not rendered,
     since PDFium would decode that image at full size) and a washed-out one gets
     ``scan-pdf-low-contrast`` (a warning: a PDF
     page may legitimately be a pale form; staff see it and the person confirms legibility);
     a blurred one gets ``scan-pdf-blurred`` (a warning, for the same reason).

Whether signatures, stamps and dates are readable is confirmed by the person in the UI; it is not
an issue here.

PDFium is not thread-safe: every call into it is made under one process-wide lock.
"""

from __future__ import annotations

import io
import math
import re
import threading
from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

from domain.issues import Issue, Severity, error, warning
from domain.media import (
    MAX_PIXELS,
    FileKind,
    MediaError,
    decode_image,
    describe_format,
    format_limit_mb,
    sha256_hex,
    sniff,
)

__all__ = ["SCAN_FORMATS", "ScanResult", "check_scan"]

SCAN_FORMATS: Final = "PDF, JPEG, PNG, HEIC"
DEFAULT_MAX_BYTES: Final = 5 * 1024 * 1024
DEFAULT_MAX_PAGES: Final = 10

MIN_SHORT_SIDE: Final = 1000
MEASURE_LONG_SIDE: Final = 1600
MIN_CONTRAST: Final = 55.0
MARK_MIN_RANGE: Final = 20
MIN_EDGE_SHARPNESS: Final = 2.4
EDGE_MIN_RANGE: Final = 40.0
EDGE_MIN_PIXELS: Final = 200

PAGE_MIN_MM: Final = 20.0
PAGE_MAX_MM: Final = 2000.0
SCAN_PAGE_COVERAGE: Final = 0.30
PDF_DPI_MIN: Final = 100
PDF_DPI_GOOD: Final = 150
RENDER_PAGES: Final = 3
MAX_IMAGE_OBJECTS_PER_PAGE: Final = 200
RENDER_MAX_IMAGE_PIXELS: Final = 12_000_000  # non-JPEG images bigger than this are not rendered
#: Content a page would make PDFium parse, with every form XObject expanded where it is drawn.
#: PDFium parses about 10 MB of content a second here; a page of dense text is well under 1 MB.
MAX_EXPANDED_CONTENT: Final = 8 * 1024 * 1024

_MM_PER_PT: Final = 25.4 / 72

UInt8Array = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class ScanResult:
    """What was found, plus the facts the bot stores with the file.

    ``kind`` is None when the type is not accepted. ``width``/``height``: pixels after EXIF
    orientation for images; the first page in PDF points (1/72 in) for PDFs; 0 when unknown.
    ``pages`` is 1 for an image. ``dpi``: for PDFs the lowest effective dpi of the scanned pages
    (None for text PDFs); None for images, whose stated dpi means nothing for legibility.
    ``sha256`` (of the exact bytes) lets the bot notice duplicates.
    """

    issues: tuple[Issue, ...]
    kind: FileKind | None
    size: int
    sha256: str
    pages: int
    width: int
    height: int
    dpi: int | None

    @property
    def ok(self) -> bool:
        return not any(i.severity is Severity.ERROR for i in self.issues)


@dataclass(frozen=True, slots=True)
class _Facts:
    pages: int = 0
    width: int = 0
    height: int = 0
    dpi: int | None = None


class _Reject(Exception):
    def __init__(self, issue: Issue, facts: _Facts) -> None:
        super().__init__(issue.code)
        self.issue = issue
        self.facts = facts


def check_scan(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES
) -> ScanResult:
    """Check an uploaded document scan or PDF. Never raises."""
    size = len(data)
    digest = sha256_hex(data)
    kind = sniff(data)

    def result(issues: tuple[Issue, ...], facts: _Facts) -> ScanResult:
        return ScanResult(issues, kind, size, digest, facts.pages, facts.width, facts.height, facts.dpi)

    if size == 0:
        return result((error("file-empty"),), _Facts())
    if kind is None:
        issue = error("file-format-unsupported", detected=describe_format(data), accepted=SCAN_FORMATS)
        return result((issue,), _Facts())
    if size > max_bytes:
        return result((error("file-too-big", limit_mb=format_limit_mb(max_bytes)),), _Facts())
    try:
        if kind is FileKind.PDF:
            issues, facts = _check_pdf(data, max_pages)
        else:
            issues, facts = _check_image(data)
        return result(issues, facts)
    except _Reject as r:
        return result((r.issue,), r.facts)
    except MediaError as e:
        if e.code == "file-format-unsupported":
            detected = str(e.params.get("detected", "unknown"))
            return result((error(e.code, detected=detected, accepted=SCAN_FORMATS),), _Facts())
        return result((e.issue(),), _Facts())
    except Exception:  # a library failure we did not foresee: the file is unusable
        return result((error("file-damaged"),), _Facts())


# --------------------------------------------------------------------------- images


def _contrast(gray: UInt8Array) -> float:
    """Ink against paper where there is something on the page; 0 for a blank page.

    Pixels near marks (their 15×15 neighbourhood spans at least 20 grey levels, above sensor and
    JPEG noise) are collected; the 95th minus the 5th percentile of their brightness is the
    paper-to-ink difference. Unlike a whole-page percentile, this holds for a receipt with one
    line of text as well as for a dense page, and a shadow across the page does not count.
    """
    kernel = np.ones((15, 15), np.uint8)
    local_range = cv2.dilate(gray, kernel).astype(np.int16) - cv2.erode(gray, kernel).astype(np.int16)
    near_marks = gray[local_range >= MARK_MIN_RANGE]
    if near_marks.size < EDGE_MIN_PIXELS:
        return 0.0
    ink, paper = np.percentile(near_marks, [5, 95])
    return float(paper - ink)


def _edge_sharpness(gray: UInt8Array) -> float | None:
    """How steep the sharpest edges are: 99th percentile of |gradient| / local range.

    Over pixels whose 7×7 neighbourhood spans at least 40 grey levels (real edges: strokes of
    text, borders), the Sobel gradient is compared with that local range. A crisp step gives
    about 4, an edge smeared over several pixels 1-2; the ratio does not depend on the amount
    of text or on the overall contrast. None when there are too few edges to judge.
    """
    kernel = np.ones((7, 7), np.uint8)
    local_range = cv2.dilate(gray, kernel).astype(np.float32) - cv2.erode(gray, kernel).astype(np.float32)
    edges = local_range >= EDGE_MIN_RANGE
    if int(edges.sum()) < EDGE_MIN_PIXELS:
        return None
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    ratio = cv2.magnitude(gx, gy)[edges] / local_range[edges]
    return float(np.percentile(ratio, 99))


def _blurred(gray: UInt8Array) -> bool:
    """Called only once the page has passed the contrast check, i.e. there is ink on it: then no
    measurable edge at all means the ink is smeared past reading, not that the page is empty."""
    sharpness = _edge_sharpness(gray)
    return sharpness is None or sharpness < MIN_EDGE_SHARPNESS


def _measure_copy(gray: UInt8Array) -> UInt8Array:
    height, width = gray.shape[:2]
    k = MEASURE_LONG_SIDE / max(height, width)
    if k >= 1:
        return gray
    size = (max(1, round(width * k)), max(1, round(height * k)))
    return np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _check_image(data: bytes) -> tuple[tuple[Issue, ...], _Facts]:
    dec = decode_image(data, min_long=MEASURE_LONG_SIDE, gray=True)
    facts = _Facts(pages=1, width=dec.full_width, height=dec.full_height)
    short = min(dec.full_width, dec.full_height)
    if short < MIN_SHORT_SIDE:
        raise _Reject(error("scan-low-resolution", short_side=short, minimum=MIN_SHORT_SIDE), facts)
    gray = _measure_copy(np.asarray(dec.image, dtype=np.uint8))
    contrast = _contrast(gray)
    if contrast < MIN_CONTRAST:
        raise _Reject(error("scan-low-contrast"), facts)
    if _blurred(gray):
        raise _Reject(error("scan-blurred"), facts)
    return (), facts


# --------------------------------------------------------------------------- PDF

_pdfium_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class _PageScan:
    """A page that is a scan: the effective dpi of its largest image, and whether it is cheap to render."""

    dpi: int
    renderable: bool


def _cheap_to_render(px_w: int, px_h: int, filters: list[str]) -> bool:
    """PDFium decodes a JPEG (DCTDecode) image at a reduced scale when rendering small, but any
    other image (Flate, JBIG2, ...) at full size: a 150 KB PDF can hold a 7000x7000 RGB image
    that takes 150 MB to draw. Such pages are judged by dpi only."""
    return px_w * px_h <= RENDER_MAX_IMAGE_PIXELS or filters[-1:] == ["DCTDecode"]


def _page_scan(page: Any, page_w: float, page_h: float, facts: _Facts) -> _PageScan | None:
    """The page's dominant image, if it covers enough of the page to make the page a scan."""
    best_area = 0.0
    best_dpi: float | None = None
    renderable = True
    images = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
    for n, obj in enumerate(images):
        if n >= MAX_IMAGE_OBJECTS_PER_PAGE:
            renderable = False
            break
        px_w, px_h = (int(v) for v in obj.get_px_size())
        if px_w * px_h > MAX_PIXELS:
            raise _Reject(error("image-too-large", limit_mp=MAX_PIXELS // 1_000_000), facts)
        renderable = renderable and _cheap_to_render(px_w, px_h, [str(f) for f in obj.get_filters()])
        left, bottom, right, top = obj.get_bounds()
        w = max(0.0, min(float(right), page_w) - max(float(left), 0.0))
        h = max(0.0, min(float(top), page_h) - max(float(bottom), 0.0))
        area = w * h
        if area <= best_area:
            continue
        meta = obj.get_metadata()
        dpis = [float(d) for d in (meta.horizontal_dpi, meta.vertical_dpi) if float(d) > 0]
        if dpis:
            best_area, best_dpi = area, min(dpis)
    if best_dpi is None or best_area < SCAN_PAGE_COVERAGE * page_w * page_h:
        return None
    return _PageScan(round(best_dpi), renderable)


def _render_gray(page: Any, page_w: float, page_h: float) -> UInt8Array:
    scale = min(MEASURE_LONG_SIDE / max(page_w, page_h), 300 / 72)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        arr = np.array(bitmap.to_numpy(), dtype=np.uint8)  # a copy: the bitmap is freed below
    finally:
        bitmap.close()
    return arr[..., 0] if arr.ndim == 3 else arr


def _check_pdf(data: bytes, max_pages: int) -> tuple[tuple[Issue, ...], _Facts]:
    with _pdfium_lock:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            # PDFium's "last error" is process-global and not reset by every failure path, so a
            # stale "password" code can follow an earlier encrypted file. An encrypted PDF always
            # names its /Encrypt dictionary in a plain-text trailer or xref-stream dictionary.
            code = getattr(e, "err_code", None)
            if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY) and b"/Encrypt" in data:
                raise _Reject(error("pdf-password"), _Facts()) from None
            raise _Reject(error("file-damaged"), _Facts()) from None
        try:
            return _inspect_pdf(doc, data, max_pages)
        finally:
            doc.close()


def _inspect_pdf(doc: Any, doc_bytes: bytes, max_pages: int) -> tuple[tuple[Issue, ...], _Facts]:
    n_pages = len(doc)
    facts = _Facts(pages=n_pages)
    if n_pages < 1:
        raise _Reject(error("file-damaged"), facts)
    if n_pages > max_pages:
        raise _Reject(error("pdf-too-many-pages", pages=n_pages, limit=max_pages), facts)

    sizes: list[tuple[float, float]] = []
    for i in range(n_pages):
        w, h = (float(v) for v in doc.get_page_size(i))
        if not (math.isfinite(w) and math.isfinite(h)):
            raise _Reject(error("file-damaged"), facts)
        if i == 0:
            facts = _Facts(pages=n_pages, width=round(w), height=round(h))
        w_mm, h_mm = w * _MM_PER_PT, h * _MM_PER_PT
        if min(w_mm, h_mm) < PAGE_MIN_MM or max(w_mm, h_mm) > PAGE_MAX_MM:
            raise _Reject(
                error("pdf-page-size", page=i + 1, width_mm=round(w_mm, 1), height_mm=round(h_mm, 1)), facts
            )
        sizes.append((w, h))

    if _expanded_content(doc_bytes) > MAX_EXPANDED_CONTENT:
        raise _Reject(error("file-too-complex"), facts)

    found: list[Issue] = []
    worst: tuple[int, int] | None = None  # (dpi, page number)
    rendered = 0
    for i, (w, h) in enumerate(sizes):
        page = doc[i]
        try:
            scan = _page_scan(page, w, h, facts)
            if scan is None:
                continue
            if worst is None or scan.dpi < worst[0]:
                worst = (scan.dpi, i + 1)
            if rendered < RENDER_PAGES and scan.renderable:
                rendered += 1
                gray = _render_gray(page, w, h)
                if _contrast(gray) < MIN_CONTRAST:
                    found.append(warning("scan-pdf-low-contrast", page=i + 1))
                elif _blurred(gray):
                    found.append(warning("scan-pdf-blurred", page=i + 1))
        finally:
            page.close()

    if worst is not None:
        facts = _Facts(pages=facts.pages, width=facts.width, height=facts.height, dpi=worst[0])
        dpi, page_no = worst
        if dpi < PDF_DPI_MIN:
            raise _Reject(
                error("scan-pdf-low-dpi", dpi=dpi, page=page_no, recommended=PDF_DPI_GOOD), facts
            )
        if dpi < PDF_DPI_GOOD:
            found.insert(
                0, warning("scan-pdf-dpi-borderline", dpi=dpi, page=page_no, recommended=PDF_DPI_GOOD)
            )
    return tuple(found), facts


# --------------------------------------------------------------------------- PDF complexity

_DO_RE: Final = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![^\s/\[\]()<>{}%])")


def _expanded_content(data: bytes) -> int:
    """Bytes of content stream PDFium would parse to load the pages, forms expanded where drawn.

    PDFium parses a form XObject again for every place it is drawn, so a 200 KB file of forms that
    each draw the next one 8 times costs 8**depth parses (41 s at depth 6, hours deeper), all of it
    inside page loading, before any render limit applies. Counted here with pypdf, each distinct
    form once (memoised), without loading a page into PDFium. 0 when pypdf cannot read the file:
    PDFium has already opened it, and the worker's time budget still applies.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return 0
        memo: dict[object, int] = {}
        total = 0
        for page in reader.pages:
            total += _stream_cost(page.get_contents(), page.get("/Resources"), memo, set())
            if total > MAX_EXPANDED_CONTENT:
                break
        return total
    except Exception:
        return 0


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _stream_cost(content: Any, resources: Any, memo: dict[object, int], active: set[object]) -> int:
    """Length of one content stream plus, for each form it draws, that form's own expanded cost."""
    content = _resolve(content)
    if not isinstance(content, StreamObject):  # a page's content array comes joined as a ContentStream
        return 0
    body: bytes = content.get_data()
    cost = len(body)
    resources = _resolve(resources)
    xobjects = _resolve(resources.get("/XObject")) if isinstance(resources, DictionaryObject) else None
    if not isinstance(xobjects, DictionaryObject):
        return cost
    for match in _DO_RE.finditer(body):
        ref = xobjects.get("/" + match.group(1).decode("latin-1"))
        form = _resolve(ref)
        if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form":
            continue
        own = form.get("/Resources")
        # A form without resources of its own uses those of whoever draws it.
        key = (ref.idnum if isinstance(ref, IndirectObject) else id(form), None if own is not None else id(resources))
        if key in active:
            continue  # a form that draws itself: PDFium refuses the recursion
        if key not in memo:
            active.add(key)
            memo[key] = _stream_cost(form, own if own is not None else resources, memo, active)
            active.discard(key)
        cost += memo[key]
        if cost > MAX_EXPANDED_CONTENT:
            break
    return cost
