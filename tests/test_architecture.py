"""The arrows point one way: handlers → services → storage and domain; domain → nothing of ours.

Parsed from the source (no import runs), so a wrong arrow fails here before it becomes a habit.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"bot", "domain", "fsm", "handlers", "services", "storage", "views"}


def modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, by its full dotted name (`from a import b` gives `a` and `a.b`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def names(path: Path) -> set[str]:
    """Every imported name and attribute a file uses."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            used |= {alias.name for alias in node.names}
    return used


def top(module: str) -> str:
    return module.split(".")[0]


def handler_modules() -> list[Path]:
    return [p for p in modules("handlers") if p.name != "__init__.py"]


def test_no_handler_imports_another_handler() -> None:
    handlers = {f"handlers.{p.stem}" for p in handler_modules()}
    offenders = {p.name: sorted(imports(p) & handlers) for p in handler_modules()}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_handlers_touch_no_engine_and_no_repository() -> None:
    offenders = {}
    for path in handler_modules():
        bad = sorted(m for m in imports(path) if m.startswith("storage.db") or m.endswith("Repository"))
        bad += sorted(n for n in names(path) if n in {"engine", "transaction", "reading"} or n.endswith("Repository"))
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


def test_handlers_do_not_use_the_composition_root_as_a_middle_layer() -> None:
    """From bot/ a handler takes only the translator's types and the keyboards (callback data)."""
    allowed = {"bot.i18n", "bot.keyboards"}
    offenders = {
        p.name: sorted(m for m in imports(p) if top(m) == "bot" and m.rsplit(".", 1)[0] not in allowed
                       and m not in allowed)
        for p in handler_modules()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_services_never_import_telegram_nor_the_layers_above() -> None:
    offenders = {
        p.name: sorted(m for m in imports(p) if top(m) in {"aiogram", "bot", "handlers", "views"})
        for p in modules("services")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_views_import_no_handler() -> None:
    offenders = {p.name: sorted(m for m in imports(p) if top(m) == "handlers") for p in modules("views")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_storage_imports_only_storage_and_domain() -> None:
    offenders = {
        p.name: sorted(m for m in imports(p) if top(m) in OURS - {"storage", "domain"})
        for p in modules("storage")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_domain_imports_nothing_of_ours_outside_domain() -> None:
    offenders = {
        p.name: sorted(m for m in imports(p) if top(m) in OURS - {"domain"} or top(m) == "aiogram")
        for p in modules("domain")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_checks_see_the_code() -> None:
    """Guard against a check that passes because it looks at nothing."""
    assert len(handler_modules()) >= 8 and len(modules("services")) >= 5 and len(modules("domain")) >= 10
    assert "handlers.apply" not in imports(ROOT / "handlers" / "review.py")
    assert "services" in imports(ROOT / "handlers" / "review.py")
