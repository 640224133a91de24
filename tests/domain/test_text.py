"""Free text is cleaned of invisible and direction-changing characters before any rule keeps it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import identifiers as ids
from domain import person
from domain.text import clean_text

FAST = settings(max_examples=300, deadline=None, database=None)

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]  # spaces, joiners, word joiner, BOM
DIRECTION = ["\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
             "\u2066", "\u2067", "\u2068", "\u2069"]
SOFT_HYPHEN = ["\u00ad"]
CONTROL = ["\x00", "\x07", "\x1b", "\x7f", "\x9b"]
BREAKS = ["\t", "\n", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\u00a0", "\u2007", "\u202f", "\u3000"]
PRIVATE = ["\ue000", "\U000f0000"]
INVISIBLE = ZERO_WIDTH + DIRECTION + SOFT_HYPHEN + PRIVATE + CONTROL


@pytest.mark.parametrize("ch", INVISIBLE)
def test_format_and_private_use_characters_are_removed(ch: str) -> None:
    assert clean_text(f"ул.{ch} Лени{ch}на, д. 5{ch}") == "ул. Ленина, д. 5"
    assert clean_text(f"{ch}ОВД Арбат{ch}") == "ОВД Арбат"


@pytest.mark.parametrize("ch", CONTROL)
def test_control_characters_are_gone(ch: str) -> None:
    # dropped without a trace, so one inside a number does not split it
    assert clean_text(f"ООО Ромашка, 1234{ch}56") == "ООО Ромашка, 123456"


@pytest.mark.parametrize("ch", BREAKS)
def test_line_breaks_and_unusual_spaces_become_one_space(ch: str) -> None:
    assert clean_text(f"  ООО {ch} «Ромашка»{ch}") == "ООО «Ромашка»"


def test_nfc_joins_combining_marks() -> None:
    decomposed = unicodedata.normalize("NFD", "Йошкар-Ола, ул. Мира")  # «й» as «и» + a combining breve
    assert decomposed != "Йошкар-Ола, ул. Мира"
    assert clean_text(decomposed) == "Йошкар-Ола, ул. Мира"
    assert clean_text("е\u0308лка") == "ёлка"


def test_a_right_to_left_override_cannot_disguise_an_address() -> None:
    # U+202E makes «5 .д» display reversed; what is kept is exactly what is seen without it.
    assert clean_text("ул. Ленина, \u202e5 .д\u202c") == "ул. Ленина, 5 .д"


@FAST
@given(st.text())
def test_clean_text_leaves_no_invisible_characters_and_is_idempotent(raw: str) -> None:
    cleaned = clean_text(raw)
    assert clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip() and "  " not in cleaned
    for ch in cleaned:
        assert unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}, hex(ord(ch))
        assert not ch.isspace() or ch == " "
    assert unicodedata.is_normalized("NFC", cleaned)


@FAST
@given(st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=6), st.data())
def test_free_text_checkers_keep_no_invisible_characters(marks: list[str], data: st.DataObject) -> None:
    def sprinkle(text: str) -> str:
        out = list(text)
        for mark in marks:
            out.insert(data.draw(st.integers(0, len(out)), label="at"), mark)
        return "".join(out)

    address = "123456, г. Москва, ул. Ленина, д. 1, кв. 2"
    checked_address = person.check_address(sprinkle(address))
    assert checked_address.value is not None and checked_address.value.text == address
    issued_by = "ОВД района Арбат г. Москвы"
    assert ids.check_issued_by(sprinkle(issued_by)).value == issued_by
