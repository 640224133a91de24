"""Check results as codes, not text.

Every validator and file check in ``domain`` reports what it found as :class:`Issue` values.
A handler turns ``issue.code`` into the Fluent key ``issue-<code>`` and passes ``issue.params``
as Fluent arguments, so the domain never knows a word of Russian or English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Severity(StrEnum):
    ERROR = "error"  # blocks the step
    WARNING = "warning"  # shown, the person may go on


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    severity: Severity = Severity.ERROR
    params: Mapping[str, str | int | float] = field(default_factory=dict)

    @property
    def fluent_key(self) -> str:
        return f"issue-{self.code}"


def error(code: str, **params: str | int | float) -> Issue:
    return Issue(code, Severity.ERROR, params)


def warning(code: str, **params: str | int | float) -> Issue:
    return Issue(code, Severity.WARNING, params)


@dataclass(frozen=True, slots=True)
class Checked(Generic[T]):
    """A normalised value plus what was found on the way.

    ``value`` is None exactly when there is at least one error.
    """

    value: T | None
    issues: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(i.severity is Severity.ERROR for i in self.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity is Severity.WARNING)

    @classmethod
    def good(cls, value: T, warnings: Iterable[Issue] = ()) -> Checked[T]:
        return cls(value, tuple(warnings))

    @classmethod
    def bad(cls, *issues: Issue) -> Checked[T]:
        assert any(i.severity is Severity.ERROR for i in issues)
        return cls(None, tuple(issues))
