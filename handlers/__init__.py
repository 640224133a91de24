"""Routers, one module per feature, assembled in order. Order matters: commands that work in every state
(/cancel, /help, /language) come first; the catch-all that answers unexpected input comes last.

Each module declares its handlers on a module-level router (the familiar aiogram style); `build_routers`
hands out fresh copies, because a router can belong to one dispatcher only and the tests build a new
dispatcher for every simulated restart.
"""

from __future__ import annotations

from aiogram import Router

from handlers import apply, blocking, common, errors, fallback, payment, review, staff, start, uploads

ORDER: list[Router] = [
    errors.router,
    common.router,
    start.router,
    apply.router,
    payment.router,
    uploads.router,
    review.router,
    staff.router,
    blocking.router,
    fallback.router,
]


def _copy(template: Router) -> Router:
    fresh = Router(name=template.name)
    for name, observer in template.observers.items():
        target = fresh.observers[name]
        target.handlers.extend(observer.handlers)
        if observer._handler.filters:  # router-level filters, e.g. «private chats only»
            target._handler.filters = list(observer._handler.filters)
        for middleware in observer.outer_middleware:
            target.outer_middleware.register(middleware)
        for middleware in observer.middleware:
            target.middleware.register(middleware)
    return fresh


def build_routers() -> list[Router]:
    return [_copy(r) for r in ORDER]
