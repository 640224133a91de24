"""The wizard's shortcuts give what the long way gives: the step plan kept per kind of applicant
(fsm/steps.py `plan`), the progress lines kept per language and place (views/wizard.py), the state filter of
the wizard's routes (fsm/filters.py), clean_text's fast path (domain/text.py) and a handler called without
aiogram's middleware wrapper when it has no inner middleware (bot/routing.py). Each is compared with the
computation it replaces, written out here as it was, over drafts of every shape: adult and minor (either side
of 14 and 18), Russian, foreign or not yet said, a typed country, ОМС/ДМС/no policy, skipped optional fields,
an employer skipped, documents confirmed or skipped, under contexts with and without payment."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Chat, InaccessibleMessage, Message, Update, User
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import Translator
from bot.routing import QuickDispatcher, QuickRouter
from domain import text, wizard
from domain.applicant import Citizenship, Draft, Employer, ForeignPassport, PolicyKind, Relation
from fsm import states as states_module
from fsm import steps
from fsm.filters import InStates, PrivateChat
from views import wizard as views

FAST = settings(max_examples=150, deadline=None, database=None)
TODAY = date(2026, 1, 15)
CONTEXTS = [
    wizard.Context(today=TODAY, categories=("food",)),
    wizard.Context(today=TODAY, categories=("food", "school"), payment_required=True,
                   documents_adult=("passport_main", "oms_policy"), documents_child=("birth_certificate",),
                   documents_optional=("others", "passport_registration")),
    wizard.Context(today=date(2026, 3, 2), categories=("food",), documents_optional=()),
]
BIRTH_DATES = [None, date(1990, 2, 1), date(2012, 1, 15), date(2012, 1, 16), date(2012, 3, 2), date(2012, 3, 3),
               date(2008, 1, 15), date(2008, 1, 16), date(2020, 6, 1)]  # either side of 14 and 18, either day
KINDS = [kind for kind in (k.removeprefix("doc_") for k in steps.ORDER) if f"doc_{kind}" in steps.ORDER]


# --- the long way: every rule evaluated afresh (the code the plan replaced) -----------------------------------

def ref_applicable(d: Draft, c: wizard.Context) -> list[steps.Step]:
    return [s for s in steps.STEPS if s.rule.applies(d, c)]


def ref_next(key: str, d: Draft, c: wizard.Context) -> steps.Step | None:
    return next((s for s in steps.STEPS[steps.ORDER.index(key) + 1:] if s.rule.applies(d, c)), None)


def ref_prev(key: str, d: Draft, c: wizard.Context) -> steps.Step | None:
    return next((s for s in reversed(steps.STEPS[:steps.ORDER.index(key)]) if s.rule.applies(d, c)), None)


def ref_progress(key: str, d: Draft, c: wizard.Context) -> steps.Progress:
    step = steps.STEP_BY_KEY[key]
    n = m = overall = total = 0
    for s in ref_applicable(d, c):
        total += 1
        if s.key == key:
            overall = total
        if s.section == step.section:
            m += 1
            if s.key == key:
                n = m
    return steps.Progress(wizard.section_label(step.section, d, c), n or 1, max(m, 1), overall or 1, total)


def ref_first_unfilled(d: Draft, c: wizard.Context) -> steps.Step | None:
    return next((s for s in ref_applicable(d, c) if not s.rule.filled(d)), None)


def ref_missing(d: Draft, c: wizard.Context) -> list[steps.Step]:
    return [steps.STEP_BY_KEY[k] for k in wizard.missing(steps.ORDER, d, c)]


def ref_progress_line(tr: Any, key: str, d: Draft, c: wizard.Context) -> str:
    p = ref_progress(key, d, c)
    filled = round(views.BAR_CELLS * p.overall_n / p.overall_m) if p.overall_m else 0
    words = tr.translator.get(tr.locale, "apply-progress", section=tr("apply-section-" + p.section), n=p.n, m=p.m)
    return words + " " + "▰" * filled + "▱" * (views.BAR_CELLS - filled)


# --- drafts of every shape ---------------------------------------------------------------------------------------

@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    maybe = st.none() | st.text(alphabet="АБВabc12 ", min_size=1, max_size=6)
    return Draft(
        relation=draw(st.sampled_from(Relation)),
        phone=draw(st.sampled_from([None, "+79161234567"])),
        email=draw(maybe), email_skipped=draw(st.booleans()),
        surname=draw(maybe), name=draw(maybe), patronymic=draw(maybe), patronymic_skipped=draw(st.booleans()),
        birth_date=draw(st.sampled_from(BIRTH_DATES)),
        sex=draw(st.sampled_from([None, "male", "female"])),
        citizenship=draw(st.sampled_from([None, *Citizenship])),
        address=draw(maybe), category=draw(st.sampled_from([None, "food"])),
        foreign_passport=ForeignPassport(country=draw(st.sampled_from([None, "uz", wizard.OTHER_COUNTRY])),
                                         country_name=draw(maybe), expiry_skipped=draw(st.booleans())),
        snils=draw(st.sampled_from([None, "11223344595"])), snils_skipped=draw(st.booleans()),
        policy_kind=draw(st.sampled_from([None, *PolicyKind])), policy_skipped=draw(st.booleans()),
        oms_number=draw(st.sampled_from([None, "7700000000000016"])),
        employer=Employer(name=draw(maybe), okpo_skipped=draw(st.booleans())),
        employer_skipped=draw(st.booleans()),
        photo_upload_id=draw(st.sampled_from([None, 7])),
        confirmed_documents=draw(st.lists(st.sampled_from(KINDS), unique=True)),
        skipped_documents=draw(st.lists(st.sampled_from(KINDS), unique=True)),
        payment_receipt_id=draw(st.sampled_from([None, 3])),
    )


def assert_plan_is_the_long_way(d: Draft, c: wizard.Context) -> None:
    assert steps.applicable(d, c) == ref_applicable(d, c)
    for key in steps.ORDER:
        assert steps.next_step(key, d, c) == ref_next(key, d, c), key
        assert steps.prev_step(key, d, c) == ref_prev(key, d, c), key
        assert steps.section_progress(key, d, c) == ref_progress(key, d, c), key
        step = steps.STEP_BY_KEY[key]
        assert steps.is_optional(step, d, c) == step.rule.is_optional(d, c), key
    assert steps.first_unfilled(d, c) == ref_first_unfilled(d, c)
    assert steps.missing(d, c) == ref_missing(d, c)
    for section in wizard.SECTIONS:
        expected = [s for s in ref_applicable(d, c) if s.section == section]
        if expected:
            assert steps.first_of_section(section, d, c) == expected[0]


@FAST
@given(d=drafts(), which=st.sampled_from(range(len(CONTEXTS))))
def test_the_plan_gives_what_every_rule_evaluated_afresh_gives(d: Draft, which: int) -> None:
    """Examples run one after another against the same cache, so most are answered from a plan made for an
    earlier draft with the same facts and different answers."""
    assert_plan_is_the_long_way(d, CONTEXTS[which])


def test_drafts_with_the_same_facts_share_a_plan_and_others_do_not() -> None:
    c = CONTEXTS[0]
    adult = Draft(birth_date=date(1990, 2, 1), citizenship=Citizenship.RU)
    filled = adult.model_copy(update={"phone": "+79161234567", "email_skipped": True, "surname": "Иванова"})
    assert steps.plan(adult, c) is steps.plan(filled, c)
    assert steps.first_unfilled(adult, c) != steps.first_unfilled(filled, c)
    child = adult.model_copy(update={"birth_date": date(2015, 1, 1)})
    foreign = adult.model_copy(update={"citizenship": Citizenship.OTHER})
    plans = [steps.plan(d, c) for d in (adult, child, foreign)]
    assert len({id(p) for p in plans}) == 3
    # the same person on another day is planned under that day's context: a birthday moves them on
    turning = adult.model_copy(update={"birth_date": date(2012, 1, 20)})
    assert "birth_certificate_number" in [s.key for s in steps.applicable(turning, CONTEXTS[0])]
    assert "passport_number" in [s.key for s in steps.applicable(turning, CONTEXTS[2])]


def test_a_walk_through_the_wizard_sees_the_long_way_at_every_step() -> None:
    """A person fills the wizard answer by answer (a foreign citizen who types the country, chooses ДМС and
    skips the employer), then edits back to Russian citizenship: each draft on the way agrees."""
    c = CONTEXTS[1]
    d = Draft(relation=Relation.SELF)
    answers: list[dict[str, Any]] = [
        {"phone": "+79161234567"}, {"email_skipped": True}, {"surname": "Ли"}, {"name": "Ан"},
        {"patronymic_skipped": True}, {"birth_date": date(1990, 2, 1)}, {"sex": "male"},
        {"citizenship": Citizenship.OTHER}, {"address": "Москва"}, {"category": "food"},
        {"foreign_passport": ForeignPassport(country=wizard.OTHER_COUNTRY)},
        {"foreign_passport": ForeignPassport(country=wizard.OTHER_COUNTRY, country_name="Вьетнам")},
        {"snils_skipped": True}, {"policy_kind": PolicyKind.DMS}, {"employer_skipped": True},
        {"confirmed_documents": ["passport_main"]}, {"citizenship": Citizenship.RU}, {"policy_kind": None},
        {"birth_date": date(2015, 5, 5)},
    ]
    for change in answers:
        d = d.model_copy(update=change)
        assert_plan_is_the_long_way(d, c)


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator(strict=True)


@settings(max_examples=60, deadline=None, database=None)
@given(d=drafts(), which=st.sampled_from(range(len(CONTEXTS))), locale=st.sampled_from(["ru", "en"]))
def test_the_kept_progress_line_is_the_one_formatted_afresh(
    translator: Translator, d: Draft, which: int, locale: str
) -> None:
    tr, c = translator.bind(locale), CONTEXTS[which]
    for key in steps.ORDER:
        assert views.progress_line(tr, key, d, c) == ref_progress_line(tr, key, d, c), key


# --- the state filter ------------------------------------------------------------------------------------------

def all_states() -> list[State]:
    groups = [g for g in vars(states_module).values()
              if isinstance(g, type) and issubclass(g, StatesGroup) and g is not StatesGroup]
    return [s for g in groups for s in g.__all_states__]


MESSAGE = Message.model_validate({"message_id": 1, "date": 0, "chat": Chat(id=1, type="private")})
WIZARD_ROUTES = [
    [s.state for s in steps.STEPS if s.kind == "text"],
    [s.state for s in steps.STEPS if s.kind == "contact"],
    [steps.STEPS[0].state],
]


@pytest.mark.parametrize("allowed", WIZARD_ROUTES, ids=["text", "contact", "one"])
async def test_in_states_says_what_state_filter_says(allowed: list[State]) -> None:
    raw_states = [None, "", "*", "Apply", "Apply:", "garbage", *(s.state for s in all_states())]
    assert len(raw_states) > 40
    ours, aiograms = InStates(*allowed), StateFilter(*allowed)
    for raw in raw_states:
        assert await ours(MESSAGE, raw_state=raw) == await aiograms(MESSAGE, raw_state=raw), raw


async def test_private_chat_says_what_the_magic_filters_say() -> None:
    chats = [Chat(id=1, type=t) for t in ("private", "group", "supergroup", "channel")]
    user = User(id=1, is_bot=False, first_name="A")
    messages: list[Any] = [Message(message_id=1, date=datetime(2026, 1, 1), chat=c, text="x") for c in chats]
    presses: list[Any] = [CallbackQuery(id="1", from_user=user, chat_instance="i", message=m) for m in messages]
    presses += [CallbackQuery(id="2", from_user=user, chat_instance="i", message=None),
                CallbackQuery(id="3", from_user=user, chat_instance="i",
                              message=InaccessibleMessage(chat=chats[0], message_id=1)),
                CallbackQuery(id="4", from_user=user, chat_instance="i",
                              message=InaccessibleMessage(chat=chats[1], message_id=1))]
    for message in messages:
        assert await PrivateChat()(message) == bool((F.chat.type == "private").resolve(message))
    for press in presses:
        assert await PrivateChat()(press) == bool((F.message.chat.type == "private").resolve(press))
    said = [await PrivateChat()(e) for e in messages + presses]
    assert said == [True, False, False, False] * 2 + [False, True, False]


def test_in_states_takes_named_states_only() -> None:
    with pytest.raises(ValueError):
        InStates()
    with pytest.raises(ValueError):
        InStates(State("*"))


# --- clean_text ------------------------------------------------------------------------------------------------

def ref_clean_text(raw: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", raw):
        category = unicodedata.category(ch)
        if category in text._DROPPED or (category == "Cc" and not ch.isspace()):
            continue
        out.append(" " if category in text._AS_SPACE or category == "Cc" else ch)
    return text._SPACES.sub(" ", "".join(out)).strip()


def test_every_printable_character_is_one_the_loop_keeps_as_it_is() -> None:
    """The fast path's premise, over all of Unicode: str.isprintable() is false for every character the loop
    drops or turns into a space."""
    changed = {"Cc", "Zl", "Zp", *text._DROPPED}
    assert [hex(cp) for cp in range(0x110000)
            if chr(cp).isprintable() and unicodedata.category(chr(cp)) in changed] == []


@settings(max_examples=100, deadline=None, database=None)
@given(raw=st.text() | st.text(alphabet="Aa é\u0301\u200b\t\n\u00a0\u2028\x07№-", max_size=30))
def test_clean_text_is_the_character_loop(raw: str) -> None:
    assert text.clean_text(raw) == ref_clean_text(raw)


# --- bot/routing.py calls a handler without aiogram's wrapper when no inner middleware wraps it ------------------

def routed(router_class: type[Router], dispatcher_class: type[Dispatcher], seen: list[Any], *,
           inner: bool) -> Dispatcher:
    async def middleware(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        seen.append(("middleware", data["event_router"].name))
        data["extra"] = "from the middleware"
        return await handler(event, data)

    def record(name: str) -> Any:
        async def handler(message: Message, **data: Any) -> None:
            seen.append((name, data.get("extra"), data["event_router"].name, data["handler"].callback.__name__))
        handler.__name__ = name
        return handler

    async def skipper(message: Message) -> None:
        raise SkipHandler

    parent, child, last = router_class(name="parent"), router_class(name="child"), router_class(name="last")
    if inner:
        parent.message.middleware(middleware)
    child.message(F.text == "skip")(skipper)
    child.message(F.text.startswith("a"))(record("a"))
    last.message()(record("anything"))
    parent.include_router(child)
    dp = dispatcher_class(name="dp")
    dp.include_routers(parent, last)
    return dp


@pytest.mark.parametrize("inner", [False, True], ids=["no inner middleware", "an inner middleware"])
async def test_a_handler_is_called_as_aiogram_calls_it(inner: bool) -> None:
    bot = Bot("42:TEST")
    try:
        for n, words in enumerate(["abc", "skip", "zzz"], 1):
            plain: list[Any] = []
            quick: list[Any] = []
            message = Message(message_id=n, date=datetime.now(UTC), chat=Chat(id=42, type="private"),
                              from_user=User(id=42, is_bot=False, first_name="A"), text=words)
            await routed(Router, Dispatcher, plain, inner=inner).feed_update(bot, Update(update_id=n, message=message))
            await routed(QuickRouter, QuickDispatcher, quick, inner=inner).feed_update(
                bot, Update(update_id=n, message=message))
            frozen: list[Any] = []
            dp = routed(QuickRouter, QuickDispatcher, frozen, inner=inner)
            dp.freeze_routes()  # type: ignore[attr-defined]
            await dp.feed_update(bot, Update(update_id=n, message=message))
            assert quick == plain and frozen == plain and plain, words
            assert (("middleware", "child") in plain) is (inner and words != "zzz")  # the child's handlers only
    finally:
        await bot.session.close()
