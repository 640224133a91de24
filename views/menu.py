"""The main menu: what a person sees after consent, and only buttons that work."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import main_menu
from services.accounts import Menu


def menu_view(tr: Tr, menu: Menu) -> tuple[str, InlineKeyboardMarkup]:
    text = tr("menu-title") if menu.has_consent else tr("menu-title-no-consent")
    return text, main_menu(tr, has_consent=menu.has_consent, extra=list(menu.entries))
