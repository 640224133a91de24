"""The conversation state a use case may move together with its data (aiogram's FSMContext fits it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Conversation(Protocol):
    async def get_state(self) -> str | None: ...

    async def set_state(self, state: Any = None) -> None: ...

    async def get_data(self) -> dict[str, Any]: ...

    async def set_data(self, data: Mapping[str, Any]) -> None: ...

    async def update_data(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]: ...
