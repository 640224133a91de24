"""Sharing a book with an employer: the rules of a share link, and the rate limiter of its page.

A share is made by the holder for one employer (named by ИНН or ОГРН, checked as in the wizard), at one
access level, for one of a few lifetimes. The link carries a random token (192 bits from `secrets`); only its
SHA-256 is stored, so the database alone opens nothing. The state a person sees is computed: «expired» is
never written, it is what a created or opened share becomes once its time is up.

The token bucket is written here rather than taken from `limits` or `aiolimiter`: those measure time with
their own clock (time.time / the event loop), while this one takes the time as an argument, so the page's
limits are tested with a fixed clock and no sleeping; it is thirty lines and keeps a bounded number of keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from domain.identifiers import check_inn, check_ogrn, normalize_digits
from domain.issues import Checked, error

__all__ = [
    "DEFAULT_LIFETIME_DAYS",
    "LIFETIMES_DAYS",
    "TOKEN_BYTES",
    "ShareLevel",
    "ShareState",
    "check_employer_id",
    "clean_employer_name",
    "csrf_token",
    "csrf_valid",
    "expires_at",
    "is_live",
    "looks_like_token",
    "new_token",
    "same_employer",
    "share_state",
    "token_hash",
]

TOKEN_BYTES: Final = 24  # 192 random bits; the URL holds the token and nothing else
LIFETIMES_DAYS: Final = (7, 30, 90)
DEFAULT_LIFETIME_DAYS: Final = 30
NAME_MAX: Final = 200
_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9_-]{32}")  # what token_urlsafe(24) gives, exactly


class ShareLevel(StrEnum):
    FULL = "full"  # the entries
    STATUS = "status"  # valid or not, and until when


class ShareState(StrEnum):
    CREATED = "created"
    OPENED = "opened"
    DELIVERED = "delivered"  # the employer confirmed receipt
    REVOKED = "revoked"
    EXPIRED = "expired"  # computed, never stored




def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a token (hex SHA-256): a look-up by hash, never by the token."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_token(text: str) -> bool:
    """A string that could be a token; anything else is refused before the database is asked."""
    return _TOKEN_RE.fullmatch(text) is not None


def expires_at(created: datetime, days: int) -> datetime:
    if days not in LIFETIMES_DAYS:
        raise ValueError(f"a share lives {LIFETIMES_DAYS} days, not {days}")
    return created + timedelta(days=days)


def share_state(stored: str, expires: datetime, now: datetime) -> ShareState:
    """What the holder's list says. Revoked and delivered stay what they are; a created or opened share whose
    time is up is expired."""
    state = ShareState(stored)
    if state in (ShareState.REVOKED, ShareState.DELIVERED):
        return state
    return ShareState.EXPIRED if now >= expires else state


def is_live(stored: str, expires: datetime, now: datetime) -> bool:
    """Whether the link still opens: not revoked and not past its time (a delivered share stays readable)."""
    return ShareState(stored) is not ShareState.REVOKED and now < expires


def check_employer_id(raw: str) -> Checked[str]:
    """The employer's ИНН (10 or 12 digits) or ОГРН/ОГРНИП (13 or 15 digits), by the number of digits."""
    digits = normalize_digits(raw)
    if re.fullmatch(r"[0-9]*", digits) is None:
        return Checked.bad(error("inn-chars"))
    if len(digits) in (10, 12):
        return check_inn(digits)
    if len(digits) in (13, 15):
        return check_ogrn(digits)
    return Checked.bad(error("share-employer-id-length", got=len(digits)))


def same_employer(named: str, given: str) -> bool:
    """Whether what the employer typed is the ИНН/ОГРН the holder named (both normalised)."""
    checked = check_employer_id(given)
    return checked.value is not None and hmac.compare_digest(checked.value, named)


def clean_employer_name(raw: str) -> str | None:
    """The optional name: spaces collapsed, at most NAME_MAX characters; None when nothing is left."""
    text = " ".join(raw.split())
    if not text:
        return None
    return text[:NAME_MAX]


def csrf_token(secret: bytes, nonce: str, share_hash: str) -> str:
    """The confirmation form's token: bound to the browser's cookie nonce and to the share."""
    return hmac.new(secret, f"{nonce}:{share_hash}".encode("ascii", "replace"), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, nonce: str | None, share_hash: str, given: str | None) -> bool:
    if not nonce or not given:
        return False
    return hmac.compare_digest(csrf_token(secret, nonce, share_hash), given)
