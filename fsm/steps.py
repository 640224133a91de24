"""The application wizard's step table: the one place that says which steps there are and in what order.

Each row names a step (its rules are `domain.wizard.RULES[key]`), its state, and its prompt
(`apply-<key>-ask` in locales). Adding, removing or reordering a step is a one-line change here
(plus its rule in domain/wizard.py and its texts in locales/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State

from domain import wizard
from domain.applicant import Draft
from domain.policy import DOCUMENT_CATALOGUE
from fsm.states import Apply


@dataclass(frozen=True)
class Step:
    key: str
    state: State
    # Looked up once: the wizard reads these for every step of the table on every answer.
    rule: wizard.Rule = field(init=False, repr=False, compare=False)
    kind: str = field(init=False, repr=False, compare=False)
    section: str = field(init=False, repr=False, compare=False)
    prompt_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rule = wizard.RULES[self.key]
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "kind", rule.kind)
        object.__setattr__(self, "section", rule.section)
        object.__setattr__(self, "prompt_key", "apply-" + self.key.replace("_", "-") + "-ask")


STEPS: list[Step] = [
    Step("phone", Apply.phone),
    Step("email", Apply.email),
    Step("surname", Apply.surname),
    Step("name", Apply.name),
    Step("patronymic", Apply.patronymic),
    Step("birth_date", Apply.birth_date),
    Step("sex", Apply.sex),
    Step("citizenship", Apply.citizenship),
    Step("address", Apply.address),
    Step("category", Apply.category),
    Step("passport_number", Apply.passport_number),
    Step("passport_issue_date", Apply.passport_issue_date),
    Step("passport_division_code", Apply.passport_division_code),
    Step("passport_issued_by", Apply.passport_issued_by),
    Step("birth_certificate_number", Apply.birth_certificate_number),
    Step("birth_certificate_issue_date", Apply.birth_certificate_issue_date),
    Step("foreign_passport_country", Apply.foreign_passport_country),  # foreign citizens: instead of the above
    Step("foreign_passport_country_name", Apply.foreign_passport_country_name),
    Step("foreign_passport_number", Apply.foreign_passport_number),
    Step("foreign_passport_issue_date", Apply.foreign_passport_issue_date),
    Step("foreign_passport_expiry_date", Apply.foreign_passport_expiry_date),
    Step("snils", Apply.snils),
    Step("policy_kind", Apply.policy_kind),  # foreign citizens: OMS, DMS or none
    Step("oms", Apply.oms),
    Step("dms_number", Apply.dms_number),
    Step("dms_insurer", Apply.dms_insurer),
    Step("photo", Apply.photo),
    Step("employer_name", Apply.employer_name),
    Step("employer_inn", Apply.employer_inn),
    Step("employer_ogrn", Apply.employer_ogrn),
    Step("employer_okpo", Apply.employer_okpo),
    Step("employer_position", Apply.employer_position),
    Step("employer_start_date", Apply.employer_start_date),
    # one document step per kind of the policy model's catalogue, in its order
    *(Step(f"doc_{kind.value}", getattr(Apply, f"doc_{kind.value}")) for kind in DOCUMENT_CATALOGUE),
    Step("payment", Apply.payment),
]

STEP_BY_KEY: dict[str, Step] = {s.key: s for s in STEPS}
STEP_BY_STATE: dict[str, Step] = {s.state.state: s for s in STEPS if s.state.state}
ORDER: list[str] = [s.key for s in STEPS]
_APPLIES = [(s, s.rule.applies) for s in STEPS]


def applicable(draft: Draft, ctx: wizard.Context) -> list[Step]:
    """The steps that apply to this applicant. Many steps share one rule (the four passport steps, the employer's
    five): each distinct rule, a pure function of the draft and the context, is evaluated once."""
    verdicts: dict[Any, bool] = {}
    steps = []
    for step, applies in _APPLIES:
        verdict = verdicts.get(applies)
        if verdict is None:
            verdict = verdicts[applies] = applies(draft, ctx)
        if verdict:
            steps.append(step)
    return steps


def next_step(key: str, draft: Draft, ctx: wizard.Context) -> Step | None:
    """The step after `key` that applies to this applicant; None after the last (→ summary)."""
    idx = ORDER.index(key)
    for step in STEPS[idx + 1 :]:
        if step.rule.applies(draft, ctx):
            return step
    return None


def prev_step(key: str, draft: Draft, ctx: wizard.Context) -> Step | None:
    idx = ORDER.index(key)
    for step in reversed(STEPS[:idx]):
        if step.rule.applies(draft, ctx):
            return step
    return None


@dataclass(frozen=True)
class Progress:
    """Where a step is: its section (named for this applicant: 'Passport', 'Birth certificate'...),
    the step's place in that section, and its place in the whole application (for the bar)."""

    section: str  # the label key's suffix: apply-section-<section>
    n: int
    m: int
    overall_n: int
    overall_m: int


def section_progress(key: str, draft: Draft, ctx: wizard.Context) -> Progress:
    step = STEP_BY_KEY[key]
    n = m = overall = total = 0  # one pass over the applicable steps (shown on every step)
    for s in applicable(draft, ctx):
        total += 1
        if s.key == key:
            overall = total
        if s.section == step.section:
            m += 1
            if s.key == key:
                n = m
    return Progress(wizard.section_label(step.section, draft, ctx), n or 1, max(m, 1), overall or 1, total)


def first_unfilled(draft: Draft, ctx: wizard.Context) -> Step | None:
    for step in applicable(draft, ctx):
        if not step.rule.filled(draft):
            return step
    return None


def first_of_section(section: str, draft: Draft, ctx: wizard.Context) -> Step:
    return next(s for s in applicable(draft, ctx) if s.section == section)


def missing(draft: Draft, ctx: wizard.Context) -> list[Step]:
    return [STEP_BY_KEY[k] for k in wizard.missing(ORDER, draft, ctx)]
