"""The main menu: what a person sees after consent, and only buttons that work."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import main_menu
from storage.profiles import ProfileRepository
from storage.users import User


async def menu_view(tr: Tr, user: User | None, profiles: ProfileRepository) -> tuple[str, InlineKeyboardMarkup]:
    has_consent = bool(user and user.has_consent)
    text = tr("menu-title") if has_consent else tr("menu-title-no-consent")
    extra: list[tuple[str, str]] = []
    if user is not None and has_consent:
        drafts = [p for p in await profiles.list_for(user.telegram_id) if p.step != "summary"]
        extra.append(("btn-menu-continue" if drafts else "btn-menu-apply", "apply"))
    return text, main_menu(tr, has_consent=has_consent, extra=extra)
