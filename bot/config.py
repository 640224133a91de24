"""Settings from the environment and `.env` (pydantic-settings).

Every variable is documented in `.env.example`. Wrong values fail at start-up with a message that names
the variable; `format_settings_error` turns pydantic's report into one line per variable.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.crypto import DATA_KEY_FILE
from storage.signing import SIGNING_KEY_FILE

TOKEN_RE = re.compile(r"^\d{5,20}:[A-Za-z0-9_-]{30,60}$")
SUPPORTED_DB_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")

HINTS = {
    "BOT_TOKEN": "get a token from @BotFather in Telegram (/newbot) and put BOT_TOKEN=... into .env "
    "(copy .env.example to .env first)",
    "DATABASE_URL": "use sqlite+aiosqlite:///data/emk.db (default) or postgresql+asyncpg://user:pass@host/db",
    "TIMEZONE": "use an IANA zone name such as Europe/Moscow",
    "STAFF_IDS": "a comma-separated list of numeric Telegram user ids, e.g. 11111111,22222222",
    "DEFAULT_LOCALE": "use ru or en",
    "PUBLIC_BASE_URL": "the address people open the check page at, e.g. https://emk.example.org",
    "WEB_PORT": "a TCP port 1-65535, or 0 to run no web server",
    "OPERATOR_NAME": "the organisation that processes the data, as registered (the consent text names it)",
    "OPERATOR_ADDRESS": "the organisation's postal address (the consent text names it)",
    "OPERATOR_CONTACT": "where a person writes about their data: an e-mail or a phone (the consent text names it)",
    "TRUSTED_PROXIES": "a comma-separated list of the reverse proxies' addresses or networks, "
    "e.g. 127.0.0.1,10.0.0.0/8",
}
OPERATOR_SETTINGS = ("OPERATOR_NAME", "OPERATOR_ADDRESS", "OPERATOR_CONTACT")


class StartupError(ValueError):
    """A setting or file the bot cannot start without; ``str()`` is one line per problem, ready for stderr."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=True,
        env_ignore_empty=True,
    )

    BOT_TOKEN: SecretStr
    BOT_API_URL: str = "https://api.telegram.org"
    DATABASE_URL: str = "sqlite+aiosqlite:///data/emk.db"
    DATA_DIR: Path = Path("data")
    DEFAULT_LOCALE: Literal["ru", "en"] = "ru"
    TIMEZONE: str = "Europe/Moscow"
    STAFF_IDS: Annotated[list[int], NoDecode] = Field(default_factory=list)
    STAFF_CHAT_ID: int | None = None
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    EMK_DATA_KEY: SecretStr | None = None
    EMK_OLD_DATA_KEYS: SecretStr | None = None  # keys being rotated out, comma-separated: they only decrypt
    POLICY_FILE: Path | None = None
    CLINICS_FILE: Path | None = None
    POLLING_CONCURRENCY: int = Field(default=32, ge=1, le=1000)
    PAYMENT_PROVIDER_TOKEN: SecretStr | None = None
    MEDIA_WORKERS: int = Field(default=1, ge=1, le=16)
    MEDIA_CHECK_SECONDS: float = Field(default=15.0, ge=1, le=600)
    OPERATOR_NAME: str | None = None  # required to start (see `require_operator`), optional for the sub-commands
    OPERATOR_ADDRESS: str | None = None
    OPERATOR_CONTACT: str | None = None
    BOOK_SIGNING_KEY: SecretStr | None = None  # Ed25519 private key (PEM, hex or base64); else DATA_DIR/signing.key
    WEB_ENABLED: bool = True
    WEB_HOST: str = "127.0.0.1"
    WEB_PORT: int = Field(default=8080, ge=0, le=65535)  # 0: no web server
    NOTIFY_RATE: float = Field(default=25.0, gt=0, le=1000)  # pushes a second in all (Telegram: about 30)
    PUBLIC_BASE_URL: str = "http://localhost:8080"  # how people reach the web server: the QR and links use it
    # Reverse proxies whose X-Forwarded-For is believed (the share page's rate limits count client addresses)
    TRUSTED_PROXIES: Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode] = Field(
        default_factory=list)

    @field_validator("BOT_TOKEN")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        if not raw:
            raise ValueError("is empty")
        if not TOKEN_RE.match(raw):
            raise ValueError("does not look like a bot token (expected <digits>:<35 characters>)")
        return SecretStr(raw)

    @field_validator("BOT_API_URL")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        return value

    @field_validator("PUBLIC_BASE_URL")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("must be an http(s) URL such as https://emk.example.org")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _db_url(cls, value: str) -> str:
        driver = value.split("://", 1)[0] if "://" in value else ""
        if driver not in SUPPORTED_DB_DRIVERS:
            raise ValueError(f"unsupported driver {driver or '(none)'!r}; expected one of {SUPPORTED_DB_DRIVERS}")
        return value

    @field_validator("TIMEZONE")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("STAFF_IDS", mode="before")
    @classmethod
    def _staff_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            for p in parts:
                if not re.fullmatch(r"-?\d+", p):
                    raise ValueError(f"{p!r} is not a numeric Telegram id")
            return [int(p) for p in parts]
        return value

    @field_validator("TRUSTED_PROXIES", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        if isinstance(value, str):
            networks = []
            for part in (p.strip() for p in value.replace(";", ",").split(",")):
                if not part:
                    continue
                try:
                    networks.append(ipaddress.ip_network(part, strict=False))
                except ValueError as exc:
                    raise ValueError(f"{part!r} is not an IP address or network") from exc
            return networks
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.TIMEZONE)

    @property
    def web_enabled(self) -> bool:
        return self.WEB_ENABLED and self.WEB_PORT != 0

    @property
    def data_key_file(self) -> Path:
        """Where the data key is kept when EMK_DATA_KEY is not set (the one place that names it)."""
        return self.DATA_DIR / DATA_KEY_FILE

    @property
    def signing_key_file(self) -> Path:
        return self.DATA_DIR / SIGNING_KEY_FILE

    @property
    def files_dir(self) -> Path:
        return self.DATA_DIR / "files"


def format_settings_error(exc: ValidationError) -> str:
    """One line per broken variable, each naming it and saying how to fix it."""
    lines = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "settings"
        if err["type"] == "missing":
            problem = "is missing"
        else:
            problem = str(err["msg"]).removeprefix("Value error, ")
        hint = HINTS.get(name)
        lines.append(f"{name} {problem}" + (f": {hint}" if hint else ""))
    return "\n".join(lines)


def require_operator(settings: Settings) -> None:
    """The consent text must name a real operator (152-FZ): refuse to start while any of the operator's name,
    address and contact is unset, one line per missing setting, worded as a missing variable in `.env`."""
    missing = [name for name in OPERATOR_SETTINGS if not (getattr(settings, name) or "").strip()]
    if missing:
        raise StartupError("\n".join(f"{name} is missing: {HINTS[name]}" for name in missing))
