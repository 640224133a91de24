"""The application status machine: exactly the allowed transitions, by exactly the allowed actors."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.status import (
    FINAL_STATUSES,
    INITIAL_STATUS,
    MAX_COMMENT_LENGTH,
    TRANSITIONS,
    Actor,
    ApplicationNumber,
    IllegalTransition,
    Status,
    StatusChange,
    allowed_targets,
    format_application_number,
    is_final,
    parse_application_number,
    requires_comment,
    transition,
)

S, A = Status, Actor
# The specification, written out independently of the module's table.
SPEC: dict[tuple[Status, Status], set[Actor]] = {
    (S.ACCEPTED, S.IN_REVIEW): {A.STAFF},
    (S.ACCEPTED, S.REJECTED): {A.STAFF},
    (S.IN_REVIEW, S.NEEDS_DOCUMENTS): {A.STAFF},
    (S.IN_REVIEW, S.APPROVED): {A.STAFF},
    (S.IN_REVIEW, S.REJECTED): {A.STAFF},
    (S.NEEDS_DOCUMENTS, S.IN_REVIEW): {A.CITIZEN, A.STAFF},
    (S.APPROVED, S.ISSUED): {A.STAFF, A.SYSTEM},  # issued on approval (by the system, once the book is built)
}
ALL = list(itertools.product(Status, Status, Actor))
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
STAFF_ID, CITIZEN_ID = 1001, 2002


def actor_id(actor: Actor) -> int | None:
    return {A.STAFF: STAFF_ID, A.CITIZEN: CITIZEN_ID, A.SYSTEM: None}[actor]


def change(frm: Status, to: Status, actor: Actor, comment: str | None = "reason") -> StatusChange:
    return StatusChange(frm, to, actor, actor_id(actor), comment, NOW)


def test_the_table_is_the_specification() -> None:
    assert {k: set(v) for k, v in TRANSITIONS.items()} == SPEC


@pytest.mark.parametrize(("current", "target", "actor"), ALL, ids=lambda v: str(v))
def test_every_pair_and_actor(current: Status, target: Status, actor: Actor) -> None:
    if actor in SPEC.get((current, target), set()):
        assert transition(current, target, actor) is target
        assert target in allowed_targets(current, actor)
        change(current, target, actor)  # the history record agrees
    else:
        with pytest.raises(IllegalTransition) as info:
            transition(current, target, actor)
        assert (info.value.current, info.value.target, info.value.actor) == (current, target, actor)
        assert (
            str(current) in str(info.value)
            and str(target) in str(info.value)
            and str(actor) in str(info.value)
        )
        assert target not in allowed_targets(current, actor)
        with pytest.raises(IllegalTransition):
            change(current, target, actor)


def test_allowed_targets_in_declaration_order() -> None:
    assert allowed_targets(S.IN_REVIEW, A.STAFF) == (S.NEEDS_DOCUMENTS, S.APPROVED, S.REJECTED)
    assert allowed_targets(S.ACCEPTED, A.STAFF) == (S.IN_REVIEW, S.REJECTED)
    assert allowed_targets(S.NEEDS_DOCUMENTS, A.CITIZEN) == (S.IN_REVIEW,)
    assert allowed_targets(S.ACCEPTED, A.CITIZEN) == ()


def test_the_system_may_only_issue_an_approved_book() -> None:
    assert [(c, t) for c, t, a in ALL if a is A.SYSTEM and t in allowed_targets(c, a)] == [
        (S.APPROVED, S.ISSUED)
    ]


def test_the_citizen_may_only_answer_a_request_for_documents() -> None:
    assert [(c, t) for c, t, a in ALL if a is A.CITIZEN and t in allowed_targets(c, a)] == [
        (S.NEEDS_DOCUMENTS, S.IN_REVIEW)
    ]


def test_final_states_have_no_exits() -> None:
    assert frozenset({S.ISSUED, S.REJECTED}) == FINAL_STATUSES
    for status in Status:
        assert is_final(status) == (status in FINAL_STATUSES)
    for final, target, actor in itertools.product(FINAL_STATUSES, Status, Actor):
        assert allowed_targets(final, actor) == ()
        with pytest.raises(IllegalTransition, match="is final"):
            transition(final, target, actor)


def test_no_status_moves_to_itself() -> None:
    for status, actor in itertools.product(Status, Actor):
        with pytest.raises(IllegalTransition):
            transition(status, status, actor)


def test_wrong_actor_is_told_who_may() -> None:
    with pytest.raises(IllegalTransition, match="only staff may do that"):
        transition(S.IN_REVIEW, S.APPROVED, A.CITIZEN)


def test_values_from_the_database_are_accepted_and_unknown_ones_are_not() -> None:
    assert transition("accepted", "in_review", "staff") is S.IN_REVIEW  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        transition("accepted", "archived", "staff")  # type: ignore[arg-type]


def test_comment_rules() -> None:
    assert {s for s in Status if requires_comment(s)} == {S.REJECTED, S.NEEDS_DOCUMENTS}
    for target, actor in ((S.REJECTED, A.STAFF), (S.NEEDS_DOCUMENTS, A.STAFF)):
        for missing in (None, "", "   \n"):
            with pytest.raises(ValueError, match="needs a comment"):
                change(S.IN_REVIEW, target, actor, missing)
    assert change(S.IN_REVIEW, S.REJECTED, A.STAFF, "  Фото не по форме \n").comment == "Фото не по форме"
    assert change(S.ACCEPTED, S.IN_REVIEW, A.STAFF, "  ").comment is None
    assert change(S.ACCEPTED, S.IN_REVIEW, A.STAFF, None).comment is None
    with pytest.raises(ValueError, match="at most"):
        change(S.IN_REVIEW, S.REJECTED, A.STAFF, "x" * (MAX_COMMENT_LENGTH + 1))


def test_status_change_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        StatusChange(S.ACCEPTED, S.IN_REVIEW, A.STAFF, STAFF_ID, None, datetime(2026, 3, 1, 10, 0))
    moscow = timezone(timedelta(hours=3))
    assert StatusChange(S.ACCEPTED, S.IN_REVIEW, A.STAFF, STAFF_ID, None, NOW.astimezone(moscow)).at == NOW


def test_status_change_actor_ids() -> None:
    with pytest.raises(ValueError, match="no actor_id"):
        StatusChange(S.APPROVED, S.ISSUED, A.SYSTEM, 5, None, NOW)
    for bad in (None, 0, -3, True):
        with pytest.raises(ValueError, match="Telegram id"):
            StatusChange(S.ACCEPTED, S.IN_REVIEW, A.STAFF, bad, None, NOW)
    assert StatusChange(S.APPROVED, S.ISSUED, A.SYSTEM, None, None, NOW).actor_id is None


def test_status_change_is_frozen_and_normalises_values() -> None:
    record = StatusChange("in_review", "approved", "staff", STAFF_ID, None, NOW)  # type: ignore[arg-type]
    assert (record.from_status, record.to_status, record.actor) == (S.IN_REVIEW, S.APPROVED, A.STAFF)
    assert type(record.from_status) is Status and type(record.actor) is Actor
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.to_status = S.ISSUED  # type: ignore[misc]


def test_the_first_record_is_the_citizens_submission() -> None:
    first = StatusChange.submitted(CITIZEN_ID, NOW)
    assert (first.from_status, first.to_status, first.actor, first.actor_id) == (
        None,
        INITIAL_STATUS,
        A.CITIZEN,
        CITIZEN_ID,
    )
    assert INITIAL_STATUS is S.ACCEPTED
    for to, actor in itertools.product(Status, Actor):
        if (to, actor) != (S.ACCEPTED, A.CITIZEN):
            with pytest.raises(IllegalTransition):
                StatusChange(None, to, actor, actor_id(actor), "reason", NOW)


# --- random walks ------------------------------------------------------------------------------------------

attempts = st.lists(st.tuples(st.sampled_from(Status), st.sampled_from(Actor)), max_size=40)


@settings(max_examples=150, database=None, deadline=None)
@given(attempts)
def test_random_attempts_never_reach_an_illegal_state(steps: list[tuple[Status, Actor]]) -> None:
    history = [StatusChange.submitted(CITIZEN_ID, NOW)]
    current = INITIAL_STATUS
    for target, actor in steps:
        if actor in SPEC.get((current, target), set()):
            current = transition(current, target, actor)
            history.append(change(history[-1].to_status, current, actor))
        else:
            with pytest.raises(IllegalTransition):
                transition(current, target, actor)
    _check_history(history)


@settings(max_examples=150, database=None, deadline=None)
@given(st.data())
def test_random_legal_walks_end_only_in_final_states(data: st.DataObject) -> None:
    current = INITIAL_STATUS
    history = [StatusChange.submitted(CITIZEN_ID, NOW)]
    for _ in range(50):
        moves = [(t, a) for a in Actor for t in allowed_targets(current, a)]
        if not moves:
            break
        target, actor = data.draw(st.sampled_from(moves))
        current = transition(current, target, actor)
        history.append(change(history[-1].to_status, current, actor))
    if is_final(current):
        assert all(allowed_targets(current, a) == () for a in Actor)
    _check_history(history)


def _check_history(history: list[StatusChange]) -> None:
    assert history[0].from_status is None and history[0].to_status is S.ACCEPTED
    for before, after in itertools.pairwise(history):
        assert after.from_status is before.to_status
        assert after.actor in SPEC[before.to_status, after.to_status]
        assert not is_final(before.to_status)
    statuses = [record.to_status for record in history]
    if S.ISSUED in statuses:
        assert statuses[statuses.index(S.ISSUED) - 1] is S.APPROVED
    if S.APPROVED in statuses:
        assert statuses[statuses.index(S.APPROVED) - 1] is S.IN_REVIEW


# --- application numbers -----------------------------------------------------------------------------------


def test_format_application_number() -> None:
    assert format_application_number(2026, 123) == "ЭМК-2026-000123"
    assert format_application_number(2030, 999_999) == "ЭМК-2030-999999"
    assert str(ApplicationNumber(2026, 7)) == "ЭМК-2026-000007"


@pytest.mark.parametrize(("year", "seq"), [(1999, 1), (10_000, 1), (2026, 0), (2026, 1_000_000), (2026, -1)])
def test_format_refuses_out_of_range(year: int, seq: int) -> None:
    with pytest.raises(ValueError):
        format_application_number(year, seq)


def test_format_refuses_non_ints() -> None:
    with pytest.raises(TypeError):
        format_application_number(2026, True)
    with pytest.raises(TypeError):
        format_application_number("2026", 1)  # type: ignore[arg-type]


@settings(max_examples=100, database=None, deadline=None)
@given(st.integers(2000, 9999), st.integers(1, 999_999))
def test_number_round_trip(year: int, seq: int) -> None:
    assert parse_application_number(format_application_number(year, seq)) == (year, seq)


@pytest.mark.parametrize(
    "text",
    [
        "ЭМК-2026-000123",
        "  эмк-2026-000123 ",
        "ЭМК 2026 000123",
        "ЭМК–2026–123",
        "№ ЭМК—2026—000123",
        "ЭMK-2026-000123",
        "эмк - 2026 - 123",
    ],
)
def test_parse_as_people_type_it(text: str) -> None:
    assert parse_application_number(text) == ApplicationNumber(2026, 123)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ЭМК",
        "ЭМК-2026-000000",
        "ЭМК-26-000123",
        "ЭМК-2026-1234567",
        "EMK-2026-000123",
        "ЭМК-1999-000123",
        "ЭМК2026000123",
        "ЭМК-2026-000123-1",
        "АБВ-2026-000123",
        "ЭМК-٢٠٢٦-000123",
    ],
)
def test_parse_refuses_what_is_not_a_number(text: str) -> None:
    with pytest.raises(ValueError, match="not an application number"):
        parse_application_number(text)
