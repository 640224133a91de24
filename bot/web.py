"""The web server (aiohttp, jinja2 templates with autoescape), run in the bot's process.

Routes: ``GET /b/<check id>`` — the book's check page (what the QR on the card opens); ``GET /s/<token>`` — a
book shared with an employer, and ``POST /s/<token>/confirm`` — the employer's confirmation of receipt (a form
with a CSRF token, no JavaScript); ``GET /public-key`` — the operator's Ed25519 public key as PEM;
``GET /healthz``. Every page is ``noindex`` (meta and ``X-Robots-Tag``), loads nothing from elsewhere (inline
style, the photo as a small data: image; the Content-Security-Policy forbids the rest) and carries no personal
data in any URL. The language is ``?lang=ru|en``, else the browser's Accept-Language, else the default.

The check page shows only: the verdict (valid / revoked / superseded by a renewal / not found / bad
signature), the book number, the holder's surname and initials and photo (to recognise the person), and until
when each required entry is valid. Nothing else of the book.

The share page shows what the share's level allows («status»: the verdict, the holder's surname and initials,
until when; «full»: also the photo, the full name, the birth date and every entry) and the issuing
organisation. An unknown, revoked or expired link gets one and the same page with no data (404). The page
and the form are rate-limited per client address and per token (429 with a page); the client address is
the peer's, or the one X-Forwarded-For names when the peer is one of TRUSTED_PROXIES.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.i18n import SUPPORTED, Tr, Translator
from domain.book import BookCheck, CheckOutcome, entries_sorted, public_key_pem, surname_initials
from domain.ratelimit import TokenBucket
from domain.sharing import ShareLevel, csrf_token, csrf_valid, token_hash
from services.book import BookService
from services.sharing import ConfirmOutcome, SharePage, SharingService
from views.book_files import entry_result, entry_title, full_name, item_title, thumbnail_jpeg, verdict
from views.ui import fmt_date

__all__ = ["ShareLimits", "client_address", "create_web_app", "start_web"]

log = logging.getLogger("emk.web")
TEMPLATES = Path(__file__).resolve().parent / "templates"
BOOK_SERVICE: web.AppKey[BookService] = web.AppKey("book_service", BookService)
TRANSLATOR: web.AppKey[Translator] = web.AppKey("translator", Translator)
JINJA: web.AppKey[jinja2.Environment] = web.AppKey("jinja", jinja2.Environment)
SECURITY_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}
# The share page posts its confirmation form to itself: the one difference.
SHARE_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace("form-action 'none'", "form-action 'self'")
CSRF_COOKIE = "emk_csrf"


def _headers_for(request: web.Request) -> dict[str, str]:
    if request.path.startswith("/s/"):
        return {**SECURITY_HEADERS, "Content-Security-Policy": SHARE_CSP}
    return SECURITY_HEADERS


@web.middleware
async def _headers(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(_headers_for(request))
        raise
    response.headers.update(_headers_for(request))
    return response


@dataclass
class ShareLimits:
    """Rate limits of the share page and its form: per client address and per token. Defaults: a person may
    open a few links at once and then one every two seconds; one link may be opened 60 times at once and
    then 60 times an hour; the form takes 10 tries at once per address and per link, then 10 an hour."""

    page_per_address: TokenBucket = field(default_factory=lambda: TokenBucket(20, 0.5))
    page_per_token: TokenBucket = field(default_factory=lambda: TokenBucket(60, 60 / 3600))
    form_per_address: TokenBucket = field(default_factory=lambda: TokenBucket(10, 10 / 3600))
    form_per_token: TokenBucket = field(default_factory=lambda: TokenBucket(10, 10 / 3600))
    trusted_proxies: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network] = ()
    now: Callable[[], float] = time.monotonic
    secure_cookies: bool = False  # set the CSRF cookie 'Secure' (PUBLIC_BASE_URL is https)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))  # signs the forms' CSRF tokens


SHARING: web.AppKey[SharingService] = web.AppKey("sharing", SharingService)
LIMITS: web.AppKey[ShareLimits] = web.AppKey("share_limits", ShareLimits)


def _trusted(address: str, proxies: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None,
                   proxies: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str:
    """Who is asking: the peer, unless the peer is a trusted proxy; then the nearest address in
    X-Forwarded-For that is not a trusted proxy (read from the right: the left end is whatever the client
    wrote)."""
    address = peer or ""
    if not proxies or not _trusted(address, proxies) or not forwarded_for:
        return address
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else address


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


# --- the share page ------------------------------------------------------------------------------------------


def _share_context(request: web.Request, status: int = 200) -> tuple[Tr, dict[str, Any]]:
    translator = request.app[TRANSLATOR]
    lang = _locale(request, translator)
    tr = translator.bind(lang)
    return tr, {"lang": lang, "other_lang": "en" if lang == "ru" else "ru", "tr": tr}


def _html(request: web.Request, template: str, context: dict[str, Any], status: int = 200,
          headers: dict[str, str] | None = None) -> web.Response:
    html = request.app[JINJA].get_template(template).render(context)
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status,
                        headers={"Content-Language": context["lang"], "Vary": "Accept-Language", **(headers or {})})


def _message(request: web.Request, kind: str, status: int, headers: dict[str, str] | None = None) -> web.Response:
    """One of the pages with no data: gone (unknown, revoked or expired: the same for all three), too many
    requests, a refused form."""
    tr, context = _share_context(request)
    context.update(title=tr(f"web-share-{kind}-title"), heading=tr(f"web-share-{kind}-title"),
                   text=tr(f"web-share-{kind}-text"))
    return _html(request, "share_message.html", context, status, headers)


def _limited(request: web.Request, token: str, form: bool) -> web.Response | None:
    limits = request.app[LIMITS]
    address = client_address(request.remote, request.headers.get("X-Forwarded-For"), limits.trusted_proxies)
    by_address, by_token = ((limits.form_per_address, limits.form_per_token) if form
                            else (limits.page_per_address, limits.page_per_token))
    now, key = limits.now(), token_hash(token[:64])
    if by_address.take(address, now) and by_token.take(key, now):
        return None
    wait = max(by_address.retry_after(address), by_token.retry_after(key), 1.0)
    return _message(request, "too-many", 429, {"Retry-After": str(int(wait + 0.999))})


def _entries(tr: Tr, page: SharePage) -> list[dict[str, Any]]:
    book = page.check.book
    assert book is not None
    items = []
    for entry in reversed(entries_sorted(book.entries)):  # newest first
        until = entry.valid_until
        items.append({
            "title": entry_title(tr, entry), "date": fmt_date(entry.done_on, tr),
            "result": entry_result(tr, entry) if entry.result else "", "institution": entry.institution,
            "until": tr("web-check-entry-until", date=fmt_date(until, tr)) if until else "",
            "css": "bad" if until is not None and until < page.today else "",
            "holder": entry.source == "holder_reported",
        })
    return items


def _csrf_nonce(request: web.Request) -> tuple[str, bool]:
    """The browser's CSRF nonce (its cookie), or a new one (True: to be set)."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if 16 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum():
        return nonce, False
    return secrets.token_urlsafe(18), True


async def _render_share(request: web.Request, token: str, page: SharePage, *, status: int = 200,
                        error: str | None = None, typed: str = "", confirmed: bool = False) -> web.Response:
    tr, context = _share_context(request)
    check, share = page.check, page.share
    limits = request.app[LIMITS]
    nonce, new_cookie = _csrf_nonce(request)
    on_confirm = request.path.endswith("/confirm")
    context.update(
        title=tr("web-share-page-title"), outcome=check.outcome.value, verdict=verdict(tr, check),
        level=share.level.value, level_name=tr(f"share-level-{share.level.value}"), book=None,
        delivered=page.delivered, confirmed=confirmed, error=error, typed=typed,
        csrf=csrf_token(limits.secret, nonce, share.token_hash),
        action=f"confirm?lang={context['lang']}" if on_confirm else f"{token}/confirm?lang={context['lang']}",
        lang_href=f"../{token}?lang={context['other_lang']}" if on_confirm else f"?lang={context['other_lang']}",
    )
    book = check.book
    if book is not None:
        until = book.valid_until()
        context.update(book=book, holder=surname_initials(book.surname, book.name, book.patronymic),
                       valid_until=fmt_date(until, tr) if until else None, issuer=book.issuer or "—",
                       incomplete=check.outcome is CheckOutcome.VALID and not check.complete)
        if share.level is ShareLevel.FULL:
            thumb = await asyncio.to_thread(thumbnail_jpeg, page.photo) if page.photo else None
            context.update(
                full_name=full_name(book), birth_date=fmt_date(book.birth_date, tr),
                required=_required(tr, check, page.today), entries=_entries(tr, page),
                photo="data:image/jpeg;base64," + base64.b64encode(thumb).decode("ascii") if thumb else None,
            )
    response = _html(request, "share.html", context, status)
    if new_cookie:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="Strict", secure=limits.secure_cookies,
                            path="/")
    return response


async def share_page(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    limited = _limited(request, token, form=False)
    if limited is not None:
        return limited
    page = await request.app[SHARING].page(token)
    if page is None:
        return _message(request, "gone", 404)
    return await _render_share(request, token, page)


async def share_confirm(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    limited = _limited(request, token, form=True)
    if limited is not None:
        return limited
    form = await request.post()
    given, typed = form.get("csrf"), form.get("employer_id")
    nonce = request.cookies.get(CSRF_COOKIE)
    limits = request.app[LIMITS]
    if not isinstance(given, str) or not csrf_valid(limits.secret, nonce, token_hash(token), given):
        return _message(request, "refused", 403)
    sharing = request.app[SHARING]
    typed = typed if isinstance(typed, str) else ""
    result = await sharing.confirm(token, typed[:64])
    page = await sharing.page(token, record=False)
    if result.outcome is ConfirmOutcome.GONE or page is None:
        return _message(request, "gone", 404)
    if result.outcome is ConfirmOutcome.DONE:
        return await _render_share(request, token, page, confirmed=True)
    tr = request.app[TRANSLATOR].bind(_locale(request, request.app[TRANSLATOR]))
    if result.outcome is ConfirmOutcome.INVALID:
        error = " ".join(tr(issue.fluent_key, **dict(issue.params)) for issue in result.issues)
    else:
        error = tr("web-share-error-mismatch")
    return await _render_share(request, token, page, status=422, error=error, typed=typed[:64])


async def public_key(request: web.Request) -> web.Response:
    pem = public_key_pem(request.app[BOOK_SERVICE].public_key)
    return web.Response(text=pem, content_type="application/x-pem-file")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n", content_type="text/plain")


def create_web_app(book_service: BookService, translator: Translator, sharing: SharingService | None = None,
                   limits: ShareLimits | None = None) -> web.Application:
    app = web.Application(middlewares=[_headers], client_max_size=64 * 1024)
    app[BOOK_SERVICE] = book_service
    app[TRANSLATOR] = translator
    app[LIMITS] = limits or ShareLimits()
    app[JINJA] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    app.router.add_get("/b/{check_id}", check_page)
    if sharing is not None:
        app[SHARING] = sharing
        app.router.add_get("/s/{token}", share_page)
        app.router.add_post("/s/{token}/confirm", share_confirm)
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
