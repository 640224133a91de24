"""Personal data of the applicant: dates, age, names, phone, e-mail, address.

Every checker takes the raw text a person typed, normalises it (spaces, dashes, letter case, Latin
look-alikes) and returns :class:`~domain.issues.Checked` with issue codes, never prose.

Issue codes (severity) used here:

* ``date-format``, ``date-invalid`` (error) — any date field;
* ``birth-date-future``, ``birth-date-too-old`` (error);
* ``name-empty``, ``name-latin``, ``name-chars``, ``name-too-long`` (error), ``name-looks-full`` (warning),
  all with the param ``field`` = ``surname`` | ``name`` | ``patronymic``;
* ``phone-invalid``, ``phone-not-russian``, ``phone-not-mobile`` (error);
* ``email-invalid`` (error);
* ``address-no-index``, ``address-index-invalid``, ``address-too-short``, ``address-too-long`` (error);
* ``postal-index-format`` (error).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from domain.issues import Checked, Issue, error, warning
from domain.text import clean_text

NamePart = Literal["surname", "name", "patronymic"]

MAX_AGE: Final = 110
ADULT_AGE: Final = 18
PASSPORT_AGE: Final = 14
NAME_MAX_LEN: Final = 60
ADDRESS_MIN_LEN: Final = 10
ADDRESS_MAX_LEN: Final = 300

PERSON_ISSUE_CODES: Final = frozenset(
    {
        "date-format",
        "date-invalid",
        "birth-date-future",
        "birth-date-too-old",
        "name-empty",
        "name-latin",
        "name-chars",
        "name-too-long",
        "name-looks-full",
        "phone-invalid",
        "phone-not-russian",
        "phone-not-mobile",
        "email-invalid",
        "address-no-index",
        "address-index-invalid",
        "address-too-short",
        "address-too-long",
        "postal-index-format",
    }
)

_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad]")


def collapse_spaces(raw: str) -> str:
    """Trim and turn every run of whitespace (including no-break spaces) into one space."""
    return _SPACES.sub(" ", raw).strip()


# --- dates -----------------------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})")
_YMD = re.compile(r"(\d{4})([./-])(\d{1,2})\2(\d{1,2})")
_AROUND_SEPARATOR = re.compile(r"\s*([./\-])\s*")
_YEAR_SUFFIX = re.compile(r"\s*г(?:ода|\.)?\s*$", re.IGNORECASE)


def parse_date(raw: str) -> Checked[date]:
    """Read ДД.ММ.ГГГГ (also Д.М.ГГГГ, ДД/ММ/ГГГГ, ДД-ММ-ГГГГ, ДД ММ ГГГГ) or ГГГГ-ММ-ДД (ГГГГ.ММ.ДД).

    ``date-format`` when the text is not a date at all, ``date-invalid`` when it names a day that does not
    exist (31.02.2020, 29.02.2019, 00.01.2000).
    """
    text = _YEAR_SUFFIX.sub("", collapse_spaces(raw))
    text = _AROUND_SEPARATOR.sub(r"\1", text)
    if m := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _YMD.fullmatch(text):
        year, month, day = int(m[1]), int(m[3]), int(m[4])
    else:
        return Checked.bad(error("date-format"))
    try:
        return Checked.good(date(year, month, day))
    except ValueError:
        return Checked.bad(error("date-invalid"))


def anniversary(birth: date, years: int) -> date:
    """The day a person born on ``birth`` turns ``years`` old (29 February → 1 March in common years)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        return date(birth.year + years, 3, 1)


def age_on(birth: date, on: date) -> int:
    """Full years of age on the day ``on`` (negative if ``on`` is before the birth)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def is_minor(birth: date, today: date) -> bool:
    return age_on(birth, today) < ADULT_AGE


def needs_birth_certificate(birth: date, today: date) -> bool:
    """Under 14 a child has no passport yet: the identity document is the birth certificate."""
    return age_on(birth, today) < PASSPORT_AGE


def check_birth_date(raw: str, today: date) -> Checked[date]:
    parsed = parse_date(raw)
    if parsed.value is None:
        return parsed
    birth = parsed.value
    if birth > today:
        return Checked.bad(error("birth-date-future"))
    if age_on(birth, today) > MAX_AGE:
        return Checked.bad(error("birth-date-too-old", max=MAX_AGE))
    return Checked.good(birth)


def is_past_grace(birth: date, years: int, today: date, grace_days: int) -> bool:
    """True once ``grace_days`` have passed after the ``years``-th birthday."""
    return today > anniversary(birth, years) + timedelta(days=grace_days)


# --- names -----------------------------------------------------------------------------------------------

# Latin letters that look exactly like Cyrillic ones; swapped only inside words that already hold Cyrillic.
LATIN_TO_CYRILLIC: Final = str.maketrans(
    "AaBCcEeHKMOoPpTXxYy",
    "АаВСсЕеНКМОоРрТХхУу",
)
_CYRILLIC_LETTER = re.compile(r"[А-Яа-яЁё]")
_NAME_CHARS = re.compile(r"[А-Яа-яЁё' -]+")
_NAME_PART = re.compile(r"[А-Яа-яЁё]+(?:'[А-Яа-яЁё]+)*")
_APOSTROPHES = re.compile(r"[\u2019\u02bc\u2018\u0060\u00b4\u02b9\u2032]")
_AROUND_HYPHEN = re.compile(r"\s*-\s*")
# Parts of Turkic patronymics written in lower case in Russian documents: «Мамед оглы», «Айгюль кызы».
_LOWER_PARTICLES: Final = frozenset({"оглы", "кызы", "улы", "уулу", "угли", "кизи"})


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")


def _fix_lookalikes(word: str) -> str:
    if _CYRILLIC_LETTER.search(word):
        return word.translate(LATIN_TO_CYRILLIC)
    return word


def _capitalise(text: str) -> str:
    uniform_case = text == text.lower() or text == text.upper()
    words: list[str] = []
    for index, word in enumerate(text.split(" ")):
        if index > 0 and word.lower() in _LOWER_PARTICLES:
            words.append(word.lower())
            continue
        parts: list[str] = []
        for part in word.split("-"):
            rest = part[1:].lower() if uniform_case else part[1:]
            parts.append(part[:1].upper() + rest)
        words.append("-".join(parts))
    return " ".join(words)


def check_name_part(raw: str, part: NamePart) -> Checked[str]:
    """Surname, name or patronymic in Russian letters: «иванова-петрова» → «Иванова-Петрова»; ё is kept."""
    text = _DASHES.sub("-", collapse_spaces(raw))
    text = _APOSTROPHES.sub("'", _AROUND_HYPHEN.sub("-", text))
    if not text:
        return Checked.bad(error("name-empty", field=part))
    text = " ".join(_fix_lookalikes(word) for word in text.split(" "))
    if any(_is_latin_letter(ch) for ch in text):
        return Checked.bad(error("name-latin", field=part))
    if not _NAME_CHARS.fullmatch(text):
        return Checked.bad(error("name-chars", field=part))
    if not all(_NAME_PART.fullmatch(p) for word in text.split(" ") for p in word.split("-")):
        return Checked.bad(error("name-chars", field=part))
    if len(text) > NAME_MAX_LEN:
        return Checked.bad(error("name-too-long", field=part, max=NAME_MAX_LEN))
    warnings: list[Issue] = []
    if part != "patronymic" and text.count(" ") >= 2:
        warnings.append(warning("name-looks-full", field=part))
    return Checked.good(_capitalise(text), warnings)


# --- phone and e-mail ------------------------------------------------------------------------------------

_PHONE_ALLOWED = re.compile(r"\+?[\d\s().\-]+")


def check_phone(raw: str) -> Checked[str]:
    """A Russian mobile number in any usual form («8 912 345-67-89», «+7 (912) 3456789», «9123456789»,
    «79123456789» as Telegram sends contacts) → E.164 «+79123456789»."""
    text = collapse_spaces(raw)
    if not _PHONE_ALLOWED.fullmatch(text):
        return Checked.bad(error("phone-invalid"))
    digits = re.sub(r"\D", "", text)
    if not text.startswith("+") and len(digits) >= 11 and not digits.startswith("8"):
        text = "+" + digits  # an international number written without the plus
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException:
        return Checked.bad(error("phone-invalid"))
    if not phonenumbers.is_valid_number(number):
        return Checked.bad(error("phone-invalid"))
    if phonenumbers.region_code_for_number(number) != "RU":
        return Checked.bad(error("phone-not-russian"))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not e164.startswith("+79"):
        return Checked.bad(error("phone-not-mobile"))
    return Checked.good(e164)


def check_email(raw: str) -> Checked[str]:
    """Syntax only (no DNS): returns the normalised address (the domain in lower case)."""
    text = raw.strip()
    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return Checked.bad(error("email-invalid"))
    return Checked.good(info.normalized)


# --- address ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    postal_index: str
    text: str


_SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?!\d)")
_RUSSIAN_INDEX_FIRST_DIGITS: Final = "123456"


def check_postal_index(raw: str) -> Checked[str]:
    """A Russian postal index: 6 digits, the first one 1–6."""
    text = re.sub(r"\s", "", raw)
    if not re.fullmatch(r"[0-9]{6}", text):
        return Checked.bad(error("postal-index-format"))
    if text[0] not in _RUSSIAN_INDEX_FIRST_DIGITS:
        return Checked.bad(error("address-index-invalid", index=text))
    return Checked.good(text)


def check_address(raw: str) -> Checked[Address]:
    """A registration address in free text that contains a 6-digit postal index; kept as written, cleaned
    (:func:`domain.text.clean_text`)."""
    text = clean_text(raw)
    issues: list[Issue] = []
    candidates = _SIX_DIGITS.findall(text)
    russian = [c for c in candidates if c[0] in _RUSSIAN_INDEX_FIRST_DIGITS]
    index = russian[0] if russian else ""
    if not candidates:
        issues.append(error("address-no-index"))
    elif not russian:
        issues.append(error("address-index-invalid", index=candidates[0]))
    rest = re.sub(rf"(?<!\d){index}(?!\d)", " ", text, count=1) if index else text
    rest = collapse_spaces(rest).strip(" ,.;:-")
    if len(rest) < ADDRESS_MIN_LEN or not re.search(r"[^\W\d_]", rest):
        issues.append(error("address-too-short", min=ADDRESS_MIN_LEN))
    if len(text) > ADDRESS_MAX_LEN:
        issues.append(error("address-too-long", max=ADDRESS_MAX_LEN))
    if issues:
        return Checked.bad(*issues)
    return Checked.good(Address(postal_index=index, text=text))
