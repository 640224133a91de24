"""Canonical JSON, content hashes and the simple electronic signature of a submitted application."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.signature import SimpleSignature, application_content, canonical_json, content_hash, sign, verify

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
APPLICATION: dict[str, Any] = {
    "person": {"surname": "Иванова", "name": "Анна", "patronymic": None, "birth_date": date(1990, 2, 1)},
    "snils": "112-233-445 95",
    "category": "food",
    "exams": [{"code": "therapist", "date": date(2026, 2, 20), "confirmed": True}],
    "payment": {"price_rub": Decimal("1500.00"), "paid_at": datetime(2026, 2, 21, 12, 0, tzinfo=UTC)},
}


class Colour(StrEnum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


class Plain(Enum):
    A = "a"


def test_known_canonical_form() -> None:
    value = {"b": 1, "a": [True, False, None, 'ё"\n'], "c": {"y": -2, "x": 1.5}}
    expected = '{"a":[true,false,null,"ё\\"\\n"],"b":1,"c":{"x":1.5,"y":-2}}'.encode()
    assert canonical_json(value) == expected
    assert content_hash(value) == hashlib.sha256(expected).hexdigest()


def test_the_application_has_a_known_canonical_form() -> None:
    expected = (
        '{"category":"food","exams":[{"code":"therapist","confirmed":true,"date":"2026-02-20"}],'
        '"payment":{"paid_at":"2026-02-21T12:00:00Z","price_rub":"1500"},'
        '"person":{"birth_date":"1990-02-01","name":"Анна","patronymic":null,"surname":"Иванова"},'
        '"snils":"112-233-445 95"}'
    ).encode()
    assert canonical_json(APPLICATION) == expected


def test_output_is_utf8_without_ascii_escapes_or_whitespace() -> None:
    raw = canonical_json({"имя": "Пётр", "list": [1, 2]})
    assert raw.decode("utf-8") == '{"list":[1,2],"имя":"Пётр"}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


@settings(max_examples=100, database=None, deadline=None)
@given(json_values)
def test_stable_under_key_order_and_valid_json(value: Any) -> None:
    raw = canonical_json(value)
    assert raw == canonical_json(_reordered(value))
    assert json.loads(raw) == value
    # For plain JSON values the form is exactly the standard library's compact, sorted, non-ASCII output.
    assert raw == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@settings(max_examples=100, database=None, deadline=None)
@given(st.dictionaries(st.text(max_size=5), st.integers(), min_size=1), st.data())
def test_different_content_gives_a_different_hash(value: dict[str, int], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(value)))
    changed = {**value, key: value[key] + 1}
    assert content_hash(changed) != content_hash(value)


def test_list_order_matters() -> None:
    assert content_hash([1, 2]) != content_hash([2, 1])


def test_decimals_are_signed_by_amount_not_spelling() -> None:
    assert canonical_json(Decimal("1500.00")) == b'"1500"'
    assert canonical_json(Decimal("1.50")) == b'"1.5"'
    assert canonical_json(Decimal("-0.00")) == b'"0"'
    assert canonical_json(Decimal("1E+3")) == b'"1000"'
    assert canonical_json(Decimal("0.000001")) == b'"0.000001"'
    for bad in (Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")):
        with pytest.raises(ValueError):
            canonical_json(bad)


def test_datetimes_are_utc_and_must_be_aware() -> None:
    moscow = timezone(timedelta(hours=3))
    assert canonical_json(NOW) == b'"2026-03-01T10:00:00Z"'
    assert canonical_json(NOW.astimezone(moscow)) == canonical_json(NOW)
    assert canonical_json(NOW.replace(microsecond=5)) == b'"2026-03-01T10:00:00.000005Z"'
    assert canonical_json(date(2026, 3, 1)) == b'"2026-03-01"'
    with pytest.raises(TypeError, match="naive"):
        canonical_json(datetime(2026, 3, 1, 10, 0))


def test_enums_are_their_values() -> None:
    assert canonical_json({Colour.RED: Colour.RED, "level": Level.HIGH, "p": Plain.A}) == (
        b'{"level":3,"p":"a","red":"red"}'
    )


def test_floats() -> None:
    assert canonical_json(0.1) == b"0.1"
    assert canonical_json(1.0) == b"1.0"
    for bad in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError, match="non-finite"):
            canonical_json({"x": [bad]})


@pytest.mark.parametrize(
    "value",
    [{1, 2}, frozenset(), b"bytes", bytearray(b"x"), object(), time(10, 0), 1j, {"k": {1}}],
    ids=lambda v: type(v).__name__,
)
def test_unknown_types_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(TypeError, match="keys must be str"):
        canonical_json({1: "a"})
    with pytest.raises(TypeError, match="keys must be str"):
        canonical_json({Level.HIGH: "a"})


def test_circular_structures_are_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="circular"):
        canonical_json(loop)
    shared = [1]
    assert canonical_json([shared, shared]) == b"[[1],[1]]"  # shared, not circular


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        canonical_json("\ud800")


def test_tuples_are_arrays() -> None:
    assert canonical_json((1, "a")) == canonical_json([1, "a"]) == b'[1,"a"]'


def test_content_hash_shape() -> None:
    digest = content_hash(APPLICATION)
    assert len(digest) == 64 and digest == digest.lower()
    assert digest == hashlib.sha256(canonical_json(APPLICATION)).hexdigest()


# --- the signature -----------------------------------------------------------------------------------------


def test_sign_and_verify() -> None:
    signature = sign(APPLICATION, 2002, NOW)
    assert signature == SimpleSignature(2002, NOW, content_hash(APPLICATION))
    assert verify(APPLICATION, signature)
    assert verify(_reordered(APPLICATION), signature)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda a: a["person"].update(surname="Петрова"),
        lambda a: a["payment"].update(price_rub=Decimal("15.00")),
        lambda a: a["exams"][0].update(confirmed=False),
        lambda a: a["exams"].append({"code": "dentist"}),
        lambda a: a.update(extra=None),
        lambda a: a.pop("snils"),
        lambda a: a.update(snils="112-233-445 95 "),
    ],
)
def test_tampered_content_does_not_verify(tamper: Any) -> None:
    signature = sign(APPLICATION, 2002, NOW)
    copy = json.loads(json.dumps(APPLICATION, default=str))
    copy["payment"]["price_rub"] = Decimal(copy["payment"]["price_rub"])
    copy["payment"]["paid_at"] = datetime.fromisoformat(copy["payment"]["paid_at"])
    copy["person"]["birth_date"] = date.fromisoformat(copy["person"]["birth_date"])
    copy["exams"][0]["date"] = date.fromisoformat(copy["exams"][0]["date"])
    assert verify(copy, signature)
    tamper(copy)
    assert not verify(copy, signature)


def test_a_forged_hash_does_not_verify() -> None:
    signature = sign(APPLICATION, 2002, NOW)
    forged = SimpleSignature(2002, NOW, "0" * 64)
    assert verify(APPLICATION, signature) and not verify(APPLICATION, forged)


@pytest.mark.parametrize(
    ("signer", "at", "digest", "error"),
    [
        (0, NOW, "a" * 64, ValueError),
        (-5, NOW, "a" * 64, ValueError),
        (True, NOW, "a" * 64, ValueError),
        (5, datetime(2026, 3, 1), "a" * 64, ValueError),
        (5, date(2026, 3, 1), "a" * 64, TypeError),
        (5, NOW, "A" * 64, ValueError),
        (5, NOW, "a" * 63, ValueError),
        (5, NOW, "g" * 64, ValueError),
    ],
)
def test_signature_fields_are_validated(signer: Any, at: Any, digest: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        SimpleSignature(signer, at, digest)


def test_application_content_binds_the_files_by_hash() -> None:
    draft = {"surname": "Иванова", "snils": "112-233-445 95"}
    signed = application_content(draft, [(1, "photo", "a" * 64), (2, "passport_main", "b" * 64)])
    swapped = application_content(draft, [(1, "photo", "a" * 64), (2, "passport_main", "c" * 64)])
    assert signed["files"][1] == {"id": 2, "kind": "passport_main", "sha256": "b" * 64}
    assert content_hash(signed) != content_hash(swapped)
    assert content_hash(signed) == content_hash(application_content(dict(reversed(draft.items())), [
        (1, "photo", "a" * 64), (2, "passport_main", "b" * 64)]))
