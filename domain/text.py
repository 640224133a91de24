"""Free text as people send it, made safe to keep, show and sign.

Telegram delivers whatever the keyboard or a copy-paste produced: zero-width spaces and joiners, direction
marks and overrides (which can make «ул. Ленина 5» display as something else in the summary and in the signed
data), a byte-order mark, soft hyphens, tabs and line breaks, letters with combining accents. Every text answer
goes through :func:`clean_text` before a rule looks at it, so the draft never holds them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Unicode categories dropped outright: Cf (format: U+00AD soft hyphen, U+061C, U+200B–U+200F, U+202A–U+202E,
# U+2060–U+2064, U+2066–U+2069, U+FEFF, …), Cs (lone surrogates), Co (private use).
_DROPPED: Final = frozenset({"Cf", "Cs", "Co"})
# Line and paragraph separators become a space; so do the control characters that are whitespace (tab,
# line feed, carriage return, NEL, …). Any other control character (NUL, BEL, ESC, DEL) is dropped.
_AS_SPACE: Final = frozenset({"Zl", "Zp"})
_SPACES = re.compile(r"\s+")


def clean_text(raw: str) -> str:
    """NFC; format, private-use and surrogate characters and non-space control characters removed; line
    breaks and tabs turned into spaces; every run of whitespace (no-break spaces too) one space; trimmed."""
    text = unicodedata.normalize("NFC", raw)
    if text.isprintable():  # the usual answer: no Cc, Cf, Cs, Co, Zl, Zp (nor Cn, Zs but the space), so
        return _SPACES.sub(" ", text).strip()  # the loop below would keep every character as it is
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in _DROPPED or (category == "Cc" and not ch.isspace()):
            continue
        out.append(" " if category in _AS_SPACE or category == "Cc" else ch)
    return _SPACES.sub(" ", "".join(out)).strip()
