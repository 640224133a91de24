"""Routers, one module per feature, assembled in order. Order matters: commands that work in every state
(/cancel, /help, /language) come first; the catch-all that answers unexpected input comes last.

The citizen's routers hang under one parent that carries the private-chat filter (in the staff group only
the staff router answers); the person and their locale come from the outer middleware on every update
(bot/middlewares.py). Each module declares its handlers on a module-level router (the familiar aiogram
style); `build_routers` hands out fresh copies, because a router can belong to one dispatcher only and the
tests build a new dispatcher for every simulated restart.

A handler is a leaf: parse the update, call one use case (`services: Services`), render with a view. No
handler module imports another (tests/test_architecture.py checks).
"""

from __future__ import annotations

from aiogram import Router

from bot.routing import QuickRouter
from fsm.filters import PrivateChat
from handlers import (
    apply,
    blocking,
    book,
    booking,
    booking_staff,
    common,
    elmk,
    elmk_staff,
    errors,
    exams,
    exams_staff,
    fallback,
    myid,
    notify,
    payment,
    privacy,
    renewal,
    review,
    sharing,
    staff,
    start,
    uploads,
)

CITIZEN: list[Router] = [common.router, start.router, apply.router, payment.router, uploads.router, review.router,
                         booking.router, exams.router, book.router, elmk.router, renewal.router,
                         privacy.router,
                         sharing.router,
                         notify.router]
AFTER: list[Router] = [exams_staff.router, elmk_staff.router, staff.router, blocking.router, fallback.router]


def _copy(template: Router) -> Router:
    fresh = QuickRouter(name=template.name)  # routes as aiogram's Router does, with less work per router
    for name, observer in template.observers.items():
        target = fresh.observers[name]
        target.handlers.extend(observer.handlers)
        if observer._handler.filters:  # router-level filters
            target._handler.filters = list(observer._handler.filters)
    fresh.freeze_commands()
    return fresh


def citizen() -> Router:
    parent = QuickRouter(name="citizen")
    parent.message.filter(PrivateChat())
    parent.callback_query.filter(PrivateChat())
    parent.include_routers(*(_copy(r) for r in CITIZEN))
    return parent


def build_routers() -> list[Router]:
    # Staff in their private chat get the queue instead of the citizen's consent flow: before the citizen's.
    # /myid answers anyone anywhere (an administrator asks it before STAFF_IDS is set): right after the errors.
    return [_copy(errors.router), _copy(myid.router), _copy(booking_staff.router), _copy(staff.private_router),
            citizen(), *(_copy(r) for r in AFTER)]
