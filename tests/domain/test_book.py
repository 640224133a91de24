"""The book's rules: canonical form, validity, numbers, and the signature checked with `cryptography` alone."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from domain.book import (
    Book,
    CheckOutcome,
    Entry,
    EntryFilter,
    EntryGroup,
    book_canonical,
    check_book,
    entries_filtered,
    entry_institutions,
    format_book_number,
    parse_book_number,
    parse_elmk_number,
    sign_canonical,
    surname_initials,
)
from tests.domain.book_samples import adult_book, child_book

PRIVATE = Ed25519PrivateKey.generate()
RAW_PRIVATE = PRIVATE.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
RAW_PUBLIC = PRIVATE.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_canonical_form_is_documented_json() -> None:
    book = adult_book()
    raw = book_canonical(book)
    data = json.loads(raw)
    assert raw == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert "Иванова".encode() in raw and b"\\u" not in raw
    assert data["issued_on"] == "2026-03-03" and data["entries"][0]["confirmed_at"] == "2026-03-02T09:00:00Z"
    assert data["format"] == "emk-book/1"
    assert Book.from_content(data) == book
    assert book_canonical(Book.from_content(json.loads(raw))) == raw


def _verify_alone(canonical: bytes, signature: bytes, public_pem: bytes) -> bool:
    """Only `cryptography`: nothing of the project's signing code."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(public_pem)
    assert isinstance(key, Ed25519PublicKey)
    try:
        key.verify(signature, canonical)
    except InvalidSignature:
        return False
    return True


def _changed_books(book: Book) -> list[Book]:
    """The book with one field changed at a time: every top-level field and every field of an entry."""
    changed = []
    for f in dataclasses.fields(book):
        value = getattr(book, f.name)
        if f.name == "entries":
            for i, entry in enumerate(value):
                for ef in dataclasses.fields(entry):
                    other = _other(getattr(entry, ef.name))
                    entries = list(value)
                    entries[i] = dataclasses.replace(entry, **{ef.name: other})
                    changed.append(dataclasses.replace(book, entries=tuple(entries)))
            changed.append(dataclasses.replace(book, entries=value[:-1]))
        else:
            changed.append(dataclasses.replace(book, **{f.name: _other(value)}))
    return changed


def _other(value: object) -> object:
    from datetime import datetime, timedelta

    from domain.book import BookStatus, EntryKind

    if isinstance(value, BookStatus):
        return BookStatus.REVOKED if value is BookStatus.VALID else BookStatus.VALID
    if isinstance(value, EntryKind):
        return EntryKind.VACCINATION if value is not EntryKind.VACCINATION else EntryKind.DOCTOR
    if isinstance(value, datetime | date):
        return value + timedelta(days=1)
    if isinstance(value, tuple):
        return (*value, "x")
    if value is None:
        return "x"
    if value == "confirmed":
        return "holder_reported"
    if value == "holder_reported":
        return "confirmed"
    assert isinstance(value, str)
    return value + "1"


def test_signature_verifies_with_the_public_key_alone_and_breaks_on_any_change() -> None:
    book = adult_book()
    signature = sign_canonical(book_canonical(book), RAW_PRIVATE)
    pem = PRIVATE.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    assert _verify_alone(book_canonical(book), signature, pem)
    changed = _changed_books(book)
    assert len(changed) > 30
    for other in changed:
        assert other != book
        assert not _verify_alone(book_canonical(other), signature, pem), other


def test_check_reports_valid_revoked_not_found_and_forged() -> None:
    today = date(2026, 6, 1)
    book = adult_book()
    canonical = book_canonical(book)
    good = check_book(canonical, sign_canonical(canonical, RAW_PRIVATE), RAW_PUBLIC, today)
    assert good.outcome is CheckOutcome.VALID and good.complete and good.valid_until == date(2027, 2, 10)

    revoked = book.revoked("ошибка в данных", today)
    rc = book_canonical(revoked)
    result = check_book(rc, sign_canonical(rc, RAW_PRIVATE), RAW_PUBLIC, today)
    assert result.outcome is CheckOutcome.REVOKED and not result.complete
    assert result.book is not None and result.book.revoked_reason == "ошибка в данных"

    assert check_book(None, None, RAW_PUBLIC, today).outcome is CheckOutcome.NOT_FOUND
    forged = book_canonical(dataclasses.replace(book, surname="Петрова"))
    assert check_book(forged, sign_canonical(canonical, RAW_PRIVATE), RAW_PUBLIC, today).outcome is (
        CheckOutcome.BAD_SIGNATURE)
    other_key = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    assert check_book(canonical, sign_canonical(canonical, other_key), RAW_PUBLIC, today).outcome is (
        CheckOutcome.BAD_SIGNATURE)


def test_valid_until_missing_and_expired() -> None:
    book = adult_book()
    assert book.valid_until() == date(2027, 2, 10)  # the attestation runs out first
    assert book.missing() == ()
    assert book.expired_on(date(2027, 2, 10)) == ()  # valid through its last day
    assert book.expired_on(date(2027, 2, 11)) == ("attestation",)
    assert set(book.expired_on(date(2027, 3, 2))) == {"therapist", "syphilis", "attestation"}
    # a newer entry of the same item counts, not the older one
    newer = dataclasses.replace(book.entries[2], done_on=date(2027, 2, 1), valid_until=date(2028, 2, 1))
    renewed = dataclasses.replace(book, entries=(*book.entries, newer))
    assert renewed.valid_until() == date(2027, 3, 1) and renewed.expired_on(date(2027, 2, 11)) == ()
    child = child_book()
    assert child.missing() == ("attestation",) and child.valid_until() == date(2027, 4, 1)
    reported = dataclasses.replace(book, required=(*book.required, "measles"))
    assert reported.holder_reported() == ("measles",) and reported.valid_until() == date(2027, 2, 10)
    assert adult_book(required=()).valid_until() is None


def test_numbers() -> None:
    assert format_book_number(2026, 123) == "К-2026-000123"
    for typed in ("К-2026-000123", "к 2026 123", "№ K-2026-000123", "k–2026–000123"):
        assert parse_book_number(typed) == "К-2026-000123", typed
    for wrong in ("ЭМК-2026-000123", "К-26-000123", "К-2026-0000123", "", "К-1999-000001", "К-2026-000000"):
        assert parse_book_number(wrong) is None, wrong
    for typed in ("86-01-027970-25", "86 01 027970 25", "860102797025", "№ 86-01-027970-25"):
        assert parse_elmk_number(typed) == "86-01-027970-25", typed
    for wrong in ("86-01-02797-25", "86-01-027970-255", "8б-01-027970-25", ""):
        assert parse_elmk_number(wrong) is None, wrong


def test_initials() -> None:
    assert surname_initials("Иванова", "Анна", "Петровна") == "Иванова А. П."
    assert surname_initials("Иванов", "Пётр", None) == "Иванов П."


def test_entry_round_trip_without_optional_fields() -> None:
    entry = Entry("x", adult_book().entries[0].kind, date(2026, 1, 1), "ok", "clinic")
    assert Entry.from_content(json.loads(json.dumps(entry.content(), default=str))) == entry


@pytest.mark.parametrize("fmt", ["emk-book/2", None])
def test_unknown_format_is_refused(fmt: str | None) -> None:
    data = json.loads(book_canonical(adult_book()))
    data["format"] = fmt
    with pytest.raises(ValueError):
        Book.from_content(data)


def test_check_id_from_a_qr_url() -> None:
    from domain.qr import check_id_from_url

    base = "https://emk.example.org"
    good = "A" * 22
    assert check_id_from_url(f"{base}/b/{good}", base) == good
    assert check_id_from_url(f"{base}/b/{good}?lang=en", base + "/") == good
    assert check_id_from_url(f"https://evil.example/b/{good}", base) is None
    assert check_id_from_url(f"{base}.evil.example/b/{good}", base) is None
    assert check_id_from_url(f"{base}/s/{good}", base) is None
    assert check_id_from_url(f"{base}/b/short", base) is None


def test_entries_filtered_by_period_type_and_institution() -> None:
    book = adult_book()
    today = date(2027, 3, 1)
    codes = [e.code for e in entries_filtered(book.entries, EntryFilter(), today)]
    assert codes == ["syphilis", "therapist", "attestation", "measles"]  # newest first, a day's by code
    # The last 12 months: done after the same day a year ago (01.03.2026 is exactly a year before: out).
    assert [e.code for e in entries_filtered(book.entries, EntryFilter(recent=True), today)] == []
    assert [e.code for e in entries_filtered(book.entries, EntryFilter(recent=True), date(2027, 2, 28))] == [
        "syphilis", "therapist"]
    exams = entries_filtered(book.entries, EntryFilter(group=EntryGroup.EXAMS), today)
    assert [e.code for e in exams] == ["syphilis", "therapist"]
    assert [e.code for e in entries_filtered(book.entries, EntryFilter(group=EntryGroup.VACCINATIONS), today)] == [
        "measles"]
    places = entry_institutions(book.entries)
    assert places == ["ГП № 5", "Лаборатория «Здоровье»", "ЦГиЭ"]
    assert [e.code for e in entries_filtered(book.entries, EntryFilter(institution=1), today)] == [
        "therapist", "measles"]
    assert entries_filtered(book.entries, EntryFilter(institution=4), today) == []  # out of range: none
    assert [e.code for e in entries_filtered(book.entries, EntryFilter(group=EntryGroup.EXAMS, institution=1),
                                             today)] == ["therapist"]


def test_a_superseded_book_verifies_as_superseded_and_other_books_keep_their_bytes() -> None:
    today = date(2027, 1, 10)
    book = adult_book()
    assert b"superseded_by" not in book_canonical(book)  # books signed before renewal existed verify as before
    old = book.superseded("К-2027-000001", today)
    canonical = book_canonical(old)
    result = check_book(canonical, sign_canonical(canonical, RAW_PRIVATE), RAW_PUBLIC, today)
    assert result.outcome is CheckOutcome.SUPERSEDED and not result.complete
    assert result.book is not None and result.book.superseded_by == "К-2027-000001"
    assert result.book.revoked_on == today and result.book.revoked_reason is None
    assert Book.from_content(json.loads(canonical)) == old
