"""The web server (aiohttp, jinja2 templates with autoescape), run in the bot's process.

Routes: ``GET /b/<check id>`` — the book's check page (what the QR on the card opens); ``GET /public-key`` —
the operator's Ed25519 public key as PEM; ``GET /healthz``. Every page is ``noindex`` (meta and
``X-Robots-Tag``), loads nothing from elsewhere (inline style, the photo as a small data: image; the
Content-Security-Policy forbids the rest) and carries no personal data in any URL. The language is
``?lang=ru|en``, else the browser's Accept-Language, else the default.

The check page shows only: the verdict (valid / revoked / superseded by a renewal / not found / bad
signature), the book number, the holder's surname and initials and photo (to recognise the person), and until
when each required entry is valid. Nothing else of the book.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.i18n import SUPPORTED, Tr, Translator
from domain.book import BookCheck, CheckOutcome, public_key_pem, surname_initials
from services.book import BookService
from views.book_files import item_title, thumbnail_jpeg, verdict
from views.ui import fmt_date

__all__ = ["create_web_app", "start_web"]

log = logging.getLogger("emk.web")
TEMPLATES = Path(__file__).resolve().parent / "templates"
BOOK_SERVICE: web.AppKey[BookService] = web.AppKey("book_service", BookService)
TRANSLATOR: web.AppKey[Translator] = web.AppKey("translator", Translator)
JINJA: web.AppKey[jinja2.Environment] = web.AppKey("jinja", jinja2.Environment)
SECURITY_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


@web.middleware
async def _headers(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def _locale(request: web.Request, translator: Translator) -> str:
    asked = request.query.get("lang", "").lower()
    if asked in SUPPORTED:
        return asked
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in SUPPORTED:
            return code
    return translator.default


def _required(tr: Tr, check: BookCheck, today: date) -> list[dict[str, Any]]:
    book = check.book
    assert book is not None
    items = []
    for code in book.required:
        entry = check.required.get(code)
        if entry is None:
            state, css = tr("web-check-entry-missing"), "bad"
        elif entry.valid_until is None:
            state, css = tr("web-check-entry-no-term"), ""
        elif entry.valid_until < today:
            state, css = tr("web-check-entry-expired", date=fmt_date(entry.valid_until, tr)), "bad"
        else:
            state, css = tr("web-check-entry-until", date=fmt_date(entry.valid_until, tr)), ""
        items.append({"title": item_title(tr, code, entry), "state": state, "css": css,
                      "holder": entry is not None and entry.source == "holder_reported"})
    return items


async def check_page(request: web.Request) -> web.Response:
    service = request.app[BOOK_SERVICE]
    translator = request.app[TRANSLATOR]
    lang = _locale(request, translator)
    tr = translator.bind(lang)
    check, photo_id = await service.check_by_check_id(request.match_info["check_id"])
    context: dict[str, Any] = {
        "lang": lang, "other_lang": "en" if lang == "ru" else "ru", "tr": tr, "outcome": check.outcome.value,
        "title": tr("web-check-page-title"), "verdict": verdict(tr, check), "book": None,
    }
    book = check.book
    if book is not None:  # only a verified book shows anything of itself
        photo = await service.photo(photo_id)
        thumb = await asyncio.to_thread(thumbnail_jpeg, photo) if photo else None
        until = book.valid_until()
        context.update(
            book=book, holder=surname_initials(book.surname, book.name, book.patronymic),
            valid_until=fmt_date(until, tr) if until else None,
            incomplete=check.outcome is CheckOutcome.VALID and not check.complete,
            required=_required(tr, check, service.today()),
            photo="data:image/jpeg;base64," + base64.b64encode(thumb).decode("ascii") if thumb else None,
        )
    html = request.app[JINJA].get_template("check.html").render(context)
    status = 404 if check.outcome is CheckOutcome.NOT_FOUND else 200
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status,
                        headers={"Content-Language": lang, "Vary": "Accept-Language"})


async def public_key(request: web.Request) -> web.Response:
    pem = public_key_pem(request.app[BOOK_SERVICE].public_key)
    return web.Response(text=pem, content_type="application/x-pem-file")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n", content_type="text/plain")


def create_web_app(book_service: BookService, translator: Translator) -> web.Application:
    app = web.Application(middlewares=[_headers], client_max_size=64 * 1024)
    app[BOOK_SERVICE] = book_service
    app[TRANSLATOR] = translator
    app[JINJA] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    app.router.add_get("/b/{check_id}", check_page)
    app.router.add_get("/public-key", public_key)
    app.router.add_get("/healthz", healthz)
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``app`` on host:port until the returned runner is cleaned up (with the bot)."""
    runner = web.AppRunner(app, access_log=None)  # access logs would record check ids: none kept
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("web server listening on http://%s:%s", host, port)
    return runner
