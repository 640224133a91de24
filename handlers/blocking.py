"""The bot's own membership in a private chat: Telegram tells us when a person blocks the bot ("kicked") and
when they unblock it ("member"). A blocked person gets no pushes (the Notifier checks `blocked_at` before
asking Telegram); coming back lifts that. Nothing is sent in reply: a blocked chat cannot receive it.

Having a my_chat_member handler also makes polling ask Telegram for these updates at all
(`dp.resolve_used_update_types()`).
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from services import Services

log = logging.getLogger("emk.blocking")
router = Router(name="blocking")
router.my_chat_member.filter(F.chat.type == ChatType.PRIVATE)


@router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=KICKED))
async def on_blocked(event: ChatMemberUpdated, services: Services) -> None:
    await services.accounts.blocked(event.from_user.id)
    log.info("user %s blocked the bot", event.from_user.id)


@router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=MEMBER))
async def on_unblocked(event: ChatMemberUpdated, services: Services) -> None:
    if await services.accounts.unblocked(event.from_user.id):
        log.info("user %s unblocked the bot", event.from_user.id)
