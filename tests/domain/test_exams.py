"""The exam checklist: per category, sex, age, hiring or periodic; date checks; valid-until; progress."""

from __future__ import annotations

from datetime import date

from domain.exams import (
    DateProblem,
    ExamState,
    Subject,
    add_months,
    check_date,
    checklist,
    open_required,
    progress,
    valid_until,
)
from domain.policy import ExamCode as E
from domain.status import ExamsOpen, Status, check_exams
from tests.domain.test_policy import make

TODAY = date(2026, 12, 6)


def codes(category: str, *, female: bool = False, born: date = date(1990, 2, 1), hiring: bool = True,
          data: dict | None = None) -> list[E]:
    return [i.code for i in checklist(make(data), Subject(category, female, born, hiring), TODAY)]


def test_a_food_worker_and_a_teacher_get_different_checklists() -> None:
    food, teacher = codes("food"), codes("children")
    assert food != teacher
    assert E.STAPH_SWAB in food and E.STAPH_SWAB not in teacher  # 29н п. 23 only
    assert E.GONORRHEA in teacher and E.GONORRHEA not in food  # 29н п. 25 at hiring
    assert E.VACCINATION_DYSENTERY_SONNE in food and E.VACCINATION_DYSENTERY_SONNE not in teacher
    for both in (food, teacher):
        assert both[:3] == [E.THERAPIST, E.PSYCHIATRIST, E.NARCOLOGIST]  # the general block first
        assert E.HYGIENE_ATTESTATION in both and E.SYPHILIS in both


def test_hiring_and_periodic_ask_for_different_items() -> None:
    hiring, periodic = codes("food", hiring=True), codes("food", hiring=False)
    assert set(hiring) - set(periodic) == {E.INTESTINAL_INFECTIONS, E.STAPH_SWAB}
    assert set(periodic) < set(hiring)
    items = {i.code: i for i in checklist(make(), Subject("food", False, None, True), TODAY)}
    assert items[E.STAPH_SWAB].at_hiring_only and not items[E.SYPHILIS].at_hiring_only


def test_women_only_and_after_40() -> None:
    young_man = codes("water", born=date(1990, 1, 1))
    young_woman = codes("water", female=True, born=date(1990, 1, 1))
    woman_40 = codes("water", female=True, born=date(1986, 12, 6))  # 40 today
    woman_39 = codes("water", female=True, born=date(1986, 12, 7))  # 40 tomorrow
    assert E.GYNECOLOGIST not in young_man and E.GYNECOLOGIST in young_woman
    assert E.MAMMOGRAPHY not in young_woman and E.EYE_PRESSURE not in young_woman
    assert {E.MAMMOGRAPHY, E.EYE_PRESSURE} <= set(woman_40)
    assert E.MAMMOGRAPHY not in woman_39


def test_changing_the_policy_changes_the_checklist() -> None:
    before = codes("water")
    after = codes("water", data={"categories": {"water": {"exams": ["dentist"], "exams_at_hiring": ["staph_swab"]}},
                                 "exams": {"general": ["therapist"]}})
    assert before != after
    assert after == [E.THERAPIST, E.DENTIST, E.STAPH_SWAB]
    women = codes("water", data={"exams": {"items": {"dentist": {"women_only": True}}}})
    assert E.DENTIST not in women


def test_periods_from_the_policy() -> None:
    policy = make({"categories": {"communal": {"periodic_exam_months": 6, "attestation_months": 36}}})
    items = {i.code: i for i in checklist(policy, Subject("communal", False, None, False), TODAY)}
    assert items[E.DENTIST].period_months == 6
    assert items[E.HYGIENE_ATTESTATION].period_months == 36
    assert items[E.VACCINATION_DIPHTHERIA_TETANUS].period_months == 120
    assert items[E.VACCINATION_MEASLES].period_months is None  # period_months = 0: does not run out
    assert not items[E.VACCINATION_MEASLES].required


def test_dates_future_too_old_and_the_exact_boundary_day() -> None:
    items = {i.code: i for i in checklist(make(), Subject("food", False, None, True), TODAY)}
    dentist = items[E.DENTIST]  # 12 months
    assert check_date(dentist, TODAY, TODAY) is None
    future = check_date(dentist, date(2026, 12, 7), TODAY)
    assert future is not None and future.problem is DateProblem.FUTURE
    # Done 07.12.2025: valid through 06.12.2026 — today, the last day: accepted.
    assert valid_until(dentist, date(2025, 12, 7)) == TODAY
    assert check_date(dentist, date(2025, 12, 7), TODAY) is None
    # Done 06.12.2025: it ran out yesterday.
    old = check_date(dentist, date(2025, 12, 6), TODAY)
    assert old is not None and old.problem is DateProblem.TOO_OLD and old.ran_out == date(2026, 12, 5)
    # Fluorography: any day of the previous calendar year is fine, the year before is not.
    fluoro = items[E.FLUOROGRAPHY]
    assert check_date(fluoro, date(2025, 1, 1), TODAY) is None
    refused = check_date(fluoro, date(2024, 12, 31), TODAY)
    assert refused is not None and refused.ran_out == date(2025, 12, 31)
    # The attestation runs for the category's attestation_months (food: 12).
    assert valid_until(items[E.HYGIENE_ATTESTATION], date(2026, 3, 15)) == date(2027, 3, 14)
    assert valid_until(items[E.VACCINATION_MEASLES], date(1995, 5, 5)) is None
    assert check_date(items[E.VACCINATION_MEASLES], date(1995, 5, 5), TODAY) is None


def test_months_at_the_end_of_a_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 30), 14) == date(2028, 1, 30)


def test_progress_and_what_is_open() -> None:
    items = checklist(make(), Subject("water", False, date(1990, 1, 1), True), TODAY)
    required = [i.code for i in items if i.required]
    states = {code: ExamState.CONFIRMED for code in required[:5]}
    states[required[5]] = ExamState.ON_REVIEW
    states[required[6]] = ExamState.RETURNED
    states[E.VACCINATION_MEASLES] = ExamState.CONFIRMED  # optional: not counted
    assert (progress(items, states).done, progress(items, states).total) == (5, len(required))
    assert open_required(items, states) == required[5:]
    everything = {code: ExamState.CONFIRMED for code in required}
    assert progress(items, everything).complete and open_required(items, everything) == []


def test_approval_waits_for_every_required_item() -> None:
    try:
        check_exams(Status.APPROVED, ["dentist"])
    except ExamsOpen as refused:
        assert refused.open_items == ("dentist",)
    else:
        raise AssertionError("approval with an open item must be refused")
    check_exams(Status.APPROVED, [])
    check_exams(Status.REJECTED, ["dentist"])  # only approval waits
