"""The main menu: what a person sees after consent, and only buttons that work."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import main_menu
from storage.applications import ApplicationRepository
from storage.profiles import ProfileRepository
from storage.users import User


@dataclass(frozen=True)
class MenuSource:
    """What the menu needs to know which entries work for this person."""

    profiles: ProfileRepository
    applications: ApplicationRepository


async def menu_view(tr: Tr, user: User | None, menu: MenuSource) -> tuple[str, InlineKeyboardMarkup]:
    has_consent = bool(user and user.has_consent)
    text = tr("menu-title") if has_consent else tr("menu-title-no-consent")
    extra: list[tuple[str, str]] = []
    if user is not None and has_consent:
        drafts = [p for p in await menu.profiles.list_for(user.telegram_id) if p.step != "summary"]
        extra.append(("btn-menu-continue" if drafts else "btn-menu-apply", "apply"))
        if await menu.applications.list_for(user.telegram_id):
            extra.append(("btn-my-applications", "mine"))
    return text, main_menu(tr, has_consent=has_consent, extra=extra)
