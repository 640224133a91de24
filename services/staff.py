"""Staff review: who may act, the status changes they make (through ApplicationService.change_status, so
the push and the audit row commit with the change), what they see on a card, the documents they look at."""

from __future__ import annotations

from dataclasses import dataclass

from domain.status import STAFF_ACTIONS, Actor, Status
from services.applications import ApplicationService
from storage.applications import Application, ApplicationRepository, Conflict
from storage.files import FileStore, Upload, UploadRepository


@dataclass(frozen=True)
class StoredFile:
    upload: Upload
    data: bytes


class StaffService:
    def __init__(
        self, applications: ApplicationService, repository: ApplicationRepository, uploads: UploadRepository,
        files: FileStore, *, staff_ids: frozenset[int], locale: str, requestable: tuple[str, ...],
    ) -> None:
        self.service, self.applications, self.uploads, self.files = applications, repository, uploads, files
        self.staff_ids, self.locale, self.requestable = staff_ids, locale, requestable

    def may_act(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.staff_ids

    async def refuse(self, user_id: int, app_id: int) -> None:
        await self.applications.audit(actor_id=user_id, action="staff.refused", application_id=app_id)

    async def get(self, app_id: int) -> Application | None:
        return await self.applications.get(app_id)

    async def act(
        self, who_id: int, who_name: str, app_id: int, version: int, target: Status, comment: str | None = None,
        requested: tuple[str, ...] | None = None,
    ) -> Application | Conflict:
        return await self.service.change_status(
            app_id, seen_version=version, target=target, actor=Actor.STAFF, actor_id=who_id, comment=comment,
            requested=requested, audit=f"staff.{STAFF_ACTIONS[target]}", by=who_name, to=target.value,
        )

    async def last_actor(self, app_id: int) -> str | None:
        """Who made the latest staff change: for the one who pressed second."""
        return await self.applications.last_staff_actor(app_id)

    async def summary(self, app: Application, locale: str) -> str:
        """The application's summary as staff read it, rendered at submission in each language."""
        snapshot = await self.applications.snapshot(app.id)
        return str(snapshot.get("summary", {}).get(locale, ""))

    async def submitted_files(self, app: Application) -> list[StoredFile]:
        snapshot = await self.applications.snapshot(app.id)
        return await self.stored_files([int(i) for i in snapshot.get("upload_ids", [])])

    async def stored_files(self, upload_ids: list[int]) -> list[StoredFile]:
        found = [u for u in [await self.uploads.get(i) for i in upload_ids] if u is not None]
        return [StoredFile(u, await self.files.get(u.storage_name)) for u in found]

    async def view_documents(self, who_id: int, who_name: str, app: Application) -> list[StoredFile]:
        """A staff member asked to see the documents: audited as a view."""
        await self.applications.audit(actor_id=who_id, action="staff.view_documents", application_id=app.id,
                                      by=who_name)
        return await self.submitted_files(app)

    async def documents_posted(self, app: Application, chat_id: int, files: list[StoredFile]) -> None:
        await self.applications.audit(actor_id=None, action="staff.documents_posted", application_id=app.id,
                                      chat_id=chat_id, uploads=[f.upload.id for f in files])

    async def card_posted(self, app: Application, chat_id: int, message_id: int) -> None:
        await self.applications.add_staff_card(app.id, chat_id, message_id)
