"""The book (ЭМК): what it holds, its canonical form, its signature, and what a check of it says.

The book is the operator's record of a person's exams, attestation and vaccinations. It is signed with the
operator's Ed25519 key over its *canonical form*:

* ``book_canonical(book)`` is :func:`domain.signature.canonical_json` of :meth:`Book.content`: UTF-8 JSON,
  keys sorted by code point, no insignificant whitespace (``separators=(",", ":")``), non-ASCII kept as is
  (``ensure_ascii=False``), dates as ISO 8601 (``2026-03-01``), instants as UTC (``2026-03-01T07:00:00Z``);
  the same bytes as ``json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` once
  dates are written as those strings.
* The content carries ``"format": "emk-book/1"``; a later layout gets another value, so old signatures stay
  meaningful.
* The status (``valid`` / ``revoked`` / ``superseded``) and the revocation reason are part of the signed
  content: revoking re-signs the book, so a revoked book verifies *as revoked*; a renewal's new book re-signs
  the old one as ``superseded`` with the new book's number (``superseded_by``, present only then, so the
  canonical form of every other book is unchanged). The database's current row is the truth a
  check reports; an older copy of the signed JSON still verifies but is superseded.
* The check id (the random part of the check page's URL) is signed too, so a QR cannot be moved to
  another book.

Book numbers look like ``К-2026-000123`` (Cyrillic К for «книжка», the year of issue, a 6-digit sequence
within the year), distinct from application numbers (``ЭМК-2026-000123``). An official ЭЛМК's number, which
a holder may add, looks like ``86-01-027970-25`` (12 digits, 2-2-6-2).

«Действует до» of a book is the nearest date on which a *required* entry runs out (for each required item,
its latest entry counts); entries without a term do not limit it. A required item with no entry makes the
book incomplete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.policy import ExamKind
from domain.signature import canonical_json

__all__ = [
    "BOOK_FORMAT",
    "Book",
    "BookCheck",
    "BookStatus",
    "CheckOutcome",
    "Entry",
    "EntryFilter",
    "EntryGroup",
    "EntryKind",
    "book_canonical",
    "check_book",
    "entries_filtered",
    "entry_institutions",
    "format_book_number",
    "parse_book_number",
    "parse_elmk_number",
    "public_key_of",
    "public_key_pem",
    "sign_canonical",
    "surname_initials",
    "verify_canonical",
]

BOOK_FORMAT: Final = "emk-book/1"


EntryKind = ExamKind  # an entry is of one of the policy's item kinds: doctor, test, attestation, vaccination


class BookStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # a renewal issued a new book in its place


Source = Literal["confirmed", "holder_reported"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One record: an exam, a test, the attestation or a vaccination.

    ``title_key`` names the item in the locales (``book-item-<code>``-style keys chosen by the caller);
    ``title`` is free text when there is no key (an item the policy does not know). ``result`` is as
    recorded («годен», «отрицательно», a vaccine's series...).
    """

    code: str
    kind: EntryKind
    done_on: date
    result: str
    institution: str
    valid_until: date | None = None
    title_key: str | None = None
    title: str | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    source: Source = "confirmed"

    def content(self) -> dict[str, Any]:
        return {
            "code": self.code, "kind": self.kind, "done_on": self.done_on, "result": self.result,
            "institution": self.institution, "valid_until": self.valid_until, "title_key": self.title_key,
            "title": self.title, "confirmed_by": self.confirmed_by, "confirmed_at": self.confirmed_at,
            "source": self.source,
        }

    @classmethod
    def from_content(cls, data: dict[str, Any]) -> Entry:
        return cls(
            code=data["code"], kind=EntryKind(data["kind"]), done_on=date.fromisoformat(data["done_on"]),
            result=data["result"], institution=data["institution"],
            valid_until=_date_or_none(data.get("valid_until")), title_key=data.get("title_key"),
            title=data.get("title"), confirmed_by=data.get("confirmed_by"),
            confirmed_at=_instant_or_none(data.get("confirmed_at")), source=data.get("source", "confirmed"),
        )


@dataclass(frozen=True, slots=True)
class Book:
    number: str
    check_id: str
    surname: str
    name: str
    patronymic: str | None
    birth_date: date
    photo_sha256: str | None
    issued_on: date
    issuer: str
    entries: tuple[Entry, ...] = ()
    required: tuple[str, ...] = ()  # item codes the policy requires for this holder's work
    operator: str | None = None  # who issued it (staff name), when known
    status: BookStatus = BookStatus.VALID
    revoked_reason: str | None = None
    revoked_on: date | None = None
    superseded_by: str | None = None  # the new book's number, when a renewal replaced this one

    def content(self) -> dict[str, Any]:
        """Everything that is signed, as plain JSON-able values (see the module documentation)."""
        content: dict[str, Any] = {
            "format": BOOK_FORMAT, "number": self.number, "check_id": self.check_id,
            "holder": {"surname": self.surname, "name": self.name, "patronymic": self.patronymic,
                       "birth_date": self.birth_date, "photo_sha256": self.photo_sha256},
            "issued_on": self.issued_on, "issuer": self.issuer, "operator": self.operator,
            "entries": [e.content() for e in self.entries], "required": list(self.required),
            "status": self.status, "revoked_reason": self.revoked_reason, "revoked_on": self.revoked_on,
        }
        if self.superseded_by is not None:  # only then: older books keep their exact canonical bytes
            content["superseded_by"] = self.superseded_by
        return content

    @classmethod
    def from_content(cls, data: dict[str, Any]) -> Book:
        if data.get("format") != BOOK_FORMAT:
            raise ValueError(f"unknown book format {data.get('format')!r}")
        holder = data["holder"]
        return cls(
            number=data["number"], check_id=data["check_id"], surname=holder["surname"], name=holder["name"],
            patronymic=holder.get("patronymic"), birth_date=date.fromisoformat(holder["birth_date"]),
            photo_sha256=holder.get("photo_sha256"), issued_on=date.fromisoformat(data["issued_on"]),
            issuer=data["issuer"], operator=data.get("operator"),
            entries=tuple(Entry.from_content(e) for e in data["entries"]), required=tuple(data["required"]),
            status=BookStatus(data["status"]), revoked_reason=data.get("revoked_reason"),
            revoked_on=_date_or_none(data.get("revoked_on")), superseded_by=data.get("superseded_by"),
        )

    def revoked(self, reason: str, on: date) -> Book:
        return replace(self, status=BookStatus.REVOKED, revoked_reason=reason, revoked_on=on)

    def superseded(self, by_number: str, on: date) -> Book:
        """Replaced by the renewal's new book ``by_number`` on ``on``: no longer valid, and says by what."""
        return replace(self, status=BookStatus.SUPERSEDED, superseded_by=by_number, revoked_on=on)

    # --- what the book says about validity -----------------------------------------------------------------

    def latest_required(self) -> dict[str, Entry]:
        """For each required item that has entries, the one that runs out last (no term beats any term)."""
        best: dict[str, Entry] = {}
        wanted = set(self.required)
        for entry in self.entries:
            if entry.code not in wanted:
                continue
            current = best.get(entry.code)
            if current is None or _later(entry, current):
                best[entry.code] = entry
        return best

    def valid_until(self) -> date | None:
        """«Действует до»: the nearest date a required entry runs out; None when none of them has a term."""
        terms = [e.valid_until for e in self.latest_required().values() if e.valid_until is not None]
        return min(terms) if terms else None

    def missing(self) -> tuple[str, ...]:
        """Required item codes with no entry at all, in the policy's order."""
        have = self.latest_required()
        return tuple(code for code in self.required if code not in have)

    def expired_on(self, day: date) -> tuple[str, ...]:
        """Required item codes whose latest entry has run out by ``day`` (valid through its last day)."""
        have = self.latest_required()
        return tuple(
            code for code in self.required
            if code in have and have[code].valid_until is not None and have[code].valid_until < day  # type: ignore[operator]
        )

    def holder_reported(self) -> tuple[str, ...]:
        """Required item codes whose latest entry is only the holder's word, not yet confirmed by staff."""
        have = self.latest_required()
        return tuple(code for code in self.required if code in have and have[code].source == "holder_reported")


def _later(a: Entry, b: Entry) -> bool:
    if a.valid_until is None or b.valid_until is None:
        return (a.valid_until is None and b.valid_until is not None) or (
            a.valid_until == b.valid_until and a.done_on > b.done_on)
    return (a.valid_until, a.done_on) > (b.valid_until, b.done_on)


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _instant_or_none(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def book_canonical(book: Book) -> bytes:
    """The exact bytes that are signed (see the module documentation)."""
    return canonical_json(book.content())


def surname_initials(surname: str, name: str, patronymic: str | None) -> str:
    """«Иванова А. П.»: enough to recognise a person next to the photo, not their full name."""
    initials = " ".join(f"{part.strip()[0]}." for part in (name, patronymic or "") if part.strip())
    return f"{surname} {initials}".strip()


# --- the signature: Ed25519 over the canonical bytes ------------------------------------------------------


def sign_canonical(canonical: bytes, private_key: bytes) -> bytes:
    """The 64-byte Ed25519 signature of ``canonical`` with a raw 32-byte private key."""
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(canonical)


def verify_canonical(canonical: bytes, signature: bytes, public_key: bytes) -> bool:
    """Whether ``signature`` is the operator's signature of exactly ``canonical`` (raw 32-byte public key)."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, canonical)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_of(private_key: bytes) -> bytes:
    """The raw 32-byte public key of a raw private key."""
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_pem(public_key: bytes) -> str:
    """A raw public key as SubjectPublicKeyInfo PEM: what the web server publishes and the command prints."""
    key = Ed25519PublicKey.from_public_bytes(public_key)
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


# --- a check: what «Проверить» and the check page say ------------------------------------------------------


class CheckOutcome(StrEnum):
    VALID = "valid"  # the signature is right and the book is not revoked
    REVOKED = "revoked"  # the signature is right and the book says it is revoked
    SUPERSEDED = "superseded"  # the signature is right and the book says a renewal replaced it
    NOT_FOUND = "not_found"  # no such book
    BAD_SIGNATURE = "bad_signature"  # the stored book does not match its signature: never trust it


@dataclass(frozen=True, slots=True)
class BookCheck:
    outcome: CheckOutcome
    book: Book | None = None
    valid_until: date | None = None
    missing: tuple[str, ...] = ()
    expired: tuple[str, ...] = ()
    holder_reported: tuple[str, ...] = ()
    required: dict[str, Entry] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every required item has an entry that has not run out."""
        return self.outcome is CheckOutcome.VALID and not self.missing and not self.expired


def check_book(canonical: bytes | None, signature: bytes | None, public_key: bytes, today: date) -> BookCheck:
    """Verify a stored book and say what it means on ``today``."""
    if canonical is None or signature is None:
        return BookCheck(CheckOutcome.NOT_FOUND)
    if not verify_canonical(canonical, signature, public_key):
        return BookCheck(CheckOutcome.BAD_SIGNATURE)
    book = Book.from_content(json.loads(canonical.decode("utf-8")))
    outcome = {BookStatus.VALID: CheckOutcome.VALID, BookStatus.REVOKED: CheckOutcome.REVOKED,
               BookStatus.SUPERSEDED: CheckOutcome.SUPERSEDED}[book.status]
    return BookCheck(
        outcome, book, valid_until=book.valid_until(), missing=book.missing(), expired=book.expired_on(today),
        holder_reported=book.holder_reported(), required=book.latest_required(),
    )


# --- numbers ------------------------------------------------------------------------------------------------

_BOOK_PREFIX: Final = "К"
_SEQ_DIGITS: Final = 6
_LOOKALIKES: Final = str.maketrans({"K": "К"})  # Latin → Cyrillic
_DASHES: Final = "-‐‑‒–—−"
_BOOK_NUMBER: Final = re.compile(rf"(?:№\s*)?К\s*[{_DASHES}\s]\s*([0-9]{{4}})\s*[{_DASHES}\s]\s*([0-9]{{1,6}})")
_ELMK: Final = re.compile(r"[0-9]{12}")


def format_book_number(year: int, seq: int) -> str:
    """``format_book_number(2026, 123) == "К-2026-000123"``."""
    if not 2000 <= year <= 9999 or not 1 <= seq < 10**_SEQ_DIGITS:
        raise ValueError("year must be 2000..9999 and seq 1..999999")
    return f"{_BOOK_PREFIX}-{year:04d}-{seq:0{_SEQ_DIGITS}d}"


def parse_book_number(text: str) -> str | None:
    """A book number as a person may type it (any case, spaces, dashes, «№», Latin K), canonical; or None."""
    found = _BOOK_NUMBER.fullmatch(text.strip().upper().translate(_LOOKALIKES))
    if not found:
        return None
    year, seq = int(found.group(1)), int(found.group(2))
    try:
        return format_book_number(year, seq)
    except ValueError:
        return None


def parse_elmk_number(text: str) -> str | None:
    """An official ЭЛМК number («86-01-027970-25»: 12 digits, 2-2-6-2) in that form, or None.

    Spaces, dashes and «№» are ignored, so «86 01 027970 25» and «860102797025» are accepted.
    """
    digits = "".join(ch for ch in text.strip().removeprefix("№") if ch not in _DASHES and not ch.isspace())
    if not _ELMK.fullmatch(digits):
        return None
    return f"{digits[:2]}-{digits[2:4]}-{digits[4:10]}-{digits[10:]}"


def entries_sorted(entries: Iterable[Entry]) -> list[Entry]:
    """Entries in the order a book lists them: by date, then code."""
    return sorted(entries, key=lambda e: (e.done_on, e.code))


# --- the entry list's filters («Моя ЭМК» → «Записи») ------------------------------------------------------------


class EntryGroup(StrEnum):
    """The types a holder filters by: exams (doctors and tests), the attestation, vaccinations."""

    EXAMS = "exams"
    ATTESTATION = "attestation"
    VACCINATIONS = "vaccinations"


GROUP_KINDS: Final[dict[EntryGroup, frozenset[EntryKind]]] = {
    EntryGroup.EXAMS: frozenset({EntryKind.DOCTOR, EntryKind.TEST}),
    EntryGroup.ATTESTATION: frozenset({EntryKind.ATTESTATION}),
    EntryGroup.VACCINATIONS: frozenset({EntryKind.VACCINATION}),
}
PERIOD_MONTHS: Final = 12  # «за 12 месяцев»


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """``recent``: only entries done within the last 12 months; ``group``: one type; ``institution``: the
    position (from 1) in :func:`entry_institutions` of the book, 0 for any."""

    recent: bool = False
    group: EntryGroup | None = None
    institution: int = 0


def entry_institutions(entries: Iterable[Entry]) -> list[str]:
    """The institutions a book's entries name, sorted, each once: what the institution filter offers."""
    return sorted({e.institution for e in entries if e.institution})


def entries_filtered(entries: Iterable[Entry], chosen: EntryFilter, today: date) -> list[Entry]:
    """The entries the filter lets through, newest first. An institution position out of range lets none."""
    every = list(entries)
    institutions = entry_institutions(every)
    if chosen.institution > len(institutions):
        return []
    since = _months_before(today, PERIOD_MONTHS) if chosen.recent else None
    kinds = GROUP_KINDS[chosen.group] if chosen.group is not None else None
    place = institutions[chosen.institution - 1] if chosen.institution else None
    kept = [e for e in every
            if (since is None or e.done_on > since) and (kinds is None or e.kind in kinds)
            and (place is None or e.institution == place)]
    return sorted(kept, key=lambda e: (-e.done_on.toordinal(), e.code))


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - date(year, month, 1)).days
    return date(year, month, min(day.day, last))
