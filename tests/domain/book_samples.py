"""Sample books for tests: an adult's with the required entries, a child's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.book import Book, Entry, EntryKind


def adult_book(**changes: object) -> Book:
    entries = (
        Entry("therapist", EntryKind.DOCTOR, date(2026, 3, 1), "годен", "ГП № 5", date(2027, 3, 1),
              title_key="exam-therapist", confirmed_by="Петрова О. И.",
              confirmed_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
        Entry("syphilis", EntryKind.TEST, date(2026, 3, 1), "отрицательно", "Лаборатория «Здоровье»",
              date(2027, 3, 1), title="Сифилис (RW)", confirmed_by="Петрова О. И.",
              confirmed_at=datetime(2026, 3, 2, 9, 5, tzinfo=UTC)),
        Entry("attestation", EntryKind.ATTESTATION, date(2026, 2, 10), "сдана", "ЦГиЭ",
              date(2027, 2, 10), title_key="exam-hygiene-attestation", confirmed_by="Петрова О. И.",
              confirmed_at=datetime(2026, 3, 2, 9, 6, tzinfo=UTC)),
        Entry("measles", EntryKind.VACCINATION, date(2019, 5, 4), "V2", "ГП № 5", None,
              title="Корь", source="holder_reported"),
    )
    values: dict[str, object] = dict(
        number="К-2026-000001", check_id="c" * 32, surname="Иванова", name="Анна", patronymic="Петровна",
        birth_date=date(1990, 2, 1), photo_sha256="ab" * 32, issued_on=date(2026, 3, 3),
        issuer="ООО «Медкнижка»", entries=entries, required=("therapist", "syphilis", "attestation"),
        operator="Петрова О. И.",
    )
    values.update(changes)
    return Book(**values)  # type: ignore[arg-type]


def child_book() -> Book:
    return adult_book(
        number="К-2026-000002", check_id="d" * 32, surname="Иванов", name="Пётр", patronymic=None,
        birth_date=date(2010, 6, 1),
        entries=(Entry("therapist", EntryKind.DOCTOR, date(2026, 4, 1), "годен", "ДП № 1", date(2027, 4, 1),
                       title_key="exam-therapist"),),
        required=("therapist", "attestation"),
    )
