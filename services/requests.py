"""The documents staff asked for: the citizen sends them one kind after another, then the application goes
back to 'in review' (the change, the pushes to both sides and the audit row in one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.status import Status
from services.applications import ApplicationService
from services.conversation import Conversation
from services.uploads import Received, TelegramFile, UploadService
from storage.applications import Application, Conflict


@dataclass(frozen=True)
class Wanted:
    """What the citizen is sending now: the application, which of its requested kinds, how many so far."""

    app: Application
    index: int
    sent_here: int

    @property
    def kind(self) -> str:
        return self.app.requested_documents[self.index]


@dataclass(frozen=True)
class NextKind:
    app: Application
    index: int
    done: bool  # everything was sent: the application is back in review


class DocumentRequests:
    def __init__(self, applications: ApplicationService, uploads: UploadService) -> None:
        self.applications, self.uploads = applications, uploads

    async def _waiting(self, owner_id: int, app_id: int) -> Application | None:
        app = await self.applications.own(owner_id, app_id)
        return app if app is not None and app.status is Status.NEEDS_DOCUMENTS else None

    async def start(self, owner_id: int, app_id: int, conversation: Conversation, state: Any) -> Application | None:
        app = await self._waiting(owner_id, app_id)
        if app is not None:
            await conversation.set_state(state)
            await conversation.set_data({"app": app.id, "index": 0, "sent": [], "sent_here": 0})
        return app

    async def wanted_now(self, owner_id: int, conversation: Conversation) -> Wanted | None:
        data = await conversation.get_data()
        app = await self._waiting(owner_id, int(data["app"]))
        if app is None:
            await conversation.set_state(None)
            return None
        return Wanted(app, int(data["index"]), int(data["sent_here"]))

    async def receive(
        self, owner_id: int, conversation: Conversation, wanted: Wanted, data: bytes, sent: TelegramFile
    ) -> Received:
        app = wanted.app
        if wanted.kind == "photo":
            received = await self.uploads.photo(owner_id, app.profile_id, data, sent)
        else:
            received = await self.uploads.scan(owner_id, app.profile_id, wanted.kind, data, sent)
        if received.upload is not None:
            state = await conversation.get_data()
            await conversation.update_data(sent=[*state["sent"], received.upload.id],
                                           sent_here=wanted.sent_here + 1)
        return received

    async def next(self, owner_id: int, conversation: Conversation, app_id: int) -> NextKind | Conflict | None:
        """The next requested kind, or — after the last — send them all; None for a stale button."""
        data = await conversation.get_data()
        app = await self._waiting(owner_id, int(data["app"]))
        if app is None or app.id != app_id:
            return None
        index = int(data["index"]) + 1
        if index < len(app.requested_documents):
            await conversation.update_data(index=index, sent_here=0)
            return NextKind(app, index, done=False)
        result = await self.applications.send_documents(owner_id, app, [int(i) for i in data["sent"]], conversation)
        return result if isinstance(result, Conflict) else NextKind(app, index, done=True)
