"""Russian identifiers: СНИЛС, полис ОМС, ИНН, ОГРН/ОГРНИП, ОКПО, passport, birth certificate.

Each ``check_*`` takes what a person typed, normalises it (spaces, dashes, dots, «№», letter case,
Cyrillic/Latin look-alikes), verifies the format and the check digits and returns
:class:`~domain.issues.Checked` with issue codes, never prose.

Issue codes (severity) used here:

* ``snils-chars``, ``snils-length`` (param ``got``), ``snils-checksum`` (error);
  ``snils-no-checksum`` (warning);
* ``oms-length`` (param ``got``), ``oms-checksum`` (error); ``oms-temporary``, ``oms-old-format`` (warning);
* ``inn-chars``, ``inn-length`` (params ``got``, ``allowed`` = both | legal | individual), ``inn-checksum``;
* ``ogrn-chars``, ``ogrn-length`` (param ``got``), ``ogrn-first-digit``, ``ogrn-checksum``,
  ``ogrnip-first-digit``, ``ogrnip-checksum`` (error);
* ``okpo-chars``, ``okpo-length`` (param ``got``), ``okpo-checksum`` (error); ``okpo-ambiguous`` (warning);
* ``passport-chars``, ``passport-length`` (param ``got``) (error); ``passport-region-unknown`` (warning, param
  ``code``); ``passport-issue-future``, ``passport-issue-before-14`` (error); ``passport-not-replaced-20``,
  ``passport-not-replaced-45`` (warning); ``division-code-format``, ``issued-by-length`` (params ``min``,
  ``max``) (error);
* ``birth-cert-format``, ``birth-cert-series-roman``, ``birth-cert-series-letters``, ``birth-cert-number``
  (param ``got``), ``birth-cert-issue-future``, ``birth-cert-issue-before-birth`` (error);
* ``foreign-passport-chars``, ``foreign-passport-length`` (params ``got``, ``min``, ``max``),
  ``foreign-passport-digits``, ``foreign-passport-issue-future``, ``foreign-passport-issue-before-birth``,
  ``foreign-passport-expiry-before-issue`` (error); ``foreign-passport-expired`` (warning);
* ``dms-number-format`` (params ``min``, ``max``) (error);
* ``date-format``, ``date-invalid`` from :func:`domain.person.parse_date`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from domain.issues import Checked, Issue, Severity, error, warning
from domain.okato import is_known_passport_region
from domain.person import PASSPORT_AGE, anniversary, collapse_spaces, is_past_grace, parse_date
from domain.text import clean_text

IDENTIFIER_ISSUE_CODES: Final = frozenset(
    {
        "snils-chars",
        "snils-length",
        "snils-checksum",
        "snils-no-checksum",
        "oms-length",
        "oms-checksum",
        "oms-temporary",
        "oms-old-format",
        "inn-chars",
        "inn-length",
        "inn-checksum",
        "ogrn-chars",
        "ogrn-length",
        "ogrn-first-digit",
        "ogrn-checksum",
        "ogrnip-first-digit",
        "ogrnip-checksum",
        "okpo-chars",
        "okpo-length",
        "okpo-checksum",
        "okpo-ambiguous",
        "passport-chars",
        "passport-length",
        "passport-region-unknown",
        "passport-issue-future",
        "passport-issue-before-14",
        "passport-not-replaced-20",
        "passport-not-replaced-45",
        "division-code-format",
        "issued-by-length",
        "birth-cert-format",
        "birth-cert-series-roman",
        "birth-cert-series-letters",
        "birth-cert-number",
        "birth-cert-issue-future",
        "birth-cert-issue-before-birth",
        "foreign-passport-chars",
        "foreign-passport-length",
        "foreign-passport-digits",
        "foreign-passport-issue-future",
        "foreign-passport-issue-before-birth",
        "foreign-passport-expiry-before-issue",
        "foreign-passport-expired",
        "dms-number-format",
        "date-format",
        "date-invalid",
    }
)

_ASCII_DIGITS = re.compile(r"[0-9]+")
_NON_DIGIT = re.compile(r"[^0-9]")
_DIGIT_NOISE = re.compile(r"[\s\-\u2010-\u2015\u2212.№Nn]")


# Words people type in front of (or between the parts of) a number: «СНИЛС: …», «ИНН …», «полис ОМС № …»,
# «серия 4508 номер 123456», «Passport No. …». Longest phrases first; matched as whole words, any case,
# also glued to the number («ЕНП2341…»). Removed before any identifier is checked.
_LABEL_PHRASES: Final = tuple(
    tuple(phrase.split("_"))
    for phrase in (
        "единый_номер_полиса", "номер_полиса", "полис_омс", "полис", "омс", "енп", "дмс",
        "страховой_номер", "снилс", "огрнип", "огрн", "инн", "окпо", "кпп",
        "паспорт_гражданина_рф", "паспорт_рф", "паспорт", "свидетельство_о_рождении", "свидетельство",
        "код_подразделения", "код", "серия_и_номер", "серия", "номер", "сер", "ном",
        "insurance_policy", "policy_number", "policy", "oms", "enp", "mhi", "snils", "ogrnip", "ogrn", "inn",
        "tin", "okpo", "passport", "birth_certificate", "certificate", "division_code", "code",
        "series_and_number", "series", "number", "no",
    )
)
_LABEL_WORD = "|".join(
    r"\s+".join(re.escape(w) for w in words)
    for words in sorted(_LABEL_PHRASES, key=lambda words: len(" ".join(words)), reverse=True)
)
_LABELS = re.compile(rf"[,;]?\s*(?<![^\W\d_])(?:{_LABEL_WORD})(?![^\W\d_])\.?\s*[:=#]?", re.IGNORECASE)
# For numbers that hold letters themselves (a foreign passport «000NO», «NO 1234567»): a label is a separate
# word only, and the two-letter «No» only with its dot or colon («No. 1234567»), since two letters may be a series.
_SEPARATE_LABEL_WORD = "|".join(
    r"\s+".join(re.escape(w) for w in words)
    for words in sorted(_LABEL_PHRASES, key=lambda words: len(" ".join(words)), reverse=True)
    if words != ("no",)
)
_SEPARATE_LABELS = re.compile(
    rf"[,;]?\s*(?<!\w)(?:(?:{_SEPARATE_LABEL_WORD})(?!\w)\.?|no(?:\.|\s*:))\s*[:=#]?", re.IGNORECASE
)


def strip_labels(raw: str, *, glued: bool = True) -> str:
    """Drop label words typed with a number: «ИНН: 7707083893» → «7707083893», «серия 4508 номер 123456» →
    «4508 123456», «ЕНП 2341998071655749» → «2341998071655749»; spaces are collapsed. ``glued=False`` keeps
    letters that touch digits, for numbers whose letters are part of them."""
    pattern = _LABELS if glued else _SEPARATE_LABELS
    return collapse_spaces(pattern.sub(" ", raw.replace("№", " ")))


def has_series_label(raw: str) -> bool:
    """True when the person marked a series in words («серия 3401 номер 123456», «series 3401»)."""
    return re.search(r"(?<![^\W\d_])(?:серия|сер|series)(?![^\W\d_])", raw, re.IGNORECASE) is not None


def normalize_digits(raw: str) -> str:
    """Drop label words (:func:`strip_labels`) and what people put between digits: spaces, dashes, dots,
    «№» and «N»."""
    return _DIGIT_NOISE.sub("", strip_labels(raw))


def _is_digits(text: str) -> bool:
    return _ASCII_DIGITS.fullmatch(text) is not None


def mask_tail(value: str, keep: int = 2, *, letters: bool = False) -> str:
    """Hide every digit but the last ``keep``, keeping separators: «45 08 123456» → «** ** ****56».
    With ``letters``, letters count as part of the number too (a foreign passport, a ДМС policy):
    «AA 1234567» → «** *****67»."""
    secret = str.isalnum if letters else str.isdigit
    to_mask = sum(secret(ch) for ch in value) - max(keep, 0)
    out: list[str] = []
    for ch in value:
        if secret(ch) and to_mask > 0:
            out.append("*")
            to_mask -= 1
        else:
            out.append(ch)
    return "".join(out)


# --- СНИЛС -----------------------------------------------------------------------------------------------

SNILS_NO_CHECKSUM_MAX: Final = 1_001_998  # numbers up to 001-001-998 were issued without a check number


def snils_checksum(first9: str) -> str:
    """The ПФР rule: weights 9..1; a sum under 100 is the check number; 100 and 101 give 00; a larger sum
    is taken mod 101, and a remainder of 100 is 00 again."""
    if len(first9) != 9 or not _is_digits(first9):
        raise ValueError("nine digits expected")
    total = sum(int(d) * w for d, w in zip(first9, range(9, 0, -1), strict=True))
    if total < 100:
        return f"{total:02d}"
    if total in (100, 101):
        return "00"
    rest = total % 101
    return "00" if rest == 100 else f"{rest:02d}"


def format_snils(digits: str) -> str:
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


def check_snils(raw: str) -> Checked[str]:
    """СНИЛС → «XXX-XXX-XXX YY»."""
    digits = normalize_digits(raw)
    if _NON_DIGIT.search(digits):
        return Checked.bad(error("snils-chars"))
    if len(digits) != 11:
        return Checked.bad(error("snils-length", got=len(digits)))
    formatted = format_snils(digits)
    if int(digits[:9]) <= SNILS_NO_CHECKSUM_MAX:
        return Checked.good(formatted, [warning("snils-no-checksum")])
    if snils_checksum(digits[:9]) != digits[9:]:
        return Checked.bad(error("snils-checksum"))
    return Checked.good(formatted)


def mask_snils(formatted: str) -> str:
    """«112-233-445 95» → «***-***-*** 95»."""
    return mask_tail(formatted, 2)


# --- Luhn and the ОМС policy -----------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    """True when the last digit is the Luhn check digit of the ones before it."""
    if len(digits) < 2 or not _is_digits(digits):
        return False
    total = 0
    for position, ch in enumerate(reversed(digits)):
        d = int(ch)
        if position % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit to append to ``payload`` so that :func:`luhn_ok` holds."""
    if not payload or not _is_digits(payload):
        raise ValueError("digits expected")
    total = 0
    for position, ch in enumerate(reversed(payload)):
        d = int(ch)
        if position % 2 == 0:  # these are doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


OmsKind = Literal["enp", "old", "temporary"]


@dataclass(frozen=True, slots=True)
class OmsPolicy:
    kind: OmsKind
    number: str  # 16 digits (enp), 9 digits (temporary) or «SERIES NUMBER» (old)


_OMS_OLD = re.compile(
    r"(?P<series>[0-9A-ZА-ЯЁ][0-9A-ZА-ЯЁ \-]{0,12}?)[ \-]*(?P<number>[0-9]{6,10})",
)


_NUMBER_SIGN = re.compile(r"(?<![0-9A-ZА-ЯЁ])NO?\.?(?=\s*[0-9])")  # «N 123456», «No. 123456»
ENP_LENGTH: Final = 16
TEMPORARY_LENGTH: Final = 9


def _old_oms(raw: str) -> OmsPolicy | None:
    """A policy of the old kind: a series of 1–10 letters or digits and a number of 6–10 digits.

    Old policies were regional and their series took many shapes («ЯМ», «АБ», «3401», «77 03»), so a series
    of digits alone cannot be told from an ЕНП typed with a digit too many or too few: such a series is taken
    only when the person marked it in words («серия 3401 номер 123456»). A series with a letter needs no mark.
    """
    marked = has_series_label(raw)
    text = strip_labels(raw).upper()
    text = collapse_spaces(_NUMBER_SIGN.sub(" ", text))
    text = re.sub(r"\s*-\s*", "-", text)
    m = _OMS_OLD.fullmatch(text)
    if m is None:
        return None
    series = re.sub(r"[ \-]", "", m["series"])
    number = m["number"]
    has_letter = any(ch.isalpha() for ch in series)
    if not 1 <= len(series) <= 10 or not (has_letter or marked):
        return None
    return OmsPolicy(kind="old", number=f"{series} {number}")


def check_oms(raw: str) -> Checked[OmsPolicy]:
    """Единый номер полиса (16 digits, the last one Luhn), a temporary certificate (9 digits) or an old
    policy «series number» (accepted without a check, with a warning).

    Label words are understood («ЕНП 2341 9980 7165 5749», «полис ОМС № …»). Digits alone are an ЕНП
    (or a temporary certificate): any other count of digits is an ЕНП typed wrong and gets ``oms-length``,
    never a silent old-format policy — that needs a letter in the series or the word «серия».
    """
    digits = normalize_digits(raw)
    if _is_digits(digits) and not has_series_label(raw):
        if len(digits) == ENP_LENGTH:
            if not luhn_ok(digits):
                return Checked.bad(error("oms-checksum"))
            return Checked.good(OmsPolicy(kind="enp", number=digits))
        if len(digits) == TEMPORARY_LENGTH:
            return Checked.good(OmsPolicy(kind="temporary", number=digits), [warning("oms-temporary")])
        return Checked.bad(error("oms-length", got=len(digits)))
    old = _old_oms(raw)
    if old is not None:
        return Checked.good(old, [warning("oms-old-format")])
    return Checked.bad(error("oms-length", got=sum(ch.isdigit() for ch in digits)))


# --- ИНН -------------------------------------------------------------------------------------------------

InnKind = Literal["legal", "individual"]

_INN10_WEIGHTS: Final = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1: Final = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2: Final = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _weighted_mod11_mod10(digits: str, weights: tuple[int, ...]) -> str:
    if len(digits) != len(weights) or not _is_digits(digits):
        raise ValueError(f"{len(weights)} digits expected")
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def inn10_check_digit(first9: str) -> str:
    return _weighted_mod11_mod10(first9, _INN10_WEIGHTS)


def inn12_check_digits(first10: str) -> str:
    first = _weighted_mod11_mod10(first10, _INN12_WEIGHTS_1)
    return first + _weighted_mod11_mod10(first10 + first, _INN12_WEIGHTS_2)


def check_inn(raw: str, *, allow: tuple[InnKind, ...] = ("legal", "individual")) -> Checked[str]:
    """ИНН of an organisation (10 digits) and/or of a person (12 digits), as ``allow`` says."""
    lengths = {kind: n for kind, n in (("legal", 10), ("individual", 12)) if kind in allow}
    if not lengths:
        raise ValueError("allow must name at least one kind of ИНН")
    digits = normalize_digits(raw)
    if _NON_DIGIT.search(digits):
        return Checked.bad(error("inn-chars"))
    if len(digits) not in lengths.values():
        allowed = "both" if len(lengths) == 2 else next(iter(lengths))
        return Checked.bad(error("inn-length", got=len(digits), allowed=allowed))
    if len(digits) == 10:
        good = inn10_check_digit(digits[:9]) == digits[9]
    else:
        good = inn12_check_digits(digits[:10]) == digits[10:]
    if not good:
        return Checked.bad(error("inn-checksum"))
    return Checked.good(digits)


# --- ОГРН / ОГРНИП ---------------------------------------------------------------------------------------


def ogrn_check_digit(first12: str) -> str:
    if len(first12) != 12 or not _is_digits(first12):
        raise ValueError("twelve digits expected")
    return str(int(first12) % 11 % 10)


def ogrnip_check_digit(first14: str) -> str:
    """int(first 14) mod 13 mod 10 — the last «mod 10» turns remainders 10, 11, 12 into 0, 1, 2."""
    if len(first14) != 14 or not _is_digits(first14):
        raise ValueError("fourteen digits expected")
    return str(int(first14) % 13 % 10)


def check_ogrn(raw: str) -> Checked[str]:
    """ОГРН of an organisation (13 digits, starts with 1 or 5) or ОГРНИП (15 digits, starts with 3)."""
    digits = normalize_digits(raw)
    if _NON_DIGIT.search(digits):
        return Checked.bad(error("ogrn-chars"))
    if len(digits) == 13:
        if digits[0] not in "15":
            return Checked.bad(error("ogrn-first-digit"))
        if ogrn_check_digit(digits[:12]) != digits[12]:
            return Checked.bad(error("ogrn-checksum"))
        return Checked.good(digits)
    if len(digits) == 15:
        if digits[0] != "3":
            return Checked.bad(error("ogrnip-first-digit"))
        if ogrnip_check_digit(digits[:14]) != digits[14]:
            return Checked.bad(error("ogrnip-checksum"))
        return Checked.good(digits)
    return Checked.bad(error("ogrn-length", got=len(digits)))


# --- ОКПО ------------------------------------------------------------------------------------------------


def _okpo_remainder(payload: str, first_weight: int, *, cyclic: bool) -> int:
    """Σ digit × weight mod 11, weights first_weight, first_weight + 1, …; with ``cyclic`` the weights run
    1..10 and start again (as the methodology says), otherwise they keep growing (11 for the ninth digit of
    a 10-digit code in the second pass, as some registries compute)."""
    total = 0
    for i, ch in enumerate(payload):
        w = first_weight + i
        if cyclic:
            w = (w - 1) % 10 + 1
        total += int(ch) * w
    return total % 11


def okpo_check_digits(payload: str) -> frozenset[int]:
    """Every check digit some reading of the ОКПО rule gives (one, or two in the ambiguous case)."""
    if not payload or not _is_digits(payload):
        raise ValueError("digits expected")
    first = _okpo_remainder(payload, 1, cyclic=True)
    if first < 10:
        return frozenset({first})
    results: set[int] = set()
    for cyclic in (True, False):
        second = _okpo_remainder(payload, 3, cyclic=cyclic)
        results.add(0 if second == 10 else second)
    return frozenset(results)


def okpo_check_digit(payload: str) -> int:
    """The check digit by the methodology's reading (weights cycle through 1..10)."""
    if not payload or not _is_digits(payload):
        raise ValueError("digits expected")
    first = _okpo_remainder(payload, 1, cyclic=True)
    if first < 10:
        return first
    second = _okpo_remainder(payload, 3, cyclic=True)
    return 0 if second == 10 else second


def check_okpo(raw: str) -> Checked[str]:
    """ОКПО: 8 digits (organisation) or 10 (individual entrepreneur), the last one a check digit.

    When the two readings of the rule disagree (a 10-digit code whose first pass gives 10 and whose ninth
    digit is not 0) a code that matches either of them is accepted with ``okpo-ambiguous``.
    """
    digits = normalize_digits(raw)
    if _NON_DIGIT.search(digits):
        return Checked.bad(error("okpo-chars"))
    if len(digits) not in (8, 10):
        return Checked.bad(error("okpo-length", got=len(digits)))
    candidates = okpo_check_digits(digits[:-1])
    if int(digits[-1]) not in candidates:
        return Checked.bad(error("okpo-checksum"))
    warnings = [warning("okpo-ambiguous")] if len(candidates) > 1 else []
    return Checked.good(digits, warnings)


# --- passport --------------------------------------------------------------------------------------------

PASSPORT_GRACE_DAYS: Final = 90  # a passport stays valid 90 days after the 20th or 45th birthday
ISSUED_BY_MIN: Final = 3
ISSUED_BY_MAX: Final = 200


@dataclass(frozen=True, slots=True)
class PassportNumber:
    series: str  # 4 digits
    number: str  # 6 digits

    @property
    def formatted(self) -> str:
        return f"{self.series[:2]} {self.series[2:]} {self.number}"


def check_passport_number(raw: str) -> Checked[PassportNumber]:
    """«45 08 123456», «4508 123456», «4508123456», «№ 4508 123456» → PassportNumber("4508", "123456")."""
    digits = normalize_digits(raw)
    if _NON_DIGIT.search(digits):
        return Checked.bad(error("passport-chars"))
    if len(digits) != 10:
        return Checked.bad(error("passport-length", got=len(digits)))
    passport = PassportNumber(series=digits[:4], number=digits[4:])
    warnings: list[Issue] = []
    if not is_known_passport_region(digits[:2]):
        # built directly: ``warning(code, **params)`` cannot take a param named ``code``
        warnings.append(Issue("passport-region-unknown", Severity.WARNING, {"code": digits[:2]}))
    return Checked.good(passport, warnings)


def check_passport_issue_date(raw: str, birth: date, today: date) -> Checked[date]:
    parsed = parse_date(raw)
    if parsed.value is None:
        return parsed
    issued = parsed.value
    if issued > today:
        return Checked.bad(error("passport-issue-future"))
    if issued < anniversary(birth, PASSPORT_AGE):
        return Checked.bad(error("passport-issue-before-14"))
    for age, code in ((20, "passport-not-replaced-20"), (45, "passport-not-replaced-45")):
        if issued < anniversary(birth, age) and is_past_grace(birth, age, today, PASSPORT_GRACE_DAYS):
            return Checked.good(issued, [warning(code)])
    return Checked.good(issued)


def check_division_code(raw: str) -> Checked[str]:
    """Код подразделения: «770-001», «770 001» or «770001» → «770-001»."""
    digits = normalize_digits(raw)
    if not _is_digits(digits) or len(digits) != 6:
        return Checked.bad(error("division-code-format"))
    return Checked.good(f"{digits[:3]}-{digits[3:]}")


def check_issued_by(raw: str) -> Checked[str]:
    """«Кем выдан»: free text, cleaned (:func:`domain.text.clean_text`), 3–200 characters."""
    text = clean_text(raw)
    if not ISSUED_BY_MIN <= len(text) <= ISSUED_BY_MAX:
        return Checked.bad(error("issued-by-length", min=ISSUED_BY_MIN, max=ISSUED_BY_MAX, got=len(text)))
    return Checked.good(text)


# --- birth certificate -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BirthCertificate:
    series: str  # «IV-МЮ»: a Roman numeral in Latin capitals, a hyphen, two Cyrillic capitals
    number: str  # 6 digits

    @property
    def formatted(self) -> str:
        return f"{self.series} {self.number}"


# Cyrillic letters typed for Roman numerals; only the unambiguous twins (no У for V).
_ROMAN_FROM_CYRILLIC: Final = str.maketrans({"І": "I", "Ӏ": "I", "Х": "X", "С": "C", "М": "M"})
# Latin capitals typed for Cyrillic letters of the series.
_CYRILLIC_FROM_LATIN: Final = str.maketrans("ABEKMHOPCTXY", "АВЕКМНОРСТХУ")
# Canonical Roman numerals 1..99 (I … XCIX): «IIII» or «VX» are not numerals.
_ROMAN = re.compile(r"(?=[IVXL])(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_CERT = re.compile(r"(?P<series>.*?)[\s\-.:#]*(?:NO|N)?[\s.:#]*(?P<number>[0-9][0-9 ]*)")
_SERIES_SPLIT = re.compile(r"[\s\-.]+")
_CERT_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def check_birth_certificate(raw: str) -> Checked[BirthCertificate]:
    """«IV-МЮ 123456», «iv мю 123456», «IV-MЮ №123456» → BirthCertificate("IV-МЮ", "123456")."""
    text = unicodedata.normalize("NFKC", strip_labels(raw)).upper()
    text = _CERT_DASHES.sub("-", collapse_spaces(text))
    m = _CERT.fullmatch(text)
    if m is None:
        return Checked.bad(error("birth-cert-format"))
    tokens = [t for t in _SERIES_SPLIT.split(m["series"]) if t]
    if not tokens:
        return Checked.bad(error("birth-cert-format"))
    if len(tokens) == 1:
        if len(tokens[0]) < 3:
            return Checked.bad(error("birth-cert-format"))
        roman, letters = tokens[0][:-2], tokens[0][-2:]
    else:
        roman, letters = tokens[0], "".join(tokens[1:])
    roman = roman.translate(_ROMAN_FROM_CYRILLIC)
    letters = letters.translate(_CYRILLIC_FROM_LATIN)
    number = m["number"].replace(" ", "")
    issues: list[Issue] = []
    if not _ROMAN.fullmatch(roman):
        issues.append(error("birth-cert-series-roman"))
    if not re.fullmatch(r"[А-ЯЁ]{2}", letters):
        issues.append(error("birth-cert-series-letters"))
    if len(number) != 6:
        issues.append(error("birth-cert-number", got=len(number)))
    if issues:
        return Checked.bad(*issues)
    return Checked.good(BirthCertificate(series=f"{roman}-{letters}", number=number))


def _issued_between_birth_and_today(raw: str, birth: date, today: date, document: str) -> Checked[date]:
    """An issue date of a document people get from birth: ``<document>-issue-future`` when after today,
    ``<document>-issue-before-birth`` when before the birth."""
    parsed = parse_date(raw)
    if parsed.value is None:
        return parsed
    if parsed.value > today:
        return Checked.bad(error(f"{document}-issue-future"))
    if parsed.value < birth:
        return Checked.bad(error(f"{document}-issue-before-birth"))
    return parsed


def check_birth_certificate_issue_date(raw: str, birth: date, today: date) -> Checked[date]:
    return _issued_between_birth_and_today(raw, birth, today, "birth-cert")


# --- a foreign citizen's passport and a ДМС policy -------------------------------------------------------

FOREIGN_PASSPORT_MIN: Final = 5
FOREIGN_PASSPORT_MAX: Final = 15
# Cyrillic capitals typed for the Latin ones they look like (a keyboard left in Russian): «АА1234567».
_LATIN_FROM_CYRILLIC: Final = str.maketrans("АВЕКМНОРСТХУ", "ABEKMHOPCTXY")
_FOREIGN_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.]+")


def check_foreign_passport_number(raw: str) -> Checked[str]:
    """The number of a foreign passport as printed: Latin capitals and digits, 5–15 of them, one space where
    the person put a space or a dash: «aa 1234567» → «AA 1234567», «N12345678», «400123456»."""
    text = strip_labels(clean_text(raw), glued=False).upper().translate(_LATIN_FROM_CYRILLIC)
    text = _FOREIGN_SEPARATORS.sub(" ", text).strip()
    if not re.fullmatch(r"[A-Z0-9 ]*", text):
        return Checked.bad(error("foreign-passport-chars"))
    compact = text.replace(" ", "")
    if not FOREIGN_PASSPORT_MIN <= len(compact) <= FOREIGN_PASSPORT_MAX:
        return Checked.bad(
            error("foreign-passport-length", got=len(compact), min=FOREIGN_PASSPORT_MIN, max=FOREIGN_PASSPORT_MAX)
        )
    if not any(ch.isdigit() for ch in compact):
        return Checked.bad(error("foreign-passport-digits"))
    return Checked.good(text)


def check_foreign_passport_issue_date(raw: str, birth: date, today: date) -> Checked[date]:
    """Not in the future and not before the birth: foreign passports are issued to children too."""
    return _issued_between_birth_and_today(raw, birth, today, "foreign-passport")


def check_foreign_passport_expiry_date(raw: str, issued: date | None, today: date) -> Checked[date]:
    """After the issue date; a passport that has already expired is accepted with a warning (the person may
    be renewing it, and staff decide)."""
    parsed = parse_date(raw)
    if parsed.value is None:
        return parsed
    if issued is not None and parsed.value <= issued:
        return Checked.bad(error("foreign-passport-expiry-before-issue"))
    if parsed.value < today:
        return Checked.good(parsed.value, [warning("foreign-passport-expired")])
    return parsed


DMS_NUMBER_MIN: Final = 3
DMS_NUMBER_MAX: Final = 40
_DMS_NUMBER = re.compile(r"[0-9A-ZА-ЯЁ][0-9A-ZА-ЯЁ /\-.]*")


def check_dms_number(raw: str) -> Checked[str]:
    """A ДМС policy number in the insurer's own format (no common rule to check): letters, digits, spaces,
    «-», «/», «.»; at least one digit; 3–40 characters. Label words are dropped: «полис ДМС № 001-23/45»."""
    cleaned = clean_text(raw).upper()
    for text in (strip_labels(cleaned), cleaned):  # «ДМС-2024/0001» is a number that starts like a label
        if (
            DMS_NUMBER_MIN <= len(text) <= DMS_NUMBER_MAX
            and _DMS_NUMBER.fullmatch(text)
            and any(ch.isdigit() for ch in text)
        ):
            return Checked.good(text)
    return Checked.bad(error("dms-number-format", min=DMS_NUMBER_MIN, max=DMS_NUMBER_MAX))
