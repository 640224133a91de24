"""A holder's notification settings: which reminder kinds are off, quiet hours, time zone.

A row exists only once the holder changed something; a missing value means the operator's default (the
policy's quiet hours, the TIMEZONE setting). The reminders themselves are outbox rows (storage/outbox.py,
kind ``reminder``): see services/reminders.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, select

from domain.clock import Clock
from domain.reminders import NotificationSettings, QuietHours, ReminderKind
from storage.db import UTCDateTime, reading, transaction, upsert
from storage.tables import metadata

__all__ = ["NotificationSettingsRepository", "StoredSettings", "notification_settings"]

QUIET_OFF = "off"

notification_settings = Table(
    "notification_settings",
    metadata,
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("disabled", String(200), nullable=False, server_default=""),  # switched-off kinds, comma-separated
    Column("quiet", String(16), nullable=True),  # "HH:MM-HH:MM", "off", or NULL: the operator's default
    Column("zone", String(64), nullable=True),  # IANA name, or NULL: the operator's TIMEZONE
    Column("updated_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class StoredSettings:
    """What the holder chose; None: they kept the default."""

    disabled: frozenset[ReminderKind] = frozenset()
    quiet: QuietHours | str | None = None  # QuietHours, QUIET_OFF, or None (default)
    zone: str | None = None

    def resolve(self, default_zone: str, default_quiet: QuietHours | None) -> NotificationSettings:
        quiet = default_quiet if self.quiet is None else (None if self.quiet == QUIET_OFF else self.quiet)
        assert quiet is None or isinstance(quiet, QuietHours)
        return NotificationSettings(self.zone or default_zone, quiet, self.disabled)


def _quiet_text(quiet: QuietHours | str | None) -> str | None:
    if quiet is None or isinstance(quiet, str):
        return quiet
    return f"{quiet.start:%H:%M}-{quiet.end:%H:%M}"


def _quiet_value(text: str | None) -> QuietHours | str | None:
    if text is None or text == QUIET_OFF:
        return text
    start, end = text.split("-")
    return QuietHours(time.fromisoformat(start), time.fromisoformat(end))


class NotificationSettingsRepository:
    def __init__(self, engine: Any, clock: Clock) -> None:
        self.engine, self.clock = engine, clock

    async def get(self, owner_id: int) -> StoredSettings:
        query = select(notification_settings).where(notification_settings.c.owner_id == owner_id)
        async with reading(self.engine) as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return StoredSettings()
        m = row._mapping
        kinds = {k for k in m["disabled"].split(",") if k in ReminderKind._value2member_map_}
        return StoredSettings(frozenset(ReminderKind(k) for k in kinds), _quiet_value(m["quiet"]), m["zone"])

    async def save(self, owner_id: int, settings: StoredSettings) -> None:
        values = {
            "owner_id": owner_id,
            "disabled": ",".join(sorted(k.value for k in settings.disabled)),
            "quiet": _quiet_text(settings.quiet),
            "zone": settings.zone,
            "updated_at": self.clock.now(),
        }
        async with transaction(self.engine) as conn:
            await conn.execute(upsert(conn.dialect.name, notification_settings, values, key=["owner_id"],
                                      update=["disabled", "quiet", "zone", "updated_at"]))
