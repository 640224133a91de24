"""Clinics and appointments: pick a clinic, a day and a free time, book it, move it, cancel it; reminders;
the staff's list of a day and 'no-show'.

Slots come from the clinics file and the bookings (domain/booking.py); the seat guarantee from the database
(storage/bookings.py). Each change is one unit of work: the booking rows, its reminders in the outbox and the
audit row commit together. A reschedule keeps the old booking until the new one is booked, then, in the
same transaction, supersedes it and moves the reminders. Times are UTC here; views show the clinic's zone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain import booking as rules
from domain.clinics import Clinic, Clinics, Region
from domain.clock import Clock
from domain.policy import ExamCode, Policy
from services.outbox import Pushes
from storage.bookings import Booking, BookingRepository, BookingStatus
from storage.db import transaction
from storage.profiles import ProfileRepository

log = logging.getLogger("emk.booking")

REMINDER_KINDS = [kind.value for kind in rules.ReminderKind]


@dataclass(frozen=True)
class Prefill:
    """What the flow starts from: the profile booked for, its region when the address tells it, its exams."""

    profile_id: int | None
    region: str | None
    exams: tuple[ExamCode, ...]


@dataclass(frozen=True)
class Booked:
    booking: Booking
    clinic: Clinic
    slot: rules.Slot
    replaced: Booking | None = None


@dataclass(frozen=True)
class SlotTaken:
    """Someone else took the last seat first: the fresh free times of that day."""

    day: date
    free: list[rules.Slot]


@dataclass(frozen=True)
class Unavailable:
    """The slot is past, outside the horizon or no longer in the file, or the booking to move is gone."""


@dataclass(frozen=True)
class Mine:
    upcoming: list[Booking]
    past: list[Booking]


class BookingService:
    def __init__(
        self, engine: object, bookings: BookingRepository, profiles: ProfileRepository, clinics: Clinics | None,
        policy: Policy, pushes: Pushes, clock: Clock, tz: ZoneInfo,
    ) -> None:
        self.engine, self.bookings, self.profiles, self.clinics = engine, bookings, profiles, clinics
        self.policy, self.pushes, self.clock, self.tz = policy, pushes, clock, tz

    @property
    def available(self) -> bool:
        return self.clinics is not None

    @property
    def horizon_days(self) -> int:
        return self.policy.booking.horizon_days

    @property
    def referral_required(self) -> bool:
        return self.policy.booking.referral_required

    # --- choosing -------------------------------------------------------------------------------------------

    async def prefill(self, owner_id: int) -> Prefill:
        """The person's latest profile with a work category: its exams, and its region if the address tells it."""
        profiles = [p for p in await self.profiles.list_for(owner_id) if p.draft.category]
        if not profiles or self.clinics is None:
            return Prefill(None, None, ())
        draft = profiles[-1].draft
        exams = tuple(self.policy.exams_for(draft.category)) if draft.category in self.policy.categories else ()
        region = self.clinics.region_of_address(draft.postal_index, draft.address)
        return Prefill(profiles[-1].id, region, exams)

    def regions(self) -> list[tuple[str, Region]]:
        return list(self.clinics.regions.items()) if self.clinics else []

    def region(self, code: str) -> Region | None:
        return self.clinics.regions.get(code) if self.clinics else None

    def clinics_in(self, region: str | None, exams: tuple[ExamCode, ...]) -> list[tuple[str, Clinic]]:
        if self.clinics is None:
            return []
        return [(code, self.clinics[code]) for code in self.clinics.pick(region=region, exams=exams)]

    def clinic(self, code: str) -> Clinic | None:
        return self.clinics.get(code) if self.clinics else None

    async def _taken(self, clinic_code: str) -> dict[datetime, int]:
        now = self.clock.now()
        until = now + timedelta(days=self.horizon_days + 2)
        return await self.bookings.taken(clinic_code, now - timedelta(days=1), until)

    async def days(self, clinic_code: str) -> tuple[list[date], list[date]]:
        """(every date of the horizon, the ones with a free slot), in the clinic's zone."""
        clinic = self.clinic(clinic_code)
        if clinic is None:
            return [], []
        now = self.clock.now()
        taken = await self._taken(clinic_code)
        return (rules.horizon(clinic, now=now, days=self.horizon_days),
                rules.bookable_days(clinic, taken, now=now, horizon_days=self.horizon_days))

    async def times(self, clinic_code: str, day: date) -> list[rules.Slot]:
        clinic = self.clinic(clinic_code)
        if clinic is None or day not in rules.horizon(clinic, now=self.clock.now(), days=self.horizon_days):
            return []
        return rules.free_slots(clinic, day, await self._taken(clinic_code), now=self.clock.now())

    def slot_at(self, clinic_code: str, start: datetime) -> rules.Slot | None:
        """The slot a button names, if it may still be booked (a seat is the database's to say)."""
        clinic = self.clinic(clinic_code)
        if clinic is None:
            return None
        return rules.bookable_slot(clinic, start, now=self.clock.now(), horizon_days=self.horizon_days)

    # --- booking ----------------------------------------------------------------------------------------------

    async def book(
        self, owner_id: int, profile_id: int | None, clinic_code: str, start: datetime, *, replacing: int | None = None
    ) -> Booked | SlotTaken | Unavailable:
        """Book a seat of the slot starting at ``start`` (UTC). With ``replacing``, the person's active booking
        that this one replaces: it is superseded and its reminders moved in the same transaction, and it stays
        untouched if this one cannot be booked."""
        clinic = self.clinic(clinic_code)
        now = self.clock.now()
        slot = clinic and rules.bookable_slot(clinic, start, now=now, horizon_days=self.horizon_days)
        if clinic is None or not slot:
            return Unavailable()
        async with transaction(self.engine):
            old = await self.bookings.get(replacing) if replacing is not None else None
            if replacing is not None and (old is None or not old.active or old.owner_id != owner_id):
                return Unavailable()
            booking = await self.bookings.take_seat(clinic_code=clinic_code, start=slot.start, seats=clinic.seats,
                                                    owner_id=owner_id, profile_id=profile_id)
            if booking is not None:
                if old is not None:
                    old = await self.bookings.finish(old.id, BookingStatus.SUPERSEDED, replaced_by=booking.id)
                    await self.pushes.drop_booking_reminders(replacing or 0, REMINDER_KINDS)
                asked = self.policy.reminders
                for reminder in rules.reminder_times(slot.start, clinic.zone, now=now,
                                                     day_before_hour=asked.appointment_day_before_hour,
                                                     hours_before=asked.appointment_hours_before):
                    await self.pushes.booking_reminder(booking.id, owner_id, reminder.kind.value, reminder.at)
                await self.bookings.audit(actor_id=owner_id, action="booking.move" if old else "booking.book",
                                          booking=booking.id, clinic=clinic_code, replaced=replacing)
                return Booked(booking, clinic, slot, old)
        day = slot.local_start.date()
        return SlotTaken(day, await self.times(clinic_code, day))

    async def cancel(self, owner_id: int, booking_id: int) -> Booking | None:
        """Cancel the person's active booking: the seat is free at once, its reminders are dropped."""
        async with transaction(self.engine):
            booking = await self.bookings.finish(booking_id, BookingStatus.CANCELLED, owner_id=owner_id)
            if booking is not None:
                await self.pushes.drop_booking_reminders(booking.id, REMINDER_KINDS)
                await self.bookings.audit(actor_id=owner_id, action="booking.cancel", booking=booking.id)
        return booking

    async def get(self, booking_id: int, owner_id: int | None = None) -> Booking | None:
        booking = await self.bookings.get(booking_id)
        if booking is None or (owner_id is not None and booking.owner_id != owner_id):
            return None
        return booking

    async def mine(self, owner_id: int) -> Mine:
        now = self.clock.now()
        shown = [b for b in await self.bookings.of_owner(owner_id) if b.status is not BookingStatus.SUPERSEDED]
        upcoming = [b for b in shown if b.active and b.start > now]
        past = [b for b in shown if b not in upcoming]
        return Mine(upcoming, list(reversed(past)))

    def slot_of(self, booking: Booking) -> rules.Slot | None:
        """The booking's time as a slot in its clinic's zone (by the booking, not the current file)."""
        clinic = self.clinic(booking.clinic_code)
        if clinic is None:
            return None
        return rules.Slot(booking.start, booking.start + timedelta(minutes=clinic.slot_minutes), clinic.zone)

    def still_due(self, booking: Booking) -> bool:
        """A reminder of this booking still makes sense: it is active and has not started."""
        return booking.active and booking.start > self.clock.now()

    # --- staff ------------------------------------------------------------------------------------------------

    def staff_days(self, clinic_code: str) -> list[date]:
        """The dates staff can open: a week back to the end of the horizon, in the clinic's zone."""
        clinic = self.clinic(clinic_code)
        if clinic is None:
            return []
        today = rules.local_today(clinic, self.clock.now())
        return [today + timedelta(days=d) for d in range(-7, self.horizon_days)]

    async def of_day(self, clinic_code: str, day: date) -> list[Booking]:
        clinic = self.clinic(clinic_code)
        if clinic is None:
            return []
        since = datetime.combine(day, datetime.min.time(), tzinfo=clinic.zone)
        return await self.bookings.of_clinic(clinic_code, since, since + timedelta(days=1))

    async def mark_no_show(self, staff_id: int, booking_id: int) -> Booking | None:
        """Recorded once the slot has started; the seat stays held (nothing is freed retroactively)."""
        booking = await self.bookings.get(booking_id)
        if booking is None or not booking.active or booking.start > self.clock.now():
            return None
        async with transaction(self.engine):
            done = await self.bookings.finish(booking_id, BookingStatus.NO_SHOW, marked_by=staff_id)
            if done is not None:
                await self.bookings.audit(actor_id=staff_id, action="staff.no_show", booking=booking_id)
        return done

    # --- a changed clinics file -------------------------------------------------------------------------------

    async def report_misfits(self) -> list[tuple[Booking, rules.Misfit]]:
        """At start-up: upcoming bookings the current file would not offer are logged and sent to staff (once
        per booking and reason); none is moved."""
        if self.clinics is None:
            return []
        misfits = rules.bookings_that_no_longer_fit(self.clinics.clinics,
                                                    await self.bookings.upcoming(self.clock.now()))
        if not misfits:
            return []
        async with transaction(self.engine):
            for booking, reason in misfits:
                log.warning("booking %s at %s on %s no longer fits the clinics file: %s", booking.id,
                            booking.clinic_code, booking.start.isoformat(), reason.value)
                await self.pushes.booking_misfit(booking.id, reason.value)
        return misfits
