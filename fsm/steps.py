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
POSITION: dict[str, int] = {key: i for i, key in enumerate(ORDER)}
_APPLIES = [s.rule.applies for s in STEPS]
PLAN_CACHE_SIZE = 256  # plans kept by `plan` (kinds of applicant x contexts: a handful a day in practice)


@dataclass(frozen=True)
class Progress:
    """Where a step is: its section (named for this applicant: 'Passport', 'Birth certificate'...),
    the step's place in that section, and its place in the whole application (for the bar)."""

    section: str  # the label key's suffix: apply-section-<section>
    n: int
    m: int
    overall_n: int
    overall_m: int


@dataclass(frozen=True)
class Plan:
    """The step table as it applies to one kind of applicant under one context: which steps apply, what comes
    after and before each step, where each step stands (its progress) and which steps may be skipped. It depends
    only on `wizard.step_facts` and the context, so it is worked out once for them (see `plan`) rather than every
    rule being evaluated again on every answer."""

    steps: tuple[Step, ...]
    after: tuple[Step | None, ...]  # by position in STEPS: the first applicable step after it
    before: tuple[Step | None, ...]  # by position in STEPS: the last applicable step before it
    progress: dict[str, Progress]  # every step's, applicable or not
    optional: frozenset[str]  # the steps this applicant may skip


_PLANS: dict[tuple[Any, ...], Plan] = {}


def plan(draft: Draft, ctx: wizard.Context) -> Plan:
    """This applicant's plan, from memory when an applicant with the same facts was planned under `ctx`."""
    memo = (wizard.step_facts(draft, ctx), ctx)
    found = _PLANS.get(memo)
    if found is None:
        if len(_PLANS) >= PLAN_CACHE_SIZE:
            _PLANS.clear()
        found = _PLANS[memo] = make_plan(draft, ctx)
    return found


def make_plan(draft: Draft, ctx: wizard.Context) -> Plan:
    """Every rule evaluated for this draft (the uncached computation behind `plan`). Many steps share one rule
    (the four passport steps, the employer's five): each distinct rule is evaluated once."""
    verdicts: dict[Any, bool] = {}
    flags = []
    for applies in _APPLIES:
        verdict = verdicts.get(applies)
        if verdict is None:
            verdict = verdicts[applies] = applies(draft, ctx)
        flags.append(verdict)
    steps = tuple(s for s, ok in zip(STEPS, flags, strict=True) if ok)
    after: list[Step | None] = [None] * len(STEPS)
    following: Step | None = None
    for i in range(len(STEPS) - 1, -1, -1):
        after[i] = following
        if flags[i]:
            following = STEPS[i]
    before: list[Step | None] = [None] * len(STEPS)
    preceding: Step | None = None
    for i in range(len(STEPS)):
        before[i] = preceding
        if flags[i]:
            preceding = STEPS[i]
    labels = {section: wizard.section_label(section, draft, ctx) for section in wizard.SECTIONS}
    progress = {}
    for step in STEPS:
        n = m = overall = total = 0
        for s in steps:
            total += 1
            if s.key == step.key:
                overall = total
            if s.section == step.section:
                m += 1
                if s.key == step.key:
                    n = m
        progress[step.key] = Progress(labels[step.section], n or 1, max(m, 1), overall or 1, total)
    optional = frozenset(s.key for s in STEPS if s.rule.is_optional(draft, ctx))
    return Plan(steps, tuple(after), tuple(before), progress, optional)


def applicable(draft: Draft, ctx: wizard.Context) -> list[Step]:
    """The steps that apply to this applicant, in order."""
    return list(plan(draft, ctx).steps)


def next_step(key: str, draft: Draft, ctx: wizard.Context) -> Step | None:
    """The step after `key` that applies to this applicant; None after the last (→ summary)."""
    return plan(draft, ctx).after[POSITION[key]]


def prev_step(key: str, draft: Draft, ctx: wizard.Context) -> Step | None:
    return plan(draft, ctx).before[POSITION[key]]


def section_progress(key: str, draft: Draft, ctx: wizard.Context) -> Progress:
    return plan(draft, ctx).progress[key]


def is_optional(step: Step, draft: Draft, ctx: wizard.Context) -> bool:
    """`step.rule.is_optional(draft, ctx)`, from the plan."""
    return step.key in plan(draft, ctx).optional


def first_unfilled(draft: Draft, ctx: wizard.Context) -> Step | None:
    for step in plan(draft, ctx).steps:
        if not step.rule.filled(draft):
            return step
    return None


def first_of_section(section: str, draft: Draft, ctx: wizard.Context) -> Step:
    return next(s for s in plan(draft, ctx).steps if s.section == section)


def missing(draft: Draft, ctx: wizard.Context) -> list[Step]:
    """Required steps that apply to this applicant and are still empty, in step order."""
    keys = wizard.missing([s.key for s in plan(draft, ctx).steps], draft, ctx)  # the rule is the domain's
    return [STEP_BY_KEY[k] for k in keys]
