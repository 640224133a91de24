"""Building blocks for the models of operator files (the policy, later the clinics): value checks whose
errors are plain English, and how a value is shown in them as the operator wrote it in TOML.

Pure: the files are read and their errors are laid out by ``bot/operator_files.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import AfterValidator, BaseModel
from pydantic_core import PydanticCustomError

__all__ = [
    "SEVERAL_PROBLEMS",
    "between",
    "check_text",
    "reject_problems",
    "show",
    "text",
    "unique",
    "unique_sorted_desc",
]

SEVERAL_PROBLEMS: Final = "several_problems"
"""The error type of :func:`reject_problems`; its context carries ``problems``: (sub-path, problem) pairs."""


def between(low: int, high: int) -> AfterValidator:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise PydanticCustomError(
                "out_of_range",
                "must be between {low} and {high} (got {got})",
                {"low": low, "high": high, "got": value},
            )
        return value

    return AfterValidator(check)


def check_text(value: str, max_length: int) -> str:
    """Text trimmed of surrounding spaces, not empty, at most ``max_length`` characters."""
    value = value.strip()
    if not value:
        raise PydanticCustomError("text_empty", "must not be empty")
    if len(value) > max_length:
        raise PydanticCustomError(
            "text_too_long",
            "must be at most {max} characters (got {got})",
            {"max": max_length, "got": len(value)},
        )
    return value


def text(max_length: int) -> AfterValidator:
    return AfterValidator(lambda value: check_text(value, max_length))


def _reject_duplicates(values: Sequence[object]) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError("duplicate", "lists {item} more than once", {"item": show(value)})
        seen.add(value)


def unique(values: tuple[Any, ...]) -> tuple[Any, ...]:
    _reject_duplicates(values)
    return values


def unique_sorted_desc(values: tuple[int, ...]) -> tuple[int, ...]:
    _reject_duplicates(values)
    return tuple(sorted(values, reverse=True))


def reject_problems(problems: Sequence[tuple[str, str]]) -> None:
    """Raise one error carrying several (sub-path, problem) pairs; the file loader gives each its own line."""
    if problems:
        raise PydanticCustomError(
            SEVERAL_PROBLEMS,
            "{summary}",
            {"summary": "; ".join(f"{p}: {m}" if p else m for p, m in problems), "problems": tuple(problems)},
        )


def show(value: object) -> str:
    """A value as the operator wrote it in TOML, shortened."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(show(item) for item in value) + "]"
    elif isinstance(value, Mapping | BaseModel):
        text = "a table"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
