"""Payments for the operator's service: Telegram invoices and their receipts, and receipts people upload.

One row per payment attempt:

* ``telegram`` rows start ``pending`` when an invoice is sent (its payload is remembered, so a pre-checkout
  query can be checked against it) and become ``paid`` when Telegram reports the successful payment;
* ``manual`` rows are ``uploaded``: the person paid by the operator's instructions and sent the receipt
  (``upload_id``), which staff check; then ``confirmed``.

Telegram may deliver the same successful payment twice; ``telegram_payment_charge_id`` is unique, so it is
stored once. Telegram Stars charge ids are longer than 128 characters, hence the generous column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from domain.clock import Clock
from storage.db import UTCDateTime, reading, transaction
from storage.tables import metadata

__all__ = ["CHARGE_ID_LENGTH", "PAYLOAD_LENGTH", "PaymentRepository", "Receipt", "find_receipt", "payments"]

PAYLOAD_LENGTH = 128  # Telegram's limit for an invoice payload (bytes; ours are ASCII)
CHARGE_ID_LENGTH = 512  # Stars charge ids already exceed 128 characters; leave room

TELEGRAM = "telegram"
MANUAL = "manual"
PENDING = "pending"
PAID = "paid"
UPLOADED = "uploaded"
CONFIRMED = "confirmed"  # a manual receipt staff checked against the account

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("provider", String(16), nullable=False),  # telegram | manual
    Column("status", String(16), nullable=False),  # pending | paid (telegram); uploaded | confirmed (manual)
    Column("payload", String(PAYLOAD_LENGTH), nullable=True),  # the invoice payload we issued (telegram)
    Column("amount", BigInteger, nullable=False),  # minor units (kopecks)
    Column("currency", String(3), nullable=False),
    Column("telegram_payment_charge_id", String(CHARGE_ID_LENGTH), nullable=True),
    Column("provider_payment_charge_id", String(CHARGE_ID_LENGTH), nullable=True),
    Column("upload_id", Integer, ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True),  # manual receipt
    Column("created_at", UTCDateTime, nullable=False),
    Column("paid_at", UTCDateTime, nullable=True),
    UniqueConstraint("payload", name="uq_payments_payload"),
    UniqueConstraint("telegram_payment_charge_id", name="uq_payments_telegram_payment_charge_id"),
)


@dataclass(frozen=True, slots=True)
class Receipt:
    id: int
    owner_id: int
    profile_id: int | None
    provider: str
    status: str
    payload: str | None
    amount: int
    currency: str
    telegram_payment_charge_id: str | None
    provider_payment_charge_id: str | None
    upload_id: int | None
    created_at: datetime
    paid_at: datetime | None

    @property
    def paid_in_telegram(self) -> bool:
        return self.provider == TELEGRAM and self.status == PAID

    @property
    def pending(self) -> bool:
        """An invoice we sent that has not been paid yet."""
        return self.provider == TELEGRAM and self.status == PENDING


def _row(row: Any) -> Receipt:
    m = row._mapping
    return Receipt(
        id=m["id"], owner_id=m["owner_id"], profile_id=m["profile_id"], provider=m["provider"],
        status=m["status"], payload=m["payload"], amount=m["amount"], currency=m["currency"],
        telegram_payment_charge_id=m["telegram_payment_charge_id"],
        provider_payment_charge_id=m["provider_payment_charge_id"], upload_id=m["upload_id"],
        created_at=m["created_at"], paid_at=m["paid_at"],
    )


async def find_receipt(engine: Any, receipt_id: int, owner_id: int | None = None) -> Receipt | None:
    """A payment row by id (of that owner, when given); reads need no clock, so views may use this."""
    query = select(payments).where(payments.c.id == receipt_id)
    if owner_id is not None:
        query = query.where(payments.c.owner_id == owner_id)
    async with reading(engine) as conn:
        row = (await conn.execute(query)).first()
    return _row(row) if row is not None else None


class PaymentRepository:
    def __init__(self, engine: Any, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    async def _insert(self, **values: Any) -> Receipt:
        async with transaction(self.engine) as conn:
            row = (await conn.execute(insert(payments).values(**values).returning(*payments.c))).one()
        return _row(row)

    async def open_invoice(
        self, *, owner_id: int, profile_id: int, payload: str, amount: int, currency: str
    ) -> Receipt:
        """Remember an invoice we are about to send: a pending row under its payload."""
        if len(payload.encode()) > PAYLOAD_LENGTH:
            raise ValueError("an invoice payload is at most 128 bytes")
        return await self._insert(
            owner_id=owner_id, profile_id=profile_id, provider=TELEGRAM, status=PENDING, payload=payload,
            amount=amount, currency=currency, created_at=self.clock.now(),
        )

    async def by_payload(self, payload: str) -> Receipt | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(payments).where(payments.c.payload == payload))).first()
        return _row(row) if row is not None else None

    async def by_charge_id(self, telegram_payment_charge_id: str) -> Receipt | None:
        query = select(payments).where(payments.c.telegram_payment_charge_id == telegram_payment_charge_id)
        async with reading(self.engine) as conn:
            row = (await conn.execute(query)).first()
        return _row(row) if row is not None else None

    async def get(self, receipt_id: int, owner_id: int | None = None) -> Receipt | None:
        return await find_receipt(self.engine, receipt_id, owner_id)

    async def list_for(self, profile_id: int) -> list[Receipt]:
        query = select(payments).where(payments.c.profile_id == profile_id).order_by(payments.c.id)
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [_row(r) for r in rows]

    async def record_telegram(
        self,
        *,
        owner_id: int,
        profile_id: int | None,
        payload: str,
        amount: int,
        currency: str,
        telegram_payment_charge_id: str,
        provider_payment_charge_id: str | None,
    ) -> tuple[Receipt, bool]:
        """Store a successful Telegram payment: (the receipt, whether it is new).

        The pending row of the invoice becomes ``paid``; a payment without one (an invoice we no longer
        know) gets a row of its own. The same charge id a second time returns the stored receipt.
        """
        try:
            async with transaction(self.engine) as conn:
                existing = (
                    await conn.execute(
                        select(payments).where(payments.c.telegram_payment_charge_id == telegram_payment_charge_id)
                    )
                ).first()
                if existing is not None:
                    return _row(existing), False
                now = self.clock.now()
                paid = dict(
                    status=PAID, amount=amount, currency=currency,
                    telegram_payment_charge_id=telegram_payment_charge_id,
                    provider_payment_charge_id=provider_payment_charge_id or None, paid_at=now,
                )
                holder = (await conn.execute(select(payments).where(payments.c.payload == payload))).first()
                if holder is not None and holder.status == PENDING and holder.owner_id == owner_id:
                    query = update(payments).where(payments.c.id == holder.id).values(**paid)
                    row = (await conn.execute(query.returning(*payments.c))).one()
                else:
                    row = (
                        await conn.execute(
                            insert(payments)
                            .values(
                                owner_id=owner_id, profile_id=profile_id, provider=TELEGRAM, created_at=now,
                                payload=None if holder is not None else payload, **paid,
                            )
                            .returning(*payments.c)
                        )
                    ).one()
                return _row(row), True
        except IntegrityError:
            # Two deliveries of one payment at the same instant (PostgreSQL): the other one stored it.
            stored = await self.by_charge_id(telegram_payment_charge_id)
            if stored is None:
                raise
            return stored, False

    async def confirm_manual(self, receipt_id: int) -> bool:
        """Staff checked an uploaded receipt: True when this call confirmed it (False: already, or not manual)."""
        async with transaction(self.engine) as conn:
            changed = (
                await conn.execute(
                    update(payments)
                    .where(payments.c.id == receipt_id, payments.c.provider == MANUAL, payments.c.status == UPLOADED)
                    .values(status=CONFIRMED, paid_at=self.clock.now())
                )
            ).rowcount
        return bool(changed == 1)

    async def record_manual(
        self, *, owner_id: int, profile_id: int, upload_id: int, amount: int, currency: str
    ) -> Receipt:
        """A receipt the person uploaded after paying by the operator's instructions."""
        return await self._insert(
            owner_id=owner_id, profile_id=profile_id, provider=MANUAL, status=UPLOADED, upload_id=upload_id,
            amount=amount, currency=currency, created_at=self.clock.now(),
        )
