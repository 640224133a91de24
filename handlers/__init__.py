"""Routers, one module per feature, assembled in order. Order matters: commands that work in every state
(/cancel, /help, /language) come first; the catch-all that answers unexpected input comes last."""

from __future__ import annotations

from aiogram import Router

from handlers import common, errors, fallback, start


def build_routers() -> list[Router]:
    return [
        errors.router,
        common.router,
        start.router,
        # feature routers go here, in menu order
        fallback.router,
    ]
