"""Operator files: TOML read, validated by a pydantic model, every problem named by file, key and problem.

The policy and the clinics file use the same :func:`load_toml`. Every problem becomes one line
``<file>: <key path>: <problem in plain English>`` (``<file>: line L, column C: ...`` for TOML syntax
errors), all collected in one :class:`OperatorFileError`. The models live in ``domain/`` and do no I/O.
"""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from domain.clinics import EXAMS_CONTEXT_KEY, Clinics
from domain.operator_values import SEVERAL_PROBLEMS, show
from domain.policy import ExamCode, Policy

__all__ = [
    "EXAMPLE_CLINICS_PATH",
    "EXAMPLE_POLICY_PATH",
    "OperatorFileError",
    "load_clinics",
    "load_operator_files",
    "load_policy",
    "load_toml",
    "read_toml",
]

M = TypeVar("M", bound=BaseModel)

_CONFIG_DIR: Final = Path(__file__).resolve().parent.parent / "config"
EXAMPLE_POLICY_PATH: Final = _CONFIG_DIR / "policy.example.toml"
EXAMPLE_CLINICS_PATH: Final = _CONFIG_DIR / "clinics.example.toml"

# Operator texts have no default in the model (no prose lives in .py files): an operator who does not set
# them gets the ones in the shipped example file.
_SHIPPED_TEXTS: Final = {
    "payment": ("covers_ru", "covers_en", "instructions_ru", "instructions_en"),
    "support": ("contact_ru", "contact_en"),
}


class OperatorFileError(Exception):
    """An operator file cannot be used. ``str()`` gives one line per problem, each naming the file."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems: tuple[str, ...] = tuple(f"{path}: {problem}" for problem in problems)
        super().__init__("\n".join(self.problems))


def load_policy(path: Path) -> Policy:
    """The operator's policy file, its missing texts taken from the shipped example."""
    return load_toml(path, Policy, defaults=_shipped_texts())


def load_clinics(path: Path, exams: Collection[ExamCode] | None = None) -> Clinics:
    """The operator's clinics file. ``exams``: the exams a clinic may offer (those of the policy's categories);
    a clinic listing another one is an error. ``None`` accepts every known exam code."""
    context = None if exams is None else {EXAMS_CONTEXT_KEY: frozenset(exams)}
    return load_toml(path, Clinics, context=context)


def load_operator_files(policy_file: Path | None, clinics_file: Path | None) -> tuple[Policy, Clinics | None]:
    """POLICY_FILE (else the shipped example) and CLINICS_FILE (none: no booking), the clinics checked against
    the policy's exams. Start-up and `python -m bot check` both read them here, so both report a mistake with
    the same lines."""
    policy = load_policy(policy_file or EXAMPLE_POLICY_PATH)
    if clinics_file is None:
        return policy, None
    exams = {exam for code in policy.categories for exam in policy.exams_for(code)}
    return policy, load_clinics(clinics_file, exams)


@functools.cache
def _shipped_texts() -> Mapping[str, Mapping[str, Any]]:
    example = read_toml(EXAMPLE_POLICY_PATH)
    texts: dict[str, dict[str, Any]] = {}
    missing = []
    for section, keys in _SHIPPED_TEXTS.items():
        table = example.get(section)
        for key in keys:
            value = table.get(key) if isinstance(table, dict) else None
            if isinstance(value, str):
                texts.setdefault(section, {})[key] = value
            else:
                missing.append(f"{section}.{key}: is required here (the default operator texts are read from it)")
    if missing:
        raise OperatorFileError(EXAMPLE_POLICY_PATH, missing)
    return texts


def load_toml(
    path: Path,
    model: type[M],
    *,
    defaults: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> M:
    """Read and validate an operator file; tables in ``defaults`` are filled in under the file's own keys;
    ``context`` is passed to the model's validators.

    Raises :class:`OperatorFileError` listing every problem.
    """
    data = read_toml(path)
    if defaults:
        data = _merge(defaults, data)
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise OperatorFileError(path, _describe(exc, model)) from None


def read_toml(path: Path) -> dict[str, Any]:
    """The file's tables (floats as Decimal); :class:`OperatorFileError` if it is unreadable or not TOML."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise OperatorFileError(path, [f"cannot read the file: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise OperatorFileError(path, [f"is not UTF-8 text (bad byte at offset {exc.start})"]) from None
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise OperatorFileError(path, [_describe_syntax_error(exc, text)]) from None


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``, table by table; a value that is not a table replaces whatever was there."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        both_tables = isinstance(below, Mapping) and isinstance(value, Mapping)
        merged[key] = _merge(below, value) if both_tables else value
    return merged


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


def _describe(exc: ValidationError, model: type[BaseModel]) -> list[str]:
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == SEVERAL_PROBLEMS:
            for sub_path, problem in ctx["problems"]:
                lines.append(f"{_key_path(loc + tuple(sub_path.split('.')) if sub_path else loc)}: {problem}")
        else:
            lines.append(f"{_key_path(loc)}: {_problem(error, loc, model)}")
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
            key = part if _BARE_KEY.fullmatch(part) else show(part)
            path = f"{path}.{key}" if path else key
    return path or "(top level)"


def _problem(error: ErrorDetails, loc: tuple[int | str, ...], model: type[BaseModel]) -> str:
    kind, value = error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    got = f" (got {show(value)})"
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
        "extra_forbidden": lambda: _unknown_key(loc, model),
    }
    if kind in simple:
        return simple[kind]()
    message = str(error["msg"])
    if kind.startswith(("value_error", "assertion_error")):
        message = message.split(", ", 1)[-1]
    return message[:1].lower() + message[1:]


def _plain_choices(expected: object) -> str:
    return str(expected).replace("'", "").replace(" or ", ", ")


def _unknown_key(loc: tuple[int | str, ...], model: type[BaseModel]) -> str:
    allowed = _allowed_keys(loc[:-1], model)
    if not allowed:
        return "unknown key"
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        return f"unknown key (did you mean {close[0]}?)"
    return f"unknown key (allowed here: {', '.join(allowed)})"


def _allowed_keys(loc: Sequence[int | str], model: type[BaseModel]) -> list[str]:
    """The keys the model accepts at ``loc`` (empty if it cannot be worked out)."""
    node: Any = model
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
