"""The operator's policy: work categories, exams and periods, book validity, documents, payment, reminders.

The operator edits a TOML file (``config/policy.example.toml`` is the commented template); it is validated
here at start-up. Every problem becomes one line ``<file>: <key path>: <problem in plain English>``
(``<file>: line L, column C: ...`` for TOML syntax errors), collected in :class:`PolicyError`.

Defaults carry their sources (PRODUCT.md, "Policy" and "Information the bot gives"):

* periodic exam every 12 months — Приказ Минздрава России от 28.01.2021 № 29н ("usually once a year");
* hygiene training and attestation every 12 months for work with food and with children, every 24 months for
  the rest — Приказ Минздрава России от 29.06.2000 № 229;
* book validity 60 months for adults, 36 for minors — the operator's service definition (PRODUCT.md);
* reminders 60/30/7/1/0 days before a validity ends, 24 and 2 hours before an appointment, 48 hours for a
  stuck application (PRODUCT.md, "Reminders" and "Status").

Built-in categories always exist (an operator hides one with ``enabled = false``, so applications already
in that category still resolve); a file entry for a built-in code overrides only the keys it sets. An operator
may add a category with a new code; it must then give ``exams``, ``title_ru`` and ``title_en``. Titles of
built-in categories, exam names, document names and exemption names live in the locale files, keyed by
these codes.

The payment and support texts are operator data, not interface texts, and no prose lives in .py files: their
defaults are read (once, lazily) from the shipped ``config/policy.example.toml``. Every other default is set
here, and a test checks that the example file parses to exactly ``Policy()``.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, Literal, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

__all__ = [
    "BUILTIN_CATEGORY_CODES",
    "EXAMPLE_POLICY_PATH",
    "PHOTO_KIND",
    "BookPolicy",
    "Category",
    "DocumentKind",
    "DocumentPolicy",
    "ExamCode",
    "Exemption",
    "PaymentPolicy",
    "Policy",
    "PolicyError",
    "QuietHours",
    "ReminderPolicy",
    "SupportPolicy",
    "load_policy",
]


class ExamCode(StrEnum):
    THERAPIST = "therapist"
    DERMATOVENEREOLOGIST = "dermatovenereologist"
    DENTIST = "dentist"
    OTORHINOLARYNGOLOGIST = "otorhinolaryngologist"
    INFECTIONIST = "infectionist"
    FLUOROGRAPHY = "fluorography"
    BLOOD_URINE_TESTS = "blood_urine_tests"
    HYGIENE_ATTESTATION = "hygiene_attestation"
    VACCINATIONS = "vaccinations"


class DocumentKind(StrEnum):
    """The catalogue of document kinds a citizen can upload: the one list (the wizard's document steps,
    what staff may ask for, upload rows' `kind`); each has a label `apply-field-doc-<kind>` in the locales."""

    PASSPORT_MAIN = "passport_main"
    PASSPORT_REGISTRATION = "passport_registration"
    OMS_POLICY = "oms_policy"
    BIRTH_CERTIFICATE = "birth_certificate"
    OTHERS = "others"


DOCUMENT_CATALOGUE: Final[tuple[DocumentKind, ...]] = (
    DocumentKind.PASSPORT_MAIN,
    DocumentKind.PASSPORT_REGISTRATION,
    DocumentKind.BIRTH_CERTIFICATE,
    DocumentKind.OMS_POLICY,
    DocumentKind.OTHERS,
)
"""Every document kind, in the order a citizen is asked for them (the wizard's document steps, the list
staff pick from). A new kind goes into `DocumentKind` and here."""


PHOTO_KIND: Final = "photo"
"""The upload kind of the 3×4 portrait: not a document, but staff may ask for it again like one."""


class Exemption(StrEnum):
    STUDENT = "student"
    PENSIONER = "pensioner"
    CHILD_UNDER_14 = "child_under_14"

    @property
    def needs_proof(self) -> bool:
        """Whether the citizen must upload a proof; a child's age is computed from the birth date."""
        return self is not Exemption.CHILD_UNDER_14


# --- value types with plain-English errors ----------------------------------------------------------------


def _between(low: int, high: int) -> AfterValidator:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise PydanticCustomError(
                "out_of_range",
                "must be between {low} and {high} (got {got})",
                {"low": low, "high": high, "got": value},
            )
        return value

    return AfterValidator(check)


_STATE_DUTY = re.compile(r"пошлин|state\s+duty", re.IGNORECASE)


def _text(max_length: int) -> AfterValidator:
    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("text_empty", "must not be empty")
        if len(value) > max_length:
            raise PydanticCustomError(
                "text_too_long",
                "must be at most {max} characters (got {got})",
                {"max": max_length, "got": len(value)},
            )
        if _STATE_DUTY.search(value):
            raise PydanticCustomError(
                "state_duty",
                "must not call the payment a state duty (пошлина): there is no state duty for a medical book",
            )
        return value

    return AfterValidator(check)


def _unique_sorted_desc(values: tuple[int, ...]) -> tuple[int, ...]:
    _reject_duplicates(values)
    return tuple(sorted(values, reverse=True))


def _reject_duplicates(values: Sequence[object]) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError("duplicate", "lists {item} more than once", {"item": _show(value)})
        seen.add(value)


def _unique(values: tuple[Any, ...]) -> tuple[Any, ...]:
    _reject_duplicates(values)
    return values


_Int = Annotated[int, Strict()]
Months = Annotated[_Int, _between(1, 120)]
BookMonths = Annotated[_Int, _between(1, 240)]
Hour = Annotated[_Int, _between(0, 23)]
Title = Annotated[str, Strict(), _text(64)]
InvoiceText = Annotated[str, Strict(), _text(255)]  # Telegram limits an invoice description to 255 characters
LongText = Annotated[str, Strict(), _text(3000)]

_CATEGORY_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_MAX_PRICE = Decimal(1_000_000)


def _price(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= _MAX_PRICE:
        raise PydanticCustomError(
            "out_of_range", "must be between 0 and {high} (got {got})", {"high": _MAX_PRICE, "got": value}
        )
    if value != value.quantize(Decimal("0.01")):
        raise PydanticCustomError(
            "too_precise", "must have at most 2 digits after the decimal point (got {got})", {"got": value}
        )
    return value


def _rules(problems: Sequence[tuple[str, str]]) -> None:
    """Raise one error carrying several (sub-path, problem) pairs; :func:`_describe` expands them."""
    if problems:
        raise PydanticCustomError(
            "policy_rules",
            "{summary}",
            {"summary": "; ".join(f"{p}: {m}" if p else m for p, m in problems), "problems": tuple(problems)},
        )


EXAMPLE_POLICY_PATH: Final = Path(__file__).resolve().parent.parent / "config" / "policy.example.toml"


@functools.cache
def _shipped_example() -> dict[str, Any]:
    try:
        with EXAMPLE_POLICY_PATH.open("rb") as file:
            return tomllib.load(file, parse_float=Decimal)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuntimeError(f"{EXAMPLE_POLICY_PATH}: needed for the default operator texts: {exc}") from exc


def _shipped_text(section: str, key: str) -> Callable[[], str]:
    """Default for an operator text: its value in the shipped example file (texts never live in .py files)."""

    def default() -> str:
        value = _shipped_example().get(section, {}).get(key)
        if not isinstance(value, str):
            raise RuntimeError(f"{EXAMPLE_POLICY_PATH}: {section}.{key} is missing")
        return value.strip()

    return default


# --- the model --------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Model):
    enabled: StrictBool = True
    exams: Annotated[tuple[ExamCode, ...], AfterValidator(_unique)]
    periodic_exam_months: Months = 12
    attestation_months: Months = 24
    title_ru: Title | None = None
    title_en: Title | None = None

    @field_validator("exams")
    @classmethod
    def _not_empty(cls, exams: tuple[ExamCode, ...]) -> tuple[ExamCode, ...]:
        if not exams:
            raise PydanticCustomError("exams_empty", "must list at least one exam")
        return exams


_E = ExamCode
# The exams below are a starting point, not a legal opinion: the operator must check every list against the
# appendix of Приказ Минздрава России № 29н (and the works of 988н/1420н) for the works they actually serve.
_BUILTIN_CATEGORIES: Final[Mapping[str, Mapping[str, Any]]] = {
    "food": {
        "exams": (
            _E.THERAPIST,
            _E.DERMATOVENEREOLOGIST,
            _E.DENTIST,
            _E.OTORHINOLARYNGOLOGIST,
            _E.INFECTIONIST,
            _E.FLUOROGRAPHY,
            _E.BLOOD_URINE_TESTS,
            _E.HYGIENE_ATTESTATION,
            _E.VACCINATIONS,
        ),
        "attestation_months": 12,
    },
    "children": {
        "exams": (
            _E.THERAPIST,
            _E.DERMATOVENEREOLOGIST,
            _E.DENTIST,
            _E.OTORHINOLARYNGOLOGIST,
            _E.INFECTIONIST,
            _E.FLUOROGRAPHY,
            _E.BLOOD_URINE_TESTS,
            _E.HYGIENE_ATTESTATION,
            _E.VACCINATIONS,
        ),
        "attestation_months": 12,
    },
    "communal": {
        "exams": (
            _E.THERAPIST,
            _E.DERMATOVENEREOLOGIST,
            _E.DENTIST,
            _E.OTORHINOLARYNGOLOGIST,
            _E.FLUOROGRAPHY,
            _E.BLOOD_URINE_TESTS,
            _E.HYGIENE_ATTESTATION,
            _E.VACCINATIONS,
        ),
    },
    "water": {
        "exams": (
            _E.THERAPIST,
            _E.DERMATOVENEREOLOGIST,
            _E.OTORHINOLARYNGOLOGIST,
            _E.INFECTIONIST,
            _E.FLUOROGRAPHY,
            _E.BLOOD_URINE_TESTS,
            _E.HYGIENE_ATTESTATION,
            _E.VACCINATIONS,
        ),
    },
    "medical": {
        "exams": (
            _E.THERAPIST,
            _E.DERMATOVENEREOLOGIST,
            _E.DENTIST,
            _E.OTORHINOLARYNGOLOGIST,
            _E.FLUOROGRAPHY,
            _E.BLOOD_URINE_TESTS,
            _E.HYGIENE_ATTESTATION,
            _E.VACCINATIONS,
        ),
    },
    "other": {
        "exams": (
            _E.THERAPIST,
            _E.DERMATOVENEREOLOGIST,
            _E.FLUOROGRAPHY,
            _E.BLOOD_URINE_TESTS,
            _E.HYGIENE_ATTESTATION,
            _E.VACCINATIONS,
        ),
    },
}
del _E

BUILTIN_CATEGORY_CODES: Final[tuple[str, ...]] = tuple(_BUILTIN_CATEGORIES)


def _default_categories() -> dict[str, Category]:
    return {code: Category.model_validate(dict(fields)) for code, fields in _BUILTIN_CATEGORIES.items()}


class BookPolicy(_Model):
    validity_months_adult: BookMonths = 60
    validity_months_minor: BookMonths = 36


class DocumentPolicy(_Model):
    required_adult: Annotated[tuple[DocumentKind, ...], AfterValidator(_unique)] = (
        DocumentKind.PASSPORT_MAIN,
        DocumentKind.PASSPORT_REGISTRATION,
        DocumentKind.OMS_POLICY,
    )
    required_child: Annotated[tuple[DocumentKind, ...], AfterValidator(_unique)] = (
        DocumentKind.BIRTH_CERTIFICATE,
        DocumentKind.OMS_POLICY,
    )
    optional: Annotated[tuple[DocumentKind, ...], AfterValidator(_unique)] = (DocumentKind.OTHERS,)

    @model_validator(mode="after")
    def _optional_is_not_required(self) -> DocumentPolicy:
        problems = []
        for kind in self.optional:
            lists = [name for name in ("required_adult", "required_child") if kind in getattr(self, name)]
            if lists:
                where = " and ".join(lists)
                problems.append(
                    (
                        "optional",
                        f"{kind} is also in {where}; a document cannot be both required and optional",
                    )
                )
        _rules(problems)
        return self


class PaymentPolicy(_Model):
    price_rub: Annotated[Decimal, AfterValidator(_price)] = Decimal(0)
    currency: Literal["RUB"] = "RUB"
    covers_ru: InvoiceText = Field(default_factory=_shipped_text("payment", "covers_ru"))
    covers_en: InvoiceText = Field(default_factory=_shipped_text("payment", "covers_en"))
    exemptions: Annotated[tuple[Exemption, ...], AfterValidator(_unique)] = (
        Exemption.STUDENT,
        Exemption.PENSIONER,
        Exemption.CHILD_UNDER_14,
    )
    instructions_ru: LongText = Field(default_factory=_shipped_text("payment", "instructions_ru"))
    instructions_en: LongText = Field(default_factory=_shipped_text("payment", "instructions_en"))

    @property
    def price_minor_units(self) -> int:
        """The price in kopecks, as Telegram invoices want it."""
        return int(self.price_rub * 100)


class QuietHours(_Model):
    start: Hour = 22
    end: Hour = 8

    def is_quiet(self, local: time) -> bool:
        """Whether a local time falls in [start, end) (wrapping past midnight); start == end means never."""
        hour = local.hour
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


class ReminderPolicy(_Model):
    validity_days_before: Annotated[
        tuple[Annotated[_Int, _between(0, 365)], ...], AfterValidator(_unique_sorted_desc)
    ] = (60, 30, 7, 1, 0)
    appointment_hours_before: Annotated[
        tuple[Annotated[_Int, _between(1, 168)], ...], AfterValidator(_unique_sorted_desc)
    ] = (24, 2)
    stuck_application_hours: Annotated[_Int, _between(1, 720)] = 48
    quiet_hours: QuietHours = Field(default_factory=QuietHours)


class SupportPolicy(_Model):
    contact_ru: LongText = Field(default_factory=_shipped_text("support", "contact_ru"))
    contact_en: LongText = Field(default_factory=_shipped_text("support", "contact_en"))


def _category_code(code: str) -> str:
    if not _CATEGORY_CODE.fullmatch(code):
        raise PydanticCustomError(
            "category_code",
            "a category code must be 1 to 32 lowercase Latin letters, digits or _, starting with a letter",
        )
    return code


CategoryCode = Annotated[str, AfterValidator(_category_code)]


class Policy(_Model):
    categories: dict[CategoryCode, Category] = Field(default_factory=_default_categories)
    book: BookPolicy = Field(default_factory=BookPolicy)
    documents: DocumentPolicy = Field(default_factory=DocumentPolicy)
    payment: PaymentPolicy = Field(default_factory=PaymentPolicy)
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    support: SupportPolicy = Field(default_factory=SupportPolicy)

    @field_validator("categories", mode="before")
    @classmethod
    def _merge_builtin(cls, value: Any) -> Any:
        """Built-in categories always exist; a table for a built-in code overrides only the keys it sets."""
        if not isinstance(value, Mapping):
            return value
        merged: dict[Any, Any] = {code: dict(fields) for code, fields in _BUILTIN_CATEGORIES.items()}
        for code, entry in value.items():
            base = merged.get(code)
            merged[code] = (
                {**base, **entry} if isinstance(base, dict) and isinstance(entry, Mapping) else entry
            )
        return merged

    @field_validator("categories")
    @classmethod
    def _category_rules(cls, categories: dict[str, Category]) -> dict[str, Category]:
        problems: list[tuple[str, str]] = []
        for code, category in categories.items():
            if code not in _BUILTIN_CATEGORIES:
                problems.extend(
                    (f"{code}.{key}", "is required for a category that is not built in")
                    for key in ("title_ru", "title_en")
                    if getattr(category, key) is None
                )
        if not any(category.enabled for category in categories.values()):
            problems.append(("", "at least one category must have enabled = true"))
        _rules(problems)
        return categories

    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise KeyError(f"unknown work category {code!r}") from None

    def enabled_categories(self) -> list[str]:
        return [code for code, category in self.categories.items() if category.enabled]

    def exams_for(self, category: str) -> list[ExamCode]:
        return list(self.category(category).exams)

    @property
    def requestable_documents(self) -> tuple[str, ...]:
        """What staff may ask a citizen to send again: the photo and every document kind, in catalogue order."""
        return (PHOTO_KIND, *(kind.value for kind in DOCUMENT_CATALOGUE))

    def required_documents(self, is_child: bool) -> list[DocumentKind]:
        """Uploads required of a holder; ``is_child`` means under 14 (no passport yet)."""
        return list(self.documents.required_child if is_child else self.documents.required_adult)

    def book_validity_months(self, is_minor: bool) -> int:
        return self.book.validity_months_minor if is_minor else self.book.validity_months_adult

    @property
    def requires_payment(self) -> bool:
        return self.payment.price_rub > 0


# --- loading and error messages ---------------------------------------------------------------------------


class PolicyError(Exception):
    """The policy file cannot be used. ``str()`` gives one line per problem, each naming the file."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems: tuple[str, ...] = tuple(f"{path}: {problem}" for problem in problems)
        super().__init__("\n".join(self.problems))


def load_policy(path: Path) -> Policy:
    """Read and validate the operator's policy file; raise :class:`PolicyError` listing every problem."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PolicyError(path, [f"cannot read the file: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise PolicyError(path, [f"is not UTF-8 text (bad byte at offset {exc.start})"]) from None
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(path, [_describe_syntax_error(exc, text)]) from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(path, _describe(exc)) from None


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


_TOML_AT_END = " (at end of document)"


def _describe_syntax_error(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """``line L, column C: invalid TOML: <tomllib's message>``.

    Python 3.11 gives the place only inside the message text; at the end of the document it gives none.
    """
    message = str(exc)
    found = _TOML_POSITION.search(message)
    if found:
        line, column = int(found.group(1)), int(found.group(2))
        message = message[: found.start()]
    else:
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
        message = message.removesuffix(_TOML_AT_END)
    return f"line {line}, column {column}: invalid TOML: {message}"


def _describe(exc: ValidationError) -> list[str]:
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "policy_rules":
            for sub_path, problem in ctx["problems"]:
                lines.append(f"{_key_path(loc + tuple(sub_path.split('.')) if sub_path else loc)}: {problem}")
        else:
            lines.append(f"{_key_path(loc)}: {_problem(error, loc)}")
    return lines


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for an invalid mapping key: the path up to it names the key
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            key = part if _BARE_KEY.fullmatch(part) else _show(part)
            path = f"{path}.{key}" if path else key
    return path or "(top level)"


def _problem(error: ErrorDetails, loc: tuple[int | str, ...]) -> str:
    kind, value = error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    got = f" (got {_show(value)})"
    simple: dict[str, Callable[[], str]] = {
        "missing": lambda: "is required",
        "int_type": lambda: "must be a whole number" + got,
        "int_parsing": lambda: "must be a whole number" + got,
        "int_from_float": lambda: "must be a whole number" + got,
        "bool_type": lambda: "must be true or false" + got,
        "bool_parsing": lambda: "must be true or false" + got,
        "string_type": lambda: "must be text in quotes" + got,
        "tuple_type": lambda: "must be a list in square brackets" + got,
        "list_type": lambda: "must be a list in square brackets" + got,
        "dict_type": lambda: "must be a table" + got,
        "model_type": lambda: "must be a table" + got,
        "model_attributes_type": lambda: "must be a table" + got,
        "decimal_type": lambda: "must be a number" + got,
        "decimal_parsing": lambda: "must be a number" + got,
        "finite_number": lambda: "must be a finite number" + got,
        "enum": lambda: f"must be one of: {_plain_choices(ctx.get('expected', ''))}" + got,
        "literal_error": lambda: f"must be {_plain_choices(ctx.get('expected', ''))}" + got,
        "extra_forbidden": lambda: _unknown_key(loc),
    }
    if kind in simple:
        return simple[kind]()
    message = str(error["msg"])
    if kind.startswith(("value_error", "assertion_error")):
        message = message.split(", ", 1)[-1]
    return message[:1].lower() + message[1:]


def _plain_choices(expected: object) -> str:
    return str(expected).replace("'", "").replace(" or ", ", ")


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    allowed = _allowed_keys(loc[:-1])
    if not allowed:
        return "unknown key"
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        return f"unknown key (did you mean {close[0]}?)"
    return f"unknown key (allowed here: {', '.join(allowed)})"


def _allowed_keys(loc: Sequence[int | str]) -> list[str]:
    """The keys the model accepts at ``loc`` (empty if it cannot be worked out)."""
    node: Any = Policy
    for part in loc:
        if isinstance(node, type) and issubclass(node, BaseModel) and isinstance(part, str):
            field = node.model_fields.get(part)
            if field is None:
                return []
            node = field.annotation
        elif get_origin(node) is dict:
            node = get_args(node)[1]
        else:
            return []
    if isinstance(node, type) and issubclass(node, BaseModel):
        return list(node.model_fields)
    return []


def _show(value: object) -> str:
    """A value as the operator wrote it in TOML, shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(_show(item) for item in value) + "]"
    elif isinstance(value, Mapping | BaseModel):
        text = "a table"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
