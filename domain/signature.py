"""Canonical JSON, content hashes and the citizen's simple electronic signature.

When a citizen presses «Подписать и отправить», the bot records who signed, when, and the SHA-256 of the
canonical form of exactly what was submitted. Anyone holding the same content can recompute the hash later,
so a changed application no longer matches its signature.

Canonical form (stable across runs, processes and dict orders):

* objects: keys sorted by code point, no whitespace; keys must be ``str`` (a ``StrEnum`` key counts as its
  value);
* strings: UTF-8, non-ASCII kept as is (``ensure_ascii=False``), JSON escapes for quotes, backslash and
  control characters; the text is not otherwise normalised: the signature covers exactly what was submitted;
* ``None``/``bool``/``int`` as JSON; a ``float`` as Python's shortest round-trip repr; NaN and infinities
  are refused;
* ``Decimal`` as a JSON *string* in plain notation without trailing zeros (``Decimal("1500.00")`` →
  ``"1500"``), so the amount, not its spelling, is signed; NaN and infinities are refused;
* ``datetime`` must be timezone-aware and becomes a UTC string ``2026-03-01T07:00:00Z`` (microseconds only if
  non-zero), so one instant hashes the same from any time zone; ``date`` becomes ``2026-03-01``;
* an ``Enum`` member as its value; lists and tuples as arrays;
* anything else (sets, bytes, naive datetimes, times, objects) raises ``TypeError``: convert it first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = ["SimpleSignature", "canonical_json", "content_hash", "sign", "verify"]


def canonical_json(obj: object) -> bytes:
    """The canonical UTF-8 JSON form of ``obj`` (see the module documentation)."""
    parts: list[str] = []
    _encode(obj, parts, set())
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text contains a lone surrogate and cannot be encoded as UTF-8") from None


def content_hash(obj: object) -> str:
    """SHA-256 of :func:`canonical_json` as 64 lowercase hex digits."""
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def _encode(obj: object, out: list[str], active: set[int]) -> None:
    if isinstance(obj, Enum):
        _encode(obj.value, out, active)
    elif obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, int):
        out.append(int.__repr__(obj))
    elif isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"cannot canonicalise a non-finite float ({obj!r})")
        out.append(float.__repr__(obj))
    elif isinstance(obj, Decimal):
        out.append(json.dumps(_decimal_text(obj)))
    elif isinstance(obj, datetime):
        out.append(json.dumps(_datetime_text(obj)))
    elif isinstance(obj, date):
        out.append(json.dumps(obj.isoformat()))
    elif isinstance(obj, Mapping | list | tuple):
        if id(obj) in active:
            raise ValueError("cannot canonicalise a circular structure")
        active.add(id(obj))
        if isinstance(obj, Mapping):
            _encode_mapping(obj, out, active)
        else:
            out.append("[")
            for index, item in enumerate(obj):
                if index:
                    out.append(",")
                _encode(item, out, active)
            out.append("]")
        active.discard(id(obj))
    else:
        raise TypeError(f"cannot canonicalise a value of type {type(obj).__name__}")


def _encode_mapping(obj: Mapping[object, object], out: list[str], active: set[int]) -> None:
    items: dict[str, object] = {}
    for key, value in obj.items():
        if isinstance(key, Enum):
            key = key.value
        if not isinstance(key, str):
            raise TypeError(f"object keys must be str, not {type(key).__name__}")
        items[str(key)] = value
    out.append("{")
    for index, key in enumerate(sorted(items)):
        if index:
            out.append(",")
        out.append(json.dumps(key, ensure_ascii=False))
        out.append(":")
        _encode(items[key], out, active)
    out.append("}")


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"cannot canonicalise a non-finite Decimal ({value})")
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def _datetime_text(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise TypeError("cannot canonicalise a naive datetime: give it a time zone")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class SimpleSignature:
    """A simple electronic signature: who (Telegram id), when (tz-aware), and the hash of what was signed."""

    signer_telegram_id: int
    signed_at: datetime
    content_sha256: str

    def __post_init__(self) -> None:
        signer = self.signer_telegram_id
        if not isinstance(signer, int) or isinstance(signer, bool) or signer <= 0:
            raise ValueError("signer_telegram_id must be a positive int")
        if not isinstance(self.signed_at, datetime):
            raise TypeError("signed_at must be a datetime")
        if self.signed_at.tzinfo is None or self.signed_at.utcoffset() is None:
            raise ValueError("signed_at must be timezone-aware")
        if not isinstance(self.content_sha256, str) or not _SHA256_HEX.fullmatch(self.content_sha256):
            raise ValueError("content_sha256 must be 64 lowercase hex digits")


def sign(content: object, signer_id: int, now: datetime) -> SimpleSignature:
    """Sign ``content`` (anything :func:`canonical_json` accepts) as ``signer_id`` at ``now``."""
    return SimpleSignature(signer_telegram_id=signer_id, signed_at=now, content_sha256=content_hash(content))


def verify(content: object, signature: SimpleSignature) -> bool:
    """Whether ``content`` is exactly what was signed. Content that cannot be canonicalised raises."""
    return hmac.compare_digest(content_hash(content), signature.content_sha256)


def application_content(draft: Mapping[str, Any], files: Sequence[tuple[int, str, str]]) -> dict[str, Any]:
    """Exactly what a citizen signs when submitting: the application's data and each file by its hash
    (id, kind, sha256), so a file swapped later no longer matches the signature."""
    return {
        "draft": dict(draft),
        "files": [{"id": file_id, "kind": kind, "sha256": sha} for file_id, kind, sha in files],
    }
