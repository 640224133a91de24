"""Locales: the same keys everywhere, every key the code uses exists, no prose in Python files."""

from __future__ import annotations

import ast
import os
import re
from datetime import date
from pathlib import Path

import pytest

from bot.i18n import LOCALES_DIR, SUPPORTED, Translator, _parse

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ["bot", "handlers", "services", "views", "fsm", "storage", "domain"]
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


def python_files() -> list[Path]:
    return [p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts]


def string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_every_locale_has_the_same_keys() -> None:
    t = Translator()
    assert set(t.keys) == set(SUPPORTED)
    ru, en = t.keys["ru"], t.keys["en"]
    assert ru, "no messages loaded"
    assert sorted(ru - en) == [], "keys only in ru"
    assert sorted(en - ru) == [], "keys only in en"


def used_keys(path: Path) -> set[str]:
    """Keys the code names literally: tr("key"), self.tr("key"), translator.get(locale, "key"),
    and issue codes: error("code") / warning("code") / Issue("code", ...) → issue-code."""
    keys: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        args = node.args
        if name == "tr" and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            keys.add(args[0].value)
        elif name == "get" and len(args) >= 2 and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
            if KEY_RE.match(args[1].value):
                keys.add(args[1].value)
        elif isinstance(func, ast.Name) and name in {"error", "warning", "Issue"} and isinstance(args[0], ast.Constant):
            if isinstance(args[0].value, str):
                keys.add("issue-" + args[0].value)
    return keys


def test_every_key_used_in_code_exists() -> None:
    t = Translator()
    used = set().union(*(used_keys(p) for p in python_files()))
    assert len(used) > 50, "the scan found too few keys to be working"
    for code in SUPPORTED:
        assert sorted(used - t.keys[code]) == [], code


def test_every_key_built_from_data_exists() -> None:
    """Keys the code builds from the step table, states, sections, choices and policy categories."""
    from domain import wizard
    from domain.policy import BUILTIN_CATEGORY_CODES
    from fsm.states import all_states, hint_for
    from fsm.steps import STEPS

    t = Translator()
    wanted = {hint_for(s.state) for s in all_states()}
    for step in STEPS:
        wanted.add(step.prompt_key)
        wanted.add("apply-field-" + step.key.replace("_", "-"))
        for value in step.rule.choices(wizard.Context(today=date(2026, 1, 1))):
            wanted.add(f"choice-{step.key.replace('_', '-')}-{value.replace('_', '-')}")
    wanted |= {f"apply-section-{s}" for s in wizard.SECTIONS}
    wanted |= {f"category-{c.replace('_', '-')}" for c in BUILTIN_CATEGORY_CODES}
    for code in SUPPORTED:
        assert sorted(wanted - t.keys[code]) == [], code


def test_messages_format_without_errors_and_without_bidi_marks() -> None:
    t = Translator(strict=True)
    for code in SUPPORTED:
        bundle = t.bundles[code]
        for key in t.keys[code]:
            message = bundle.get_message(key)
            if message.value is None:
                continue
            # Variables are missing here on purpose; anything else (unknown message or term) is a bug.
            text, errors = bundle.format_pattern(message.value, {})
            assert not [e for e in errors if "Unknown external" not in str(e)], (code, key, errors)
            assert "\u2068" not in text and "\u2069" not in text


def test_no_cyrillic_prose_in_python_code() -> None:
    # In bot/handlers/fsm/storage not even a Cyrillic word; in domain, data tokens (look-alike letters,
    # «ЭМК» in an application number) are allowed, sentences are not.
    word, sentence = re.compile(r"[А-Яа-яЁё]{3,}"), re.compile(r"[А-Яа-яЁё]{3,}[\s,.]+[А-Яа-яЁё]{3,}")
    offenders = []
    for path in python_files():
        if "domain" in path.relative_to(ROOT).parts:
            offenders += [f"{path.relative_to(ROOT)}: {s[:40]!r}" for s in string_literals(path) if sentence.search(s)]
    # Outside domain/ not a Cyrillic word anywhere, docstrings and comments included (migrations too): the
    # texts live in locales/, and the code names buttons by their English labels.
    for d in CODE_DIRS:
        if d == "domain":
            continue
        for path in (ROOT / d).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if word.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:40]!r}")
    assert offenders == []


def test_locale_files_live_where_the_translator_reads() -> None:
    for code in SUPPORTED:
        assert list((LOCALES_DIR / code).glob("*.ftl"))


def test_locale_files_are_parsed_once_per_process_and_again_when_changed(tmp_path: Path) -> None:
    for code in SUPPORTED:
        (tmp_path / code).mkdir()
        (tmp_path / code / "main.ftl").write_text("hello = Hi\n", encoding="utf-8")
    first = Translator(tmp_path)
    before = _parse.cache_info()
    second = Translator(tmp_path)  # a restart: nothing is parsed again
    after = _parse.cache_info()
    assert (after.misses, after.hits) == (before.misses, before.hits + len(SUPPORTED))
    assert first.bundles["ru"] is not second.bundles["ru"], "each translator has bundles of its own"

    path = tmp_path / "ru" / "main.ftl"
    mtime = path.stat().st_mtime_ns
    path.write_text("hello = Привет\nbye = Пока\n", encoding="utf-8")
    os.utime(path, ns=(mtime + 10**9, mtime + 10**9))
    third = Translator(tmp_path)
    assert third.get("ru", "hello") == "Привет" and third.keys["ru"] == {"hello", "bye"}
    assert second.get("ru", "hello") == "Hi"


def test_a_key_defined_in_two_files_of_one_language_is_refused(tmp_path: Path) -> None:
    """Fluent keeps the first of two messages with one id and drops the other without a word: the booking
    flow's back button once showed the book card's label that way."""
    for code in SUPPORTED:
        (tmp_path / code).mkdir()
        (tmp_path / code / "a.ftl").write_text("back = To the card\n", encoding="utf-8")
        (tmp_path / code / "b.ftl").write_text("back = To the clinic\nother = Other\n", encoding="utf-8")
    with pytest.raises(ValueError, match="back already defined"):
        Translator(tmp_path)
