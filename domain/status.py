"""The application status machine, and application numbers.

Принято → В проверке → (Нужны документы ⇄ В проверке) → Одобрено → ЭМК выдана; or Отклонено (with a reason).

The only way to a new status is :func:`transition`, which consults :data:`TRANSITIONS`; a
:class:`StatusChange` (the stored history record) validates itself through it as well, so a history with an
illegal step cannot even be constructed. Labels («Принято», ...) live in the locale files, keyed by the
values.

Who may do what:

* staff take an application into review, ask for documents, approve, reject and issue;
* the citizen answers «Нужны документы» by sending them (needs_documents → in_review); staff may also take
  such an application back into review themselves;
* staff issue the book of an approved application («Выдать ЭМК», approved → issued: services/book.py signs it
  with the confirmed exam results); the system may take that step too, for an operator whose policy issues the
  book at approval. The system never approves, rejects or asks for anything: a stuck application only produces
  reminders.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final, NamedTuple

__all__ = [
    "AWAITING_ORGANISATION",
    "FINAL_STATUSES",
    "INITIAL_STATUS",
    "MAX_COMMENT_LENGTH",
    "STAFF_ACTIONS",
    "TRANSITIONS",
    "Actor",
    "ApplicationNumber",
    "ExamsOpen",
    "IllegalTransition",
    "Status",
    "StatusChange",
    "allowed_targets",
    "check_exams",
    "format_application_number",
    "is_final",
    "parse_application_number",
    "requires_comment",
    "staff_action_target",
    "transition",
]


class Status(StrEnum):
    ACCEPTED = "accepted"  # «Принято»: submitted and signed
    IN_REVIEW = "in_review"  # «В проверке»
    NEEDS_DOCUMENTS = "needs_documents"  # «Нужны документы»
    APPROVED = "approved"  # «Одобрено»
    ISSUED = "issued"  # «ЭМК выдана»
    REJECTED = "rejected"  # «Отклонено»


class Actor(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    SYSTEM = "system"


_S, _A = Status, Actor

TRANSITIONS: Final[Mapping[tuple[Status, Status], frozenset[Actor]]] = MappingProxyType(
    {
        (_S.ACCEPTED, _S.IN_REVIEW): frozenset({_A.STAFF}),
        (_S.ACCEPTED, _S.REJECTED): frozenset({_A.STAFF}),
        (_S.IN_REVIEW, _S.NEEDS_DOCUMENTS): frozenset({_A.STAFF}),
        (_S.IN_REVIEW, _S.APPROVED): frozenset({_A.STAFF}),
        (_S.IN_REVIEW, _S.REJECTED): frozenset({_A.STAFF}),
        (_S.NEEDS_DOCUMENTS, _S.IN_REVIEW): frozenset({_A.CITIZEN, _A.STAFF}),
        (_S.APPROVED, _S.ISSUED): frozenset({_A.STAFF, _A.SYSTEM}),
    }
)
"""(from, to) → the actors allowed to make that change. Anything not listed is illegal."""

del _S, _A

INITIAL_STATUS: Final = Status.ACCEPTED
FINAL_STATUSES: Final[frozenset[Status]] = frozenset(
    status for status in Status if not any(source is status for source, _ in TRANSITIONS)
)
# Statuses in which the organisation must act: only these count for the "taking longer than usual" nudge. An
# approved application waits for the book, one asking for documents waits for the citizen.
AWAITING_ORGANISATION: Final[frozenset[Status]] = frozenset({Status.ACCEPTED, Status.IN_REVIEW})
_NEEDS_COMMENT: Final[frozenset[Status]] = frozenset({Status.REJECTED, Status.NEEDS_DOCUMENTS})
MAX_COMMENT_LENGTH: Final = 2000

STAFF_ACTIONS: Final[Mapping[Status, str]] = MappingProxyType(
    {
        Status.IN_REVIEW: "take",
        Status.APPROVED: "approve",
        Status.REJECTED: "reject",
        Status.NEEDS_DOCUMENTS: "request",
        Status.ISSUED: "issue",
    }
)
"""The name of the staff action that moves an application to each status: the button (`btn-staff-<name>`),
the callback and the audit row (`staff.<name>`). A status staff reach without a button has no entry."""


def staff_action_target(action: str) -> Status | None:
    """The status a staff action name leads to, None for a name that is not a status change."""
    return next((status for status, name in STAFF_ACTIONS.items() if name == action), None)


class IllegalTransition(ValueError):
    """A status change that the machine does not allow (for this actor, or at all)."""

    def __init__(self, current: Status | None, target: Status, actor: Actor) -> None:
        self.current = current
        self.target = target
        self.actor = actor
        if current is None:
            reason = "an application can only start as accepted, submitted by the citizen"
        elif (current, target) in TRANSITIONS:
            allowed = ", ".join(sorted(TRANSITIONS[current, target]))
            reason = f"only {allowed} may do that"
        elif current in FINAL_STATUSES:
            reason = f"{current} is final"
        else:
            reason = "no such transition"
        super().__init__(f"{actor} cannot move an application from {current} to {target}: {reason}")


def transition(current: Status, target: Status, actor: Actor) -> Status:
    """Return ``target`` if ``actor`` may move an application from ``current`` to it, else raise."""
    current, target, actor = Status(current), Status(target), Actor(actor)
    if actor not in TRANSITIONS.get((current, target), frozenset()):
        raise IllegalTransition(current, target, actor)
    return target


class ExamsOpen(ValueError):
    """Approval waits until staff confirmed every required exam item (PRODUCT.md «Exams»)."""

    def __init__(self, open_items: tuple[str, ...]) -> None:
        self.open_items = open_items
        super().__init__(f"cannot approve: exam items not confirmed yet: {', '.join(open_items)}")


def check_exams(target: Status, open_items: Collection[str]) -> None:
    """The guard of «Одобрено»: raise :class:`ExamsOpen` while required exam items are still open."""
    if Status(target) is Status.APPROVED and open_items:
        raise ExamsOpen(tuple(open_items))


def allowed_targets(current: Status, actor: Actor) -> tuple[Status, ...]:
    """The statuses ``actor`` may move an application to from ``current``, in declaration order."""
    current, actor = Status(current), Actor(actor)
    return tuple(target for target in Status if actor in TRANSITIONS.get((current, target), frozenset()))


def requires_comment(target: Status) -> bool:
    """A rejection and a request for documents must say why (the holder is shown the reason)."""
    return Status(target) in _NEEDS_COMMENT


def is_final(status: Status) -> bool:
    return Status(status) in FINAL_STATUSES


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One stored step of an application's history.

    ``from_status`` is None only for the first record: the citizen's submission, which creates the
    application as :data:`INITIAL_STATUS`. ``actor_id`` is the Telegram id of the citizen or staff member and
    None for the system. ``comment`` is stripped; it is required where :func:`requires_comment` says so.
    """

    from_status: Status | None
    to_status: Status
    actor: Actor
    actor_id: int | None
    comment: str | None
    at: datetime

    def __post_init__(self) -> None:
        from_status = None if self.from_status is None else Status(self.from_status)
        to_status, actor = Status(self.to_status), Actor(self.actor)
        if from_status is None:
            if to_status is not INITIAL_STATUS or actor is not Actor.CITIZEN:
                raise IllegalTransition(None, to_status, actor)
        else:
            transition(from_status, to_status, actor)
        if actor is Actor.SYSTEM:
            if self.actor_id is not None:
                raise ValueError("a system status change has no actor_id")
        elif not isinstance(self.actor_id, int) or isinstance(self.actor_id, bool) or self.actor_id <= 0:
            raise ValueError(f"a status change by {actor} needs the actor's Telegram id (a positive int)")
        comment = self.comment.strip() if isinstance(self.comment, str) else self.comment
        if comment is not None and not isinstance(comment, str):
            raise TypeError("comment must be a str or None")
        if not comment:
            comment = None
            if requires_comment(to_status):
                raise ValueError(f"a change to {to_status} needs a comment giving the reason")
        elif len(comment) > MAX_COMMENT_LENGTH:
            raise ValueError(f"a comment is at most {MAX_COMMENT_LENGTH} characters (got {len(comment)})")
        if not isinstance(self.at, datetime):
            raise TypeError("at must be a datetime")
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("at must be timezone-aware")
        object.__setattr__(self, "from_status", from_status)
        object.__setattr__(self, "to_status", to_status)
        object.__setattr__(self, "actor", actor)
        object.__setattr__(self, "comment", comment)

    @classmethod
    def submitted(cls, citizen_id: int, at: datetime) -> StatusChange:
        """The first record of an application: the citizen signed and sent it."""
        return cls(None, INITIAL_STATUS, Actor.CITIZEN, citizen_id, None, at)


# --- application numbers: ЭМК-2026-000123 -----------------------------------------------------------------

_PREFIX: Final = "ЭМК"
_SEQ_DIGITS: Final = 6
_LOOKALIKES: Final = str.maketrans({"M": "М", "K": "К"})  # Latin → Cyrillic
_NUMBER: Final = re.compile(r"(?:№\s*)?ЭМК\s*[-‐‑‒–—−\s]\s*([0-9]{4})\s*[-‐‑‒–—−\s]\s*([0-9]{1,6})")


class ApplicationNumber(NamedTuple):
    year: int
    seq: int

    def __str__(self) -> str:
        return format_application_number(self.year, self.seq)


def format_application_number(year: int, seq: int) -> str:
    """``format_application_number(2026, 123) == "ЭМК-2026-000123"``."""
    for name, value in (("year", year), ("seq", seq)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int")
    if not 2000 <= year <= 9999:
        raise ValueError(f"year must be between 2000 and 9999 (got {year})")
    if not 1 <= seq < 10**_SEQ_DIGITS:
        raise ValueError(f"seq must be between 1 and {10**_SEQ_DIGITS - 1} (got {seq})")
    return f"{_PREFIX}-{year:04d}-{seq:0{_SEQ_DIGITS}d}"


def parse_application_number(text: str) -> ApplicationNumber:
    """Read a number as a person may type it back: any case, spaces or dashes, «№», short sequence part.

    Raises ValueError if ``text`` is not an application number.
    """
    normalised = text.strip().upper().translate(_LOOKALIKES)
    found = _NUMBER.fullmatch(normalised)
    if not found:
        raise ValueError("not an application number (expected like ЭМК-2026-000123)")
    year, seq = int(found.group(1)), int(found.group(2))
    try:
        format_application_number(year, seq)
    except ValueError:
        raise ValueError("not an application number (expected like ЭМК-2026-000123)") from None
    return ApplicationNumber(year, seq)
