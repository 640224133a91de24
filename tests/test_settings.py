"""Settings: wrong values fail at start-up with messages that name the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings, format_settings_error

GOOD_TOKEN = "123456789:AAEhBP0av28GBpLrSaZ1XGC3ns5JYUf-kWQ"
ROOT = Path(__file__).resolve().parent.parent


def load(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[arg-type]


def error_text(**env: str) -> str:
    with pytest.raises(ValidationError) as info:
        load(**env)
    return format_settings_error(info.value)


def test_defaults_with_a_token() -> None:
    s = load(BOT_TOKEN=GOOD_TOKEN)
    assert s.BOT_TOKEN.get_secret_value() == GOOD_TOKEN
    assert s.BOT_API_URL == "https://api.telegram.org"
    assert s.DATABASE_URL == "sqlite+aiosqlite:///data/emk.db"
    assert s.TIMEZONE == "Europe/Moscow"
    assert s.DEFAULT_LOCALE == "ru"
    assert s.STAFF_IDS == []
    assert GOOD_TOKEN not in repr(s)


def test_missing_token_names_the_variable_and_botfather() -> None:
    text = error_text()
    assert text.startswith("BOT_TOKEN is missing")
    assert "@BotFather" in text


@pytest.mark.parametrize("token", ["abc", "123:short", "notdigits:AAEhBP0av28GBpLrSaZ1XGC3ns5JYUf-kWQ"])
def test_malformed_token(token: str) -> None:
    text = error_text(BOT_TOKEN=token)
    assert text.startswith("BOT_TOKEN does not look like a bot token")


def test_bad_database_url() -> None:
    text = error_text(BOT_TOKEN=GOOD_TOKEN, DATABASE_URL="mysql://localhost/emk")
    assert text.startswith("DATABASE_URL unsupported driver 'mysql'")


def test_bad_timezone_staff_ids_locale_each_named() -> None:
    text = error_text(BOT_TOKEN=GOOD_TOKEN, TIMEZONE="Mars/Base", STAFF_IDS="1,two", DEFAULT_LOCALE="de")
    names = [line.split(" ", 1)[0] for line in text.splitlines()]
    assert sorted(names) == ["DEFAULT_LOCALE", "STAFF_IDS", "TIMEZONE"]


def test_staff_ids_parse_and_api_url_trailing_slash() -> None:
    s = load(BOT_TOKEN=GOOD_TOKEN, STAFF_IDS="111, 222;333", BOT_API_URL="http://127.0.0.1:8081/")
    assert s.STAFF_IDS == [111, 222, 333]
    assert s.BOT_API_URL == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("env", "first_line"),
    [
        ({}, "BOT_TOKEN is missing"),
        ({"BOT_TOKEN": "nonsense"}, "BOT_TOKEN does not look like a bot token"),
    ],
)
def test_python_m_bot_exits_2_with_one_clear_line(tmp_path: Path, env: dict[str, str], first_line: str) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN"}}
    proc = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,  # no .env here
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(first_line)
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
