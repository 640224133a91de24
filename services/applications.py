"""Applications after the summary: sign and send, the citizen's list and timeline, the documents staff asked
for, and the one way any status changes (the change, its push and its audit row in one transaction)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from domain.clock import Clock
from domain.signature import SimpleSignature, application_content, sign
from domain.status import Actor, Status, StatusChange, is_final
from services.conversation import Conversation
from services.outbox import Pushes
from storage.applications import Application, ApplicationRepository, Conflict
from storage.db import transaction
from storage.files import UploadRepository
from storage.profiles import Profile, ProfileRepository

RECEIPT_KINDS = frozenset({"payment_receipt"})  # uploads that are not part of what is signed
EXAM_KIND_PREFIX = "exam_"  # exam results (services/exams.py): confirmed one by one by staff, not signed


@dataclass(frozen=True)
class Submitted:
    app: Application
    signature: SimpleSignature


class ApplicationService:
    def __init__(
        self, engine: Any, applications: ApplicationRepository, profiles: ProfileRepository,
        uploads: UploadRepository, pushes: Pushes, clock: Clock, stuck_after: timedelta,
    ) -> None:
        self.engine, self.applications, self.profiles, self.uploads = engine, applications, profiles, uploads
        self.pushes, self.clock, self.stuck_after = pushes, clock, stuck_after

    async def change_status(
        self, app_id: int, *, seen_version: int, target: Status, actor: Actor, actor_id: int | None,
        audit: str, comment: str | None = None, requested: tuple[str, ...] | None = None,
        sent_uploads: list[int] | None = None, conversation: Conversation | None = None, **details: Any,
    ) -> Application | Conflict:
        """Move an application, push the citizen (and staff, for documents sent), audit, and end the
        conversation's flow: one transaction, so none of it happens without the rest."""
        async with transaction(self.engine):
            result = await self.applications.change_status(
                app_id, seen_version=seen_version, target=target, actor=actor, actor_id=actor_id, comment=comment,
                requested_documents=requested,
            )
            if isinstance(result, Conflict):
                return result
            if sent_uploads is not None:
                await self.pushes.documents_sent(result, sent_uploads)
            await self.pushes.status_changed(result, comment)
            await self.applications.audit(actor_id=actor_id, action=audit, application_id=app_id, **details)
            if conversation is not None:
                await conversation.set_state(None)
        return result

    # --- the citizen --------------------------------------------------------------------------------------

    async def submit(
        self, owner_id: int, profile: Profile, summaries: Mapping[str, str], conversation: Conversation
    ) -> Submitted:
        """Sign what is submitted — the data and each file by its hash — number it, tell staff, audit."""
        files = [u for u in await self.uploads.list_for(profile.id)
                 if u.kind not in RECEIPT_KINDS and not u.kind.startswith(EXAM_KIND_PREFIX)]
        signed = application_content(profile.draft.model_dump(mode="json"), [(u.id, u.kind, u.sha256) for u in files])
        snapshot = {
            **signed,
            "upload_ids": [u.id for u in files if u.kind == "photo"] + [u.id for u in files if u.kind != "photo"],
            "summary": dict(summaries),
        }
        signature = sign(signed, owner_id, self.clock.now())
        async with transaction(self.engine):
            app = await self.applications.submit(
                owner_id=owner_id, profile_id=profile.id, snapshot=snapshot, signature=signature,
                renews_book_id=profile.draft.renews_book_id,  # «Renew»: issuing it supersedes that book
            )
            await self.pushes.new_application(app)
            await self.profiles.save(profile, profile.draft, "summary")
            await conversation.set_state(None)
            await self.applications.audit(actor_id=owner_id, action="citizen.submit", application_id=app.id,
                                          sha256=signature.content_sha256)
        return Submitted(app, signature)

    async def list_for(self, owner_id: int) -> list[Application]:
        return await self.applications.list_for(owner_id)

    async def own(self, owner_id: int, app_id: int) -> Application | None:
        app = await self.applications.get(app_id)
        return app if app is not None and app.owner_id == owner_id else None

    async def timeline(self, owner_id: int, app_id: int) -> tuple[Application, list[StatusChange]] | None:
        app = await self.own(owner_id, app_id)
        return (app, await self.applications.history(app.id)) if app is not None else None

    async def send_documents(
        self, owner_id: int, app: Application, upload_ids: list[int], conversation: Conversation
    ) -> Application | Conflict:
        """The citizen sent what staff asked for: back to 'in review', staff get the files."""
        return await self.change_status(
            app.id, seen_version=app.version, target=Status.IN_REVIEW, actor=Actor.CITIZEN, actor_id=owner_id,
            audit="citizen.documents_sent", sent_uploads=upload_ids, conversation=conversation, uploads=upload_ids,
        )

    async def signed_upload_ids(self, owner_id: int) -> set[int]:
        """The uploads the person's submitted applications refer to: each signed snapshot's files and the
        documents sent at staff's request. They are kept whatever later happens to the draft."""
        ids: set[int] = set()
        for app in await self.applications.list_for(owner_id):
            ids.update(int(i) for i in (await self.applications.snapshot(app.id)).get("upload_ids", []))
            for entry in await self.applications.audit_entries(app.id):
                if entry["action"] == "citizen.documents_sent" and entry["details"]:
                    ids.update(int(i) for i in json.loads(entry["details"]).get("uploads", []))
        return ids

    async def active_for(self, owner_id: int, profile_id: int) -> Application | None:
        """The application submitted from this profile that is still being decided, if any."""
        for app in await self.applications.list_for(owner_id):
            if app.profile_id == profile_id and not is_final(app.status):
                return app
        return None

    # --- the periodic reminder -----------------------------------------------------------------------------

    async def scan_stuck(self) -> int:
        """Remind about applications waiting too long in one status (once per stuck spell)."""
        count = 0
        for app in await self.applications.stuck(self.clock.now() - self.stuck_after):
            async with transaction(self.engine):
                count += await self.pushes.stuck(app)
        return count
