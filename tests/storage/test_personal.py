"""The registry of personal-data tables (storage/personal.py) covers the migrated schema: a table that can hold a
person's data and is not registered fails here, before an export misses it or an erasure leaves it behind.

When a branch adds a table (sharing links, reminder settings), this test names it: add one `Personal(...)` entry
to storage/personal.py (and, for an encrypted column, its `Sealed` in storage/keycheck.py)."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from sqlalchemy import text

from storage.keycheck import SEALED
from storage.personal import BY_TABLE, NOT_PERSONAL, REGISTRY, Erase, Owner, Via
from tests.test_migrations import migrations

# Columns that hold a Telegram id of the person the row is about (or who acted).
PERSON_COLUMNS = {"owner_id", "user_id", "telegram_id", "chat_id", "actor_id", "holder_id", "person_id"}


def schema(tmp_path: Path) -> dict[str, tuple[set[str], set[str]]]:
    """Every table of the migrated database: its column names and the tables its foreign keys point at."""
    with migrations(tmp_path) as (conn, cfg):
        command.upgrade(cfg, "head")
        names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                 "AND name NOT LIKE 'sqlite_%'"))]
        found = {}
        for name in names:
            columns = {r[1] for r in conn.execute(text(f'PRAGMA table_info("{name}")'))}
            parents = {r[2] for r in conn.execute(text(f'PRAGMA foreign_key_list("{name}")'))}
            found[name] = (columns, parents)
    return found


def holds_personal_data(name: str, tables: dict[str, tuple[set[str], set[str]]]) -> bool:
    """A column named like a person's id, or a foreign key to a table that holds personal data."""
    seen: set[str] = set()

    def personal(table: str) -> bool:
        if table in seen:
            return False
        seen.add(table)
        columns, parents = tables[table]
        return bool(columns & PERSON_COLUMNS) or any(personal(p) for p in parents if p in tables)

    return personal(name)


def test_every_table_that_can_hold_a_persons_data_is_registered(tmp_path: Path) -> None:
    tables = schema(tmp_path)
    missing = sorted(n for n in tables if holds_personal_data(n, tables) and n not in BY_TABLE)
    assert missing == [], f"tables with personal data missing from storage/personal.py REGISTRY: {missing}"
    wrongly_excused = sorted(n for n in NOT_PERSONAL if n in tables and holds_personal_data(n, tables))
    assert wrongly_excused == []
    unaccounted = sorted(set(tables) - set(BY_TABLE) - set(NOT_PERSONAL))
    assert unaccounted == [], f"tables neither registered nor excused in storage/personal.py: {unaccounted}"


def test_every_entry_fits_the_schema(tmp_path: Path) -> None:
    tables = schema(tmp_path)
    for entry in REGISTRY:
        assert entry.table in tables, entry.table
        columns, _ = tables[entry.table]
        assert set(entry.find.columns) <= columns, entry
        assert set(entry.export or ()) <= columns and set(entry.scrub) <= columns, entry
        if isinstance(entry.find, Via):
            # the parent is erased after the child, so the child's rows are still found through it
            assert REGISTRY.index(BY_TABLE[entry.find.parent]) > REGISTRY.index(entry), entry
        if entry.erase is Erase.LAW:
            assert entry.keep_since in columns, entry
    sections = [entry.section for entry in REGISTRY]
    assert len(sections) == len(set(sections))


def test_a_table_with_a_foreign_key_to_users_is_found_by_that_column(tmp_path: Path) -> None:
    """Rows that point at a person are found through the very column that points (no orphan row is missed)."""
    with migrations(tmp_path) as (conn, cfg):
        command.upgrade(cfg, "head")
        for entry in REGISTRY:
            for fk in conn.execute(text(f'PRAGMA foreign_key_list("{entry.table}")')):
                if fk[2] == "users" and isinstance(entry.find, Owner):
                    assert fk[3] in entry.find.columns, (entry.table, fk[3])


def test_every_encrypted_column_is_in_a_registered_table() -> None:
    assert {s.table.name for s in SEALED} <= set(BY_TABLE)


def test_the_readme_documents_every_exported_field() -> None:
    """«Your data» in the README lists each section's fields: a new column or table shows up here."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for entry in REGISTRY:
        line = re.search(rf"^\| `{entry.section}` \| [^|]+ \| (.+) \|$", readme, re.MULTILINE)
        assert line is not None, f"README «Your data» has no row for the section {entry.section}"
        documented = set(re.findall(r"`([a-z_0-9]+)`", line.group(1)))
        exported = set(entry.export or (c.name for c in entry.t.columns))
        if entry.file_column is not None:  # the random name on disk is left out, the path in the ZIP put in
            exported = exported - {entry.file_column} | {"file"}
        assert exported <= documented, (entry.section, sorted(exported - documented))
