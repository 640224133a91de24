"""СНИЛС, ОМС, ИНН, ОГРН/ОГРНИП, ОКПО, passport, birth certificate; and the messages for every issue code.

Check digits are computed here by reference implementations written straight from the rules, so the
properties compare the module with an independent reading of each rule. Where a rule cannot catch every
single-digit change or transposition, the property says exactly which ones slip through, and a separate
test pins the measured detection rate.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser, ast
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain import identifiers as ids
from domain.issues import Checked, Severity
from domain.okato import OKATO_REGION_CODES, PASSPORT_SERIES_REGION_CODES, is_known_passport_region
from domain.person import PERSON_ISSUE_CODES

FAST = settings(max_examples=100, deadline=None, database=None)
ALL_CODES = PERSON_ISSUE_CODES | ids.IDENTIFIER_ISSUE_CODES
ROOT = Path(__file__).resolve().parents[2]


def codes(checked: Checked[Any]) -> list[str]:
    found = [i.code for i in checked.issues]
    assert set(found) <= ALL_CODES, found
    assert (checked.value is None) == (not checked.ok)
    return found


def error_codes(checked: Checked[Any]) -> list[str]:
    codes(checked)
    return [i.code for i in checked.errors]


def warning_codes(checked: Checked[Any]) -> list[str]:
    codes(checked)
    return [i.code for i in checked.warnings]


def digit_strings(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def change_one_digit(data: st.DataObject, value: str) -> tuple[int, str]:
    pos = data.draw(st.integers(0, len(value) - 1), label="position")
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != value[pos]]), label="digit")
    return pos, value[:pos] + new + value[pos + 1 :]


def swap_adjacent(data: st.DataObject, value: str) -> tuple[int, str]:
    places = [i for i in range(len(value) - 1) if value[i] != value[i + 1]]
    assume(places)
    i = data.draw(st.sampled_from(places), label="position")
    return i, value[:i] + value[i + 1] + value[i] + value[i + 2 :]


# --- reference implementations, written straight from the rules ------------------------------------------


def ref_snils_sum(first9: str) -> int:
    return sum(int(first9[i]) * (9 - i) for i in range(9))


def ref_snils_check(first9: str) -> str:
    return ref_snils_from_sum(ref_snils_sum(first9))


def ref_snils_from_sum(s: int) -> str:
    if s < 100:
        c = s
    elif s <= 101:
        c = 0
    else:
        c = s % 101
        if c == 100:
            c = 0
    return str(c).zfill(2)


def ref_luhn_valid(number: str) -> bool:
    total = 0
    parity = len(number) % 2
    for i, ch in enumerate(number):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def ref_inn_remainder(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
W12A = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
W12B = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def ref_inn_valid(inn: str) -> bool:
    if len(inn) == 10:
        return ref_inn_remainder(inn[:9], W10) % 10 == int(inn[9])
    return ref_inn_remainder(inn[:10], W12A) % 10 == int(inn[10]) and ref_inn_remainder(inn[:11], W12B) % 10 == int(
        inn[11]
    )


def ref_okpo_candidates(payload: str) -> set[int]:
    def rem(weights: list[int]) -> int:
        return sum(int(d) * w for d, w in zip(payload, weights, strict=True)) % 11

    n = len(payload)
    first = rem([(i % 10) + 1 for i in range(n)])
    if first != 10:
        return {first}
    out = set()
    for weights in ([((i + 2) % 10) + 1 for i in range(n)], [i + 3 for i in range(n)]):
        second = rem(weights)
        out.add(0 if second == 10 else second)
    return out


# --- normalisation and masking ---------------------------------------------------------------------------


def test_normalize_digits_drops_separators() -> None:
    assert ids.normalize_digits(" № 45-08.123 456 ") == "4508123456"
    assert ids.normalize_digits("N 123\u00a0456") == "123456"
    assert ids.normalize_digits("12a") == "12a"


@pytest.mark.parametrize(
    ("value", "keep", "masked"),
    [
        ("123-456-789 64", 2, "***-***-*** 64"),
        ("45 08 123456", 2, "** ** ****56"),
        ("1234", 0, "****"),
        ("12", 5, "12"),
        ("", 2, ""),
    ],
)
def test_mask_tail(value: str, keep: int, masked: str) -> None:
    assert ids.mask_tail(value, keep) == masked


@FAST
@given(st.text(alphabet="0123456789 -№", max_size=30), st.integers(0, 6))
def test_mask_tail_keeps_shape_and_last_digits(value: str, keep: int) -> None:
    masked = ids.mask_tail(value, keep)
    assert len(masked) == len(value)
    digits = [c for c in value if c.isdigit()]
    kept = [c for c in masked if c.isdigit()]
    assert kept == digits[len(digits) - min(keep, len(digits)) :]
    for before, after in zip(value, masked, strict=True):
        assert after == before or (before.isdigit() and after == "*")


def test_mask_snils() -> None:
    assert ids.mask_snils("112-233-445 95") == "***-***-*** 95"


# --- СНИЛС -----------------------------------------------------------------------------------------------


def test_snils_public_vectors() -> None:
    assert ids.snils_checksum("112233445") == "95"
    ok = ids.check_snils("112-233-445 95")
    assert ok.value == "112-233-445 95" and codes(ok) == []
    low = ids.check_snils("001-001-998 00")
    assert low.ok and low.value == "001-001-998 00" and warning_codes(low) == ["snils-no-checksum"]
    assert warning_codes(ids.check_snils("001-001-998 57")) == ["snils-no-checksum"]
    assert error_codes(ids.check_snils("001-001-999 00")) == ["snils-checksum"]


def test_snils_checksum_special_sums() -> None:
    # a sum under 100 is the check number; 100 and 101 give 00; larger sums are taken mod 101 and a
    # remainder of 100 is 00 as well
    for first9, total, check in [
        ("911000002", 98, "98"),
        ("911000004", 100, "00"),
        ("911000005", 101, "00"),
        ("911000006", 102, "01"),
        ("106897449", 201, "00"),  # 201 mod 101 = 100
        ("105978845", 202, "00"),
        ("999999991", 397, "94"),
    ]:
        assert ref_snils_sum(first9) == total
        assert ids.snils_checksum(first9) == check == ref_snils_check(first9)
    with pytest.raises(ValueError):
        ids.snils_checksum("12345678")


@pytest.mark.parametrize(
    "raw",
    [
        "112-233-445 95",
        "11223344595",
        "112 233 445 95",
        " 112-233-445-95 ",
        "№112.233.445 95",
        "112–233–445 95",
    ],
)
def test_snils_forms(raw: str) -> None:
    assert ids.check_snils(raw).value == "112-233-445 95"


@pytest.mark.parametrize(
    ("raw", "code", "params"),
    [
        ("112-233-445 9", "snils-length", {"got": 10}),
        ("112-233-445 955", "snils-length", {"got": 12}),
        ("", "snils-length", {"got": 0}),
        ("112-233-445 9б", "snils-chars", {}),
        ("112-233-445 96", "snils-checksum", {}),
    ],
)
def test_snils_errors(raw: str, code: str, params: dict[str, object]) -> None:
    result = ids.check_snils(raw)
    assert error_codes(result) == [code]
    assert dict(result.errors[0].params) == params


snils_payloads = digit_strings(9).filter(lambda p: int(p) > ids.SNILS_NO_CHECKSUM_MAX)
ZERO_CLASS = {total for total in range(9 * 45 + 1) if ref_snils_from_sum(total) == "00"}


@FAST
@given(snils_payloads)
def test_snils_valid_numbers_pass(payload: str) -> None:
    number = payload + ref_snils_check(payload)
    assert ids.snils_checksum(payload) == ref_snils_check(payload)
    result = ids.check_snils(number)
    assert result.ok and not result.issues
    assert result.value == ids.format_snils(number)


def _snils_accepts(number: str) -> bool:
    return int(number[:9]) <= ids.SNILS_NO_CHECKSUM_MAX or ref_snils_check(number[:9]) == number[9:]


@FAST
@given(snils_payloads, st.data())
def test_snils_single_digit_change(payload: str, data: st.DataObject) -> None:
    number = payload + ref_snils_check(payload)
    pos, changed = change_one_digit(data, number)
    result = ids.check_snils(changed)
    assert result.ok == _snils_accepts(changed)
    if result.ok and not result.warnings:
        # the only blind spot: both sums give «00» (100 ↔ 101, 201 ↔ 202, 302 ↔ 303, 403 ↔ 404);
        # a change of a check digit is always caught
        assert pos < 9
        assert {ref_snils_sum(payload), ref_snils_sum(changed[:9])} <= ZERO_CLASS


@FAST
@given(snils_payloads, st.data())
def test_snils_adjacent_transposition(payload: str, data: st.DataObject) -> None:
    number = payload + ref_snils_check(payload)
    pos, swapped = swap_adjacent(data, number)
    result = ids.check_snils(swapped)
    assert result.ok == _snils_accepts(swapped)
    if result.ok and not result.warnings and pos < 8:
        # inside the payload the sum moves by the digit difference (1..9): only the «00» class hides it
        assert {ref_snils_sum(payload), ref_snils_sum(swapped[:9])} <= ZERO_CLASS
    if pos == 9:
        assert not result.ok  # the two check digits swapped


def test_snils_known_blind_spot() -> None:
    # sum 100 and sum 101 both give 00: changing the last payload digit by one is not noticed
    assert ids.check_snils("911000004 00").ok
    assert ids.check_snils("911000005 00").ok


# --- Luhn and ОМС ----------------------------------------------------------------------------------------


def test_luhn_known_vectors() -> None:
    assert ids.luhn_ok("79927398713")
    assert not ids.luhn_ok("79927398710")
    assert ids.luhn_check_digit("7992739871") == "3"
    assert not ids.luhn_ok("7") and not ids.luhn_ok("12a4")
    with pytest.raises(ValueError):
        ids.luhn_check_digit("")


enp_payloads = digit_strings(15)


@FAST
@given(enp_payloads)
def test_enp_valid_numbers_pass(payload: str) -> None:
    number = payload + ids.luhn_check_digit(payload)
    assert ref_luhn_valid(number) and ids.luhn_ok(number)
    result = ids.check_oms(number)
    assert result.value == ids.OmsPolicy(kind="enp", number=number) and not result.issues
    spaced = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    assert ids.check_oms(spaced).value == result.value


@FAST
@given(enp_payloads, st.data())
def test_enp_every_single_digit_change_fails(payload: str, data: st.DataObject) -> None:
    _, changed = change_one_digit(data, payload + ids.luhn_check_digit(payload))
    assert error_codes(ids.check_oms(changed)) == ["oms-checksum"]


@FAST
@given(enp_payloads, st.data())
def test_enp_transposition_fails_except_09_90(payload: str, data: st.DataObject) -> None:
    number = payload + ids.luhn_check_digit(payload)
    pos, swapped = swap_adjacent(data, number)
    result = ids.check_oms(swapped)
    if {number[pos], number[pos + 1]} == {"0", "9"}:
        assert result.ok  # Luhn's known blind spot
    else:
        assert error_codes(result) == ["oms-checksum"]


def test_enp_09_90_blind_spot_example() -> None:
    number = "0900000000000000"
    number = number[:15] + ids.luhn_check_digit(number[:15])
    assert ids.check_oms(number).ok
    assert ids.check_oms("9000000000000000"[:15] + number[15]).ok


def test_oms_kinds_and_warnings() -> None:
    temporary = ids.check_oms("123 456 789")
    assert temporary.value == ids.OmsPolicy(kind="temporary", number="123456789")
    assert warning_codes(temporary) == ["oms-temporary"]
    for raw, number in [
        ("ЯМ 1234567890", "ЯМ 1234567890"),
        ("ям №1234567890", "ЯМ 1234567890"),
        ("ЯМ1234567890", "ЯМ 1234567890"),
        ("серия 3401 номер 123456", "3401 123456"),
        ("Серия: 77 03 № 12345678", "7703 12345678"),
        ("полис ОМС серия ЯМ номер 1234567890", "ЯМ 1234567890"),
        ("АБ-123456", "АБ 123456"),
        ("ЯМ N 1234567890", "ЯМ 1234567890"),
        ("AN 123456", "AN 123456"),
    ]:
        result = ids.check_oms(raw)
        assert result.value == ids.OmsPolicy(kind="old", number=number), raw
        assert warning_codes(result) == ["oms-old-format"]


@pytest.mark.parametrize(
    ("raw", "got"),
    [
        ("12345", 5),
        ("1234 5678 9012 345", 15),
        ("12345678901", 11),
        ("", 0),
        ("ЯМ", 0),
        ("1234 5678 9012 34567", 17),
    ],
)
def test_oms_length(raw: str, got: int) -> None:
    result = ids.check_oms(raw)
    assert error_codes(result) == ["oms-length"]
    assert result.errors[0].params == {"got": got}


@pytest.mark.parametrize(
    ("raw", "got"),
    [
        ("3401 123456", 10),  # a series of digits alone: an ЕНП typed short, or an old policy? Not silently old
        ("77 03 12345678", 12),
        ("7700 0000 0000 00", 14),  # an ЕНП typed in groups with two digits missing
        ("7700 0000 0000 001", 15),
        ("ЕНП 7700 0000 0000 00167", 17),
    ],
)
def test_digits_alone_are_never_an_old_policy(raw: str, got: int) -> None:
    result = ids.check_oms(raw)
    assert error_codes(result) == ["oms-length"]
    assert result.errors[0].params == {"got": got}


@pytest.mark.parametrize(
    "raw",
    [
        "ЕНП 2341998071655749",
        "ЕНП2341998071655749",
        "енп: 2341 9980 7165 5749",
        "Полис ОМС № 2341 9980 7165 5749",
        "полис 2341-9980-7165-5749",
        "единый номер полиса 2341998071655749",
        "Номер полиса: 2341998071655749",
        "ENP 2341998071655749",
        "OMS policy No. 2341 9980 7165 5749",
        "2341 9980 7165 5749",
    ],
)
def test_enp_with_label_words(raw: str) -> None:
    assert ids.luhn_ok("2341998071655749")
    result = ids.check_oms(raw)
    assert result.value == ids.OmsPolicy(kind="enp", number="2341998071655749") and not result.issues, raw


@FAST
@given(enp_payloads, st.sampled_from([" ", "-", ""]), st.sampled_from([4, 3, 2]))
def test_enp_typed_in_any_groups_is_an_enp(payload: str, sep: str, size: int) -> None:
    number = payload + ids.luhn_check_digit(payload)
    grouped = sep.join(number[i : i + size] for i in range(0, 16, size))
    assert ids.check_oms(grouped).value == ids.OmsPolicy(kind="enp", number=number)
    # one digit lost or added: never an old-format policy
    for wrong in (grouped[:-1], grouped + "7"):
        assert error_codes(ids.check_oms(wrong)) == ["oms-length"], wrong


@FAST
@given(st.text(alphabet="0123456789", min_size=1, max_size=20).filter(lambda d: len(d) not in (9, 16)),
       st.sampled_from([" ", "-", ""]))
def test_digit_only_input_of_other_lengths_is_refused(digits: str, sep: str) -> None:
    grouped = sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    result = ids.check_oms(grouped)
    assert error_codes(result) == ["oms-length"] and result.errors[0].params == {"got": len(digits)}


def test_oms_checksum_error() -> None:
    assert error_codes(ids.check_oms("1234 5678 9012 3456")) == ["oms-checksum"]
    assert ids.check_oms("1234 5678 9012 3452").ok


# --- ИНН -------------------------------------------------------------------------------------------------


def test_inn_public_vectors() -> None:
    assert ids.check_inn("7707083893").value == "7707083893"  # ПАО Сбербанк
    assert ids.inn10_check_digit("770708389") == "3"
    assert ids.check_inn("500100732259").value == "500100732259"
    assert ids.inn12_check_digits("5001007322") == "59"
    assert ids.check_inn(" 7707-083-893 ").value == "7707083893"


def test_inn_errors_and_allow() -> None:
    assert error_codes(ids.check_inn("7707083894")) == ["inn-checksum"]
    assert error_codes(ids.check_inn("500100732258")) == ["inn-checksum"]
    assert error_codes(ids.check_inn("500100732249")) == ["inn-checksum"]
    assert error_codes(ids.check_inn("77070838а3")) == ["inn-chars"]
    both = ids.check_inn("77070838")
    assert error_codes(both) == ["inn-length"] and both.errors[0].params == {"got": 8, "allowed": "both"}
    legal = ids.check_inn("500100732259", allow=("legal",))
    assert legal.errors[0].params == {"got": 12, "allowed": "legal"}
    person = ids.check_inn("7707083893", allow=("individual",))
    assert person.errors[0].params == {"got": 10, "allowed": "individual"}
    assert ids.check_inn("500100732259", allow=("individual",)).ok
    with pytest.raises(ValueError):
        ids.check_inn("7707083893", allow=())


def _mod11_blind(before: int, after: int) -> bool:
    return {before, after} == {0, 10}


@FAST
@given(digit_strings(9), st.data())
def test_inn10_single_digit_and_transposition(payload: str, data: st.DataObject) -> None:
    inn = payload + str(ref_inn_remainder(payload, W10) % 10)
    assert ids.check_inn(inn).value == inn
    for _, changed in (change_one_digit(data, inn), swap_adjacent(data, inn)):
        result = ids.check_inn(changed)
        assert result.ok == ref_inn_valid(changed)
        if result.ok:
            assert changed[:9] != payload  # a change of the check digit alone is always caught
        if result.ok and changed[9] == inn[9]:
            # the payload changed and so did the remainder, but 0 ↔ 10 look the same after «mod 10»
            assert _mod11_blind(ref_inn_remainder(payload, W10), ref_inn_remainder(changed[:9], W10))


@FAST
@given(digit_strings(10), st.data())
def test_inn12_single_digit_and_transposition(payload: str, data: st.DataObject) -> None:
    first = str(ref_inn_remainder(payload, W12A) % 10)
    inn = payload + first + str(ref_inn_remainder(payload + first, W12B) % 10)
    assert ids.check_inn(inn).value == inn
    for _, changed in (change_one_digit(data, inn), swap_adjacent(data, inn)):
        result = ids.check_inn(changed)
        assert result.ok == ref_inn_valid(changed)
        if result.ok:
            assert changed[:10] != payload  # a change confined to the check digits is always caught


# --- ОГРН / ОГРНИП ---------------------------------------------------------------------------------------


def test_ogrn_public_vectors() -> None:
    assert int("102770013219") % 11 == 5
    assert ids.check_ogrn("1027700132195").value == "1027700132195"  # ПАО Сбербанк
    assert ids.check_ogrn("1 02 77 00 13219 5").value == "1027700132195"
    assert error_codes(ids.check_ogrn("1027700132194")) == ["ogrn-checksum"]
    assert error_codes(ids.check_ogrn("2027700132195")) == ["ogrn-first-digit"]
    assert ids.check_ogrn("304500116000157").ok


def test_ogrn_remainder_ten_gives_zero() -> None:
    first12 = next(f"1{i:011d}" for i in range(10**6) if int(f"1{i:011d}") % 11 == 10)
    assert ids.ogrn_check_digit(first12) == "0"
    assert ids.check_ogrn(first12 + "0").ok


def test_ogrnip_final_mod_10_matters() -> None:
    # int(first 14) mod 13 is 10, 11, 12 here: the check digit is 0, 1, 2 — not the two-digit remainder
    for first14, remainder, check in [
        ("30400000000003", 10, "0"),
        ("30400000000004", 11, "1"),
        ("30400000000005", 12, "2"),
    ]:
        assert int(first14) % 13 == remainder
        assert ids.ogrnip_check_digit(first14) == check
        assert ids.check_ogrn(first14 + check).value == first14 + check
        wrong = str((int(check) + 1) % 10)
        assert error_codes(ids.check_ogrn(first14 + wrong)) == ["ogrnip-checksum"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("415774600002662", "ogrnip-first-digit"),
        ("304500116000158", "ogrnip-checksum"),
        ("102770013219", "ogrn-length"),
        ("30450011600015", "ogrn-length"),
        ("10277001321x5", "ogrn-chars"),
        ("7027700132195", "ogrn-first-digit"),
    ],
)
def test_ogrn_errors(raw: str, code: str) -> None:
    assert error_codes(ids.check_ogrn(raw)) == [code]


def test_ogrn_length_param() -> None:
    assert ids.check_ogrn("12345").errors[0].params == {"got": 5}


@FAST
@given(st.sampled_from("15"), digit_strings(11), st.data())
def test_ogrn_properties(first: str, rest: str, data: st.DataObject) -> None:
    payload = first + rest
    ogrn = payload + str(int(payload) % 11 % 10)
    assert ids.check_ogrn(ogrn).value == ogrn
    for _, changed in (change_one_digit(data, ogrn), swap_adjacent(data, ogrn)):
        result = ids.check_ogrn(changed)
        expected = changed[0] in "15" and int(changed[:12]) % 11 % 10 == int(changed[12])
        assert result.ok == expected
        if result.ok:
            assert changed[:12] != payload
        if result.ok and changed[12] == ogrn[12]:
            assert _mod11_blind(int(payload) % 11, int(changed[:12]) % 11)


@FAST
@given(digit_strings(13), st.data())
def test_ogrnip_properties(rest: str, data: st.DataObject) -> None:
    payload = "3" + rest
    ogrnip = payload + str(int(payload) % 13 % 10)
    assert ids.check_ogrn(ogrnip).value == ogrnip
    for _, changed in (change_one_digit(data, ogrnip), swap_adjacent(data, ogrnip)):
        result = ids.check_ogrn(changed)
        expected = changed[0] == "3" and int(changed[:14]) % 13 % 10 == int(changed[14])
        assert result.ok == expected
        if result.ok:
            assert changed[:14] != payload
        if result.ok and changed[14] == ogrnip[14]:
            # the remainder changed, but to one with the same last digit (0 ↔ 10, 1 ↔ 11, 2 ↔ 12)
            before, after = int(payload) % 13, int(changed[:14]) % 13
            assert before != after and before % 10 == after % 10


# --- ОКПО ------------------------------------------------------------------------------------------------


def test_okpo_public_vectors() -> None:
    # 0·1 + 0·2 + 0·3 + 3·4 + 2·5 + 5·6 + 3·7 = 73; 73 mod 11 = 7
    assert ids.okpo_check_digit("0003253") == 7
    assert ids.check_okpo("00032537").value == "00032537"  # ПАО Сбербанк
    assert error_codes(ids.check_okpo("00032536")) == ["okpo-checksum"]
    assert ids.check_okpo("0123456789").value == "0123456789"


def test_okpo_second_pass_and_zero() -> None:
    # first pass 10 → second pass with weights 3..9
    payload = next(
        f"{i:07d}" for i in range(10**7) if sum(int(d) * (k + 1) for k, d in enumerate(f"{i:07d}")) % 11 == 10
    )
    second = sum(int(d) * (k + 3) for k, d in enumerate(payload)) % 11
    assert ids.okpo_check_digits(payload) == frozenset({0 if second == 10 else second})
    assert ids.okpo_check_digit(payload) == (0 if second == 10 else second)
    # both passes give 10 → check digit 0
    both_ten = next(
        f"{i:07d}"
        for i in range(10**7)
        if sum(int(d) * (k + 1) for k, d in enumerate(f"{i:07d}")) % 11 == 10
        and sum(int(d) * (k + 3) for k, d in enumerate(f"{i:07d}")) % 11 == 10
    )
    assert ids.okpo_check_digit(both_ten) == 0
    assert ids.check_okpo(both_ten + "0").ok


def test_okpo_ambiguous_ten_digit_code() -> None:
    payload = "001000002"  # first pass 10; the ninth weight of the second pass is 1 (cyclic) or 11
    assert sum(int(d) * (k + 1) for k, d in enumerate(payload)) % 11 == 10
    assert ids.okpo_check_digits(payload) == frozenset({5, 7})
    for check in "57":
        result = ids.check_okpo(payload + check)
        assert result.ok and warning_codes(result) == ["okpo-ambiguous"]
    assert error_codes(ids.check_okpo(payload + "6")) == ["okpo-checksum"]
    # ninth digit 0: both readings agree, nothing is ambiguous
    calm = "000000040"
    assert sum(int(d) * (k + 1) for k, d in enumerate(calm)) % 11 == 10
    assert len(ids.okpo_check_digits(calm)) == 1
    assert not ids.check_okpo(calm + str(ids.okpo_check_digit(calm))).issues


@pytest.mark.parametrize(
    ("raw", "code"), [("0003253", "okpo-length"), ("000325371", "okpo-length"), ("0003253x", "okpo-chars")]
)
def test_okpo_errors(raw: str, code: str) -> None:
    assert error_codes(ids.check_okpo(raw)) == [code]


@FAST
@given(st.sampled_from([7, 9]).flatmap(digit_strings), st.data())
def test_okpo_properties(payload: str, data: st.DataObject) -> None:
    assert set(ids.okpo_check_digits(payload)) == ref_okpo_candidates(payload)
    okpo = payload + str(ids.okpo_check_digit(payload))
    assert ids.check_okpo(okpo).ok
    for _, changed in (change_one_digit(data, okpo), swap_adjacent(data, okpo)):
        result = ids.check_okpo(changed)
        assert result.ok == (int(changed[-1]) in ref_okpo_candidates(changed[:-1]))


# --- detection rates -------------------------------------------------------------------------------------


def _detection_miss_rate(make: Callable[[random.Random], str], accepts: Callable[[str], bool]) -> float:
    rng = random.Random(20260115)
    missed = total = 0
    for _ in range(150):
        value = make(rng)
        variants = [value[:i] + d + value[i + 1 :] for i in range(len(value)) for d in "0123456789" if d != value[i]]
        variants += [
            value[:i] + value[i + 1] + value[i] + value[i + 2 :]
            for i in range(len(value) - 1)
            if value[i] != value[i + 1]
        ]
        total += len(variants)
        missed += sum(accepts(v) for v in variants)
    return missed / total


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _snils(rng: random.Random) -> str:
    payload = "9" + _digits(rng, 8)
    return payload + ref_snils_check(payload)


@pytest.mark.parametrize(
    ("name", "make", "accepts", "bound"),
    [
        ("snils", _snils, lambda v: not ids.check_snils(v).issues, 0.002),
        (
            "enp",
            lambda r: (p := _digits(r, 15)) + ids.luhn_check_digit(p),
            lambda v: ids.check_oms(v).ok,
            0.005,
        ),
        (
            "inn10",
            lambda r: (p := _digits(r, 9)) + ids.inn10_check_digit(p),
            lambda v: ids.check_inn(v).ok,
            0.025,
        ),
        (
            "inn12",
            lambda r: (p := _digits(r, 10)) + ids.inn12_check_digits(p),
            lambda v: ids.check_inn(v).ok,
            0.002,
        ),
        (
            "ogrn",
            lambda r: (p := "1" + _digits(r, 11)) + ids.ogrn_check_digit(p),
            lambda v: ids.check_ogrn(v).ok,
            0.025,
        ),
        (
            "ogrnip",
            lambda r: (p := "3" + _digits(r, 13)) + ids.ogrnip_check_digit(p),
            lambda v: ids.check_ogrn(v).ok,
            0.045,
        ),
        (
            "okpo8",
            lambda r: (p := _digits(r, 7)) + str(ids.okpo_check_digit(p)),
            lambda v: ids.check_okpo(v).ok,
            0.03,
        ),
    ],
)
def test_detection_rate(
    name: str, make: Callable[[random.Random], str], accepts: Callable[[str], bool], bound: float
) -> None:
    """Single-digit changes and adjacent transpositions together: the share that slips through is small.

    Measured with this seed: СНИЛС 0.03 %, ЕНП 0.19 % (only 09 ↔ 90), ИНН-10 1.6 %, ИНН-12 0.01 %,
    ОГРН 1.8 %, ОГРНИП 3.5 %, ОКПО-8 2.0 %. Luhn misses no single-digit change at all (asserted above).
    """
    assert _detection_miss_rate(make, accepts) < bound, name


# --- passport --------------------------------------------------------------------------------------------


def test_okato_codes() -> None:
    assert len(OKATO_REGION_CODES) == 82
    assert all(re.fullmatch(r"\d\d", c) for c in OKATO_REGION_CODES)
    for code in ("01", "45", "46", "40", "35", "67", "99"):
        assert is_known_passport_region(code)
    assert "74" in PASSPORT_SERIES_REGION_CODES  # Ямало-Ненецкий АО
    for code in (
        "00",
        "02",
        "06",
        "09",
        "13",
        "16",
        "21",
        "23",
        "31",
        "39",
        "43",
        "48",
        "51",
        "55",
        "59",
        "62",
        "72",
    ):
        assert not is_known_passport_region(code)


@pytest.mark.parametrize(
    "raw", ["45 08 123456", "4508 123456", "4508123456", "№ 4508 123456", "45-08 №123456", " 45 08  123456 "]
)
def test_passport_number_forms(raw: str) -> None:
    result = ids.check_passport_number(raw)
    assert result.value == ids.PassportNumber(series="4508", number="123456") and not result.issues
    assert result.value.formatted == "45 08 123456"
    assert ids.mask_tail(result.value.formatted) == "** ** ****56"


def test_passport_number_errors_and_region() -> None:
    short = ids.check_passport_number("45 08 12345")
    assert error_codes(short) == ["passport-length"] and short.errors[0].params == {"got": 9}
    assert error_codes(ids.check_passport_number("45 08 12345б")) == ["passport-chars"]
    unknown = ids.check_passport_number("02 15 123456")
    assert unknown.ok and warning_codes(unknown) == ["passport-region-unknown"]
    assert unknown.warnings[0].params == {"code": "02"}


@FAST
@given(st.sampled_from(sorted(PASSPORT_SERIES_REGION_CODES)), digit_strings(8))
def test_passport_known_regions_pass_quietly(region: str, rest: str) -> None:
    result = ids.check_passport_number(f"{region} {rest[:2]} {rest[2:]}")
    assert result.value is not None and not result.issues
    assert result.value.series == region + rest[:2] and result.value.number == rest[2:]


BIRTH = date(1990, 3, 10)
TODAY = date(2026, 1, 15)


@pytest.mark.parametrize(
    ("raw", "birth", "today", "errors", "warnings"),
    [
        ("15.03.2010", BIRTH, TODAY, [], []),
        ("2010-03-15", BIRTH, TODAY, [], []),
        ("15.03.2030", BIRTH, TODAY, ["passport-issue-future"], []),
        ("09.03.2004", BIRTH, TODAY, ["passport-issue-before-14"], []),
        ("10.03.2004", BIRTH, TODAY, [], ["passport-not-replaced-20"]),
        ("31.02.2010", BIRTH, TODAY, ["date-invalid"], []),
        ("15 марта", BIRTH, TODAY, ["date-format"], []),
        # 20th birthday 10.03.2010; the passport stays valid 90 days after it
        ("01.01.2005", BIRTH, date(2010, 3, 10) + timedelta(days=90), [], []),
        ("01.01.2005", BIRTH, date(2010, 3, 10) + timedelta(days=91), [], ["passport-not-replaced-20"]),
        # 45th birthday 10.03.2035
        ("01.01.2015", BIRTH, date(2035, 3, 10) + timedelta(days=90), [], []),
        ("01.01.2015", BIRTH, date(2035, 3, 10) + timedelta(days=91), [], ["passport-not-replaced-45"]),
        ("10.03.2035", BIRTH, date(2040, 1, 1), [], []),
        # issued before 20 and never replaced: the first missed replacement is named
        ("01.01.2005", BIRTH, date(2040, 1, 1), [], ["passport-not-replaced-20"]),
        # born 29 February: the 14th birthday in a common year is 1 March
        ("28.02.2014", date(2000, 2, 29), TODAY, ["passport-issue-before-14"], []),
        ("01.03.2014", date(2000, 2, 29), date(2015, 1, 1), [], []),
    ],
)
def test_passport_issue_date(raw: str, birth: date, today: date, errors: list[str], warnings: list[str]) -> None:
    result = ids.check_passport_issue_date(raw, birth, today)
    assert error_codes(result) == errors
    assert warning_codes(result) == warnings


@pytest.mark.parametrize(
    ("raw", "value"),
    [("770-001", "770-001"), ("770001", "770-001"), ("770 001", "770-001"), (" 770–001 ", "770-001")],
)
def test_division_code_forms(raw: str, value: str) -> None:
    assert ids.check_division_code(raw).value == value


@pytest.mark.parametrize("raw", ["77-001", "7700011", "770-00a", ""])
def test_division_code_errors(raw: str) -> None:
    assert error_codes(ids.check_division_code(raw)) == ["division-code-format"]


def test_issued_by() -> None:
    assert ids.check_issued_by("  ГУ  МВД России\nпо г. Москве ").value == "ГУ МВД России по г. Москве"
    assert ids.check_issued_by("ОВД").ok
    for raw in ("ОВ", "", "а" * 201):
        result = ids.check_issued_by(raw)
        assert error_codes(result) == ["issued-by-length"]
        assert result.errors[0].params["min"] == 3 and result.errors[0].params["max"] == 200


# --- birth certificate -----------------------------------------------------------------------------------


def to_roman(n: int) -> str:
    out = ""
    for value, sign in (
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += sign
            n -= value
    return out


CANONICAL_ROMANS = {to_roman(n) for n in range(1, 100)}


@pytest.mark.parametrize(
    "raw",
    [
        "IV-МЮ 123456",
        "iv мю 123456",
        "IV-MЮ №123456",  # Latin M in the letters
        "IV МЮ № 123456",
        "ІV-МЮ 123456",  # Cyrillic І in the numeral
        "IVМЮ123456",
        "IV–МЮ N 123456",
        "Ⅳ-МЮ 123 456",  # the Unicode Roman numeral sign
        "  iv-мю   123456 ",
    ],
)
def test_birth_certificate_forms(raw: str) -> None:
    result = ids.check_birth_certificate(raw)
    assert result.value == ids.BirthCertificate(series="IV-МЮ", number="123456") and not result.issues
    assert result.value.formatted == "IV-МЮ 123456"


def test_birth_certificate_lookalikes() -> None:
    # Cyrillic Х and С in the numeral become Latin; Latin letters in the two letters become Cyrillic
    assert ids.check_birth_certificate("ХIХ-AP 000123").value == ids.BirthCertificate("XIX-АР", "000123")
    assert ids.check_birth_certificate("ХС-КЕ 654321").value == ids.BirthCertificate("XC-КЕ", "654321")
    assert ids.check_birth_certificate("XL-ЁЖ 111111").ok


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ("IIII-МЮ 123456", ["birth-cert-series-roman"]),
        ("VX-МЮ 123456", ["birth-cert-series-roman"]),
        ("УI-МЮ 123456", ["birth-cert-series-roman"]),  # Cyrillic У is not taken for V
        ("C-МЮ 123456", ["birth-cert-series-roman"]),
        ("IV-МЮА 123456", ["birth-cert-series-letters"]),
        ("IV-М 123456", ["birth-cert-series-letters"]),
        ("IV-QZ 123456", ["birth-cert-series-letters"]),
        ("IV-МЮ 12345", ["birth-cert-number"]),
        ("IV-МЮ 1234567", ["birth-cert-number"]),
        ("IIII-QZ 12", ["birth-cert-series-roman", "birth-cert-series-letters", "birth-cert-number"]),
        ("IV-МЮ", ["birth-cert-format"]),
        ("123456", ["birth-cert-format"]),
        ("МЮ123456", ["birth-cert-format"]),
        ("", ["birth-cert-format"]),
    ],
)
def test_birth_certificate_errors(raw: str, errors: list[str]) -> None:
    assert error_codes(ids.check_birth_certificate(raw)) == errors


def test_birth_certificate_number_param() -> None:
    assert ids.check_birth_certificate("IV-МЮ 12345").errors[0].params == {"got": 5}


@FAST
@given(
    st.integers(1, 99),
    st.sampled_from("АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ"),
    st.sampled_from("АВЕКМНОРСТХУЮЯ"),
    digit_strings(6),
)
def test_birth_certificate_canonical_numerals(n: int, a: str, b: str, number: str) -> None:
    roman = to_roman(n)
    result = ids.check_birth_certificate(f"{roman.lower()} {a}{b} № {number}")
    assert result.value == ids.BirthCertificate(series=f"{roman}-{a}{b}", number=number)


@FAST
@given(st.text(alphabet="IVXL", min_size=1, max_size=8))
def test_birth_certificate_rejects_non_canonical_numerals(roman: str) -> None:
    result = ids.check_birth_certificate(f"{roman}-МЮ 123456")
    assert result.ok == (roman in CANONICAL_ROMANS)


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ("20.05.2015", []),
        ("10.05.2015", []),  # the day of birth itself
        ("09.05.2015", ["birth-cert-issue-before-birth"]),
        ("16.01.2026", ["birth-cert-issue-future"]),
        ("2015-5-20", []),
        ("20.13.2015", ["date-invalid"]),
        ("вчера", ["date-format"]),
    ],
)
def test_birth_certificate_issue_date(raw: str, errors: list[str]) -> None:
    result = ids.check_birth_certificate_issue_date(raw, date(2015, 5, 10), TODAY)
    assert error_codes(result) == errors


# --- messages --------------------------------------------------------------------------------------------

SAMPLE_ARGS: dict[str, str | int] = {
    "got": 9,
    "max": 60,
    "min": 10,
    "index": "925009",
    "code": "02",
    "field": "surname",
    "allowed": "both",
}


def _ftl(locale: str) -> tuple[str, set[str]]:
    text = (ROOT / "locales" / locale / "issues-identifiers.ftl").read_text(encoding="utf-8")
    resource = FluentParser().parse(text)
    junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
    assert not junk, junk
    keys = {entry.id.name for entry in resource.body if isinstance(entry, ast.Message)}
    return text, keys


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_issue_code_has_a_message(locale: str) -> None:
    text, keys = _ftl(locale)
    assert keys == {f"issue-{code}" for code in ALL_CODES}
    bundle = FluentBundle([locale], use_isolating=False)
    bundle.add_resource(FluentResource(text))
    for key in sorted(keys):
        pattern = bundle.get_message(key).value
        assert pattern is not None
        variants: list[dict[str, str | int]] = [SAMPLE_ARGS]
        variants += [{**SAMPLE_ARGS, "field": f} for f in ("surname", "name", "patronymic")]
        variants += [{**SAMPLE_ARGS, "allowed": a} for a in ("both", "legal", "individual")]
        variants += [{**SAMPLE_ARGS, "got": n, "max": n, "min": n} for n in (0, 1, 2, 5, 21, 110)]
        for args in variants:
            rendered, errors = bundle.format_pattern(pattern, args)
            assert not errors, (key, errors)
            assert isinstance(rendered, str) and rendered.strip() and "<" not in rendered and "{" not in rendered


def test_both_locales_have_the_same_keys() -> None:
    assert _ftl("ru")[1] == _ftl("en")[1]


def test_every_message_shows_an_example_and_russian_says_vy() -> None:
    text, _ = _ftl("ru")
    messages = re.split(r"\n(?=issue-)", text.split("\nissue-", 1)[1])
    for message in messages:
        assert re.search(r"Пример|например|выглядит", message), message[:60]
    assert not re.search(r"\b(ты|тебе|твой|твоя|твои|напиши|проверь|укажи)\b", text, re.IGNORECASE)


def _severity_of(code: str) -> Severity:
    warnings = {
        "name-looks-full",
        "snils-no-checksum",
        "oms-temporary",
        "oms-old-format",
        "okpo-ambiguous",
        "passport-region-unknown",
        "passport-not-replaced-20",
        "passport-not-replaced-45",
    }
    return Severity.WARNING if code in warnings else Severity.ERROR


def test_warnings_never_block() -> None:
    samples: list[Checked[Any]] = [
        ids.check_snils("001-001-998 00"),
        ids.check_oms("123456789"),
        ids.check_oms("ЯМ 1234567890"),
        ids.check_okpo("0010000025"),
        ids.check_passport_number("0215 123456"),
        ids.check_passport_issue_date("01.01.2005", BIRTH, TODAY),
        ids.check_passport_issue_date("01.01.2015", BIRTH, date(2036, 1, 1)),
    ]
    for result in samples:
        assert result.ok and result.value is not None and result.issues
        assert all(i.severity is _severity_of(i.code) is Severity.WARNING for i in result.issues)


# --- label words typed with a number ---------------------------------------------------------------------

LABELLED: list[tuple[Callable[[str], Checked[Any]], str, list[str]]] = [
    (ids.check_snils, "112-233-445 95", ["СНИЛС", "снилс", "SNILS", "Страховой номер", "номер СНИЛС"]),
    (ids.check_oms, "7700 0000 0000 0016", ["полис ОМС", "ЕНП", "Полис", "номер полиса", "OMS", "policy number"]),
    (ids.check_inn, "7707083893", ["ИНН", "инн", "INN", "TIN", "ИНН организации"[:3]]),
    (ids.check_ogrn, "1027700132195", ["ОГРН", "огрн", "OGRN"]),
    (ids.check_ogrn, "304500116000157", ["ОГРНИП", "OGRNIP"]),
    (ids.check_okpo, "00032537", ["ОКПО", "OKPO", "код ОКПО"]),
    (ids.check_passport_number, "4508 123456", ["паспорт", "Паспорт РФ", "паспорт гражданина РФ", "passport"]),
    (ids.check_division_code, "770-001", ["код подразделения", "Код подразделения", "division code", "код"]),
    (ids.check_birth_certificate, "IV-МЮ 123456", ["свидетельство о рождении", "Свидетельство", "birth certificate"]),
]
SEPARATORS = [" ", ": ", ":", " № ", " №", " N ", " No. ", " - ", "  :  ", ""]


@FAST
@given(st.sampled_from(LABELLED), st.data())
def test_label_words_in_front_are_understood(case: tuple[Any, str, list[str]], data: st.DataObject) -> None:
    check, value, labels = case
    label = data.draw(st.sampled_from(labels), label="label")
    label = data.draw(st.sampled_from([label, label.upper(), label.lower()]), label="case")
    sep = data.draw(st.sampled_from(SEPARATORS), label="separator")
    # «N» stands for «№» only in front of digits; a label glued to a series of letters is not a label
    assume(value[0].isdigit() or sep.strip() not in ("N", ""))
    plain = check(value)
    assert plain.ok
    labelled = check(f"{label}{sep}{value}")
    assert labelled.value == plain.value and labelled.issues == plain.issues, (label, sep)


@pytest.mark.parametrize(
    ("check", "raw", "value"),
    [
        (ids.check_passport_number, "серия 4508 номер 123456", "4508 123456"),
        (ids.check_passport_number, "Серия: 45 08, номер: 123456", "4508 123456"),
        (ids.check_passport_number, "паспорт серия 4508 № 123456", "4508 123456"),
        (ids.check_passport_number, "Passport series 4508 number 123456", "4508 123456"),
        (ids.check_birth_certificate, "серия IV-МЮ номер 123456", "IV-МЮ 123456"),
        (ids.check_birth_certificate, "Серия IV МЮ № 123456", "IV-МЮ 123456"),
        (ids.check_oms, "серия ЯМ номер 1234567890", "ЯМ 1234567890"),
    ],
)
def test_series_and_number_in_words(check: Callable[[str], Checked[Any]], raw: str, value: str) -> None:
    result = check(raw)
    assert result.value is not None, result
    shown = getattr(result.value, "formatted", None) or result.value.number
    assert shown.replace(" ", "") == value.replace(" ", ""), (raw, result.value)


def test_strip_labels_keeps_everything_else() -> None:
    assert ids.strip_labels("ИНН: 7707083893") == "7707083893"
    assert ids.strip_labels("ЕНП2341998071655749") == "2341998071655749"
    assert ids.strip_labels("серия 4508 номер 123456") == "4508 123456"
    # whole words only: a word that merely starts like a label is left alone
    assert ids.strip_labels("Полисмен 12") == "Полисмен 12"
    assert ids.strip_labels("Innsbruck 5") == "Innsbruck 5"
    assert ids.strip_labels("ЯМ 1234567890") == "ЯМ 1234567890"
    assert not ids.check_snils("СНИЛСЫ 112-233-445 95").ok  # not a label word: still refused


@pytest.mark.parametrize(
    ("check", "raw", "code"),
    [
        (ids.check_snils, "СНИЛС 112-233-445 96", "snils-checksum"),
        (ids.check_inn, "ИНН 7707083894", "inn-checksum"),
        (ids.check_inn, "ИНН 770708389", "inn-length"),
        (ids.check_ogrn, "ОГРН 1027700132196", "ogrn-checksum"),
        (ids.check_passport_number, "серия 4508 номер 12345", "passport-length"),
        (ids.check_oms, "ЕНП 7700 0000 0000 0017", "oms-checksum"),
    ],
)
def test_labels_do_not_hide_mistakes(check: Callable[[str], Checked[Any]], raw: str, code: str) -> None:
    assert error_codes(check(raw)) == [code]
