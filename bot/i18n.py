"""Translations over fluent.runtime.

`Translator` loads every `locales/<code>/*.ftl` file once. A handler receives `tr`, a `Tr` bound to the
person's locale (stored choice > Telegram's language_code > DEFAULT_LOCALE), and calls `tr("key", x=1)`.
Messages are built without Unicode bidi isolation marks (`use_isolating=False`), since Telegram shows them.
Parsed files are cached for the process, keyed by path and modification time: a second Translator over the
same folder (a restart in a test, a CLI sub-command) builds its own bundles without parsing Fluent again.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast as fl

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED = ("ru", "en")
FIXED_CACHE_SIZE = 4096  # distinct (message, arguments) pairs kept by `Translator.fixed`


class MissingTranslation(KeyError):
    pass


@lru_cache(maxsize=256)
def _parse(path: Path, mtime_ns: int, size: int) -> tuple[fl.Resource, frozenset[str]]:
    """One .ftl file parsed, with the ids of its messages. The AST is only read by bundles, so it is shared."""
    resource = FluentResource(path.read_text(encoding="utf-8"))
    return resource, frozenset(entry.id.name for entry in resource.body if isinstance(entry, fl.Message))


def _load(path: Path) -> tuple[fl.Resource, frozenset[str]]:
    stat = path.stat()
    return _parse(path, stat.st_mtime_ns, stat.st_size)


class Translator:
    def __init__(self, locales_dir: Path = LOCALES_DIR, default: str = "ru", strict: bool = False) -> None:
        self.default = default
        self.strict = strict
        self.bundles: dict[str, FluentBundle] = {}
        self._plain: dict[tuple[str, str], str] = {}
        self._fixed: dict[tuple[Any, ...], str] = {}
        self.keys: dict[str, set[str]] = {}
        for code in SUPPORTED:
            bundle = FluentBundle([code], use_isolating=False)
            keys: set[str] = set()
            for path in sorted((locales_dir / code).glob("*.ftl")):
                resource, ids = _load(path.resolve())
                if twice := ids & keys:  # Fluent keeps the first silently: one of the two texts would never show
                    raise ValueError(f"{path}: {', '.join(sorted(twice))} already defined in another {code} file")
                bundle.add_resource(resource)
                keys.update(ids)
            self.bundles[code] = bundle
            self.keys[code] = keys

    def resolve_locale(self, stored: str | None, telegram_code: str | None) -> str:
        for candidate in (stored, (telegram_code or "").split("-")[0].lower()):
            if candidate in self.bundles:
                return candidate
        return self.default

    def get(self, locale: str, key: str, **args: Any) -> str:
        if not args:  # a message without arguments never changes: format it once
            cached = self._plain.get((locale, key))
            if cached is not None:
                return cached
        text = self._format(locale, key, args)
        if not args:
            self._plain[(locale, key)] = text
        return text

    def fixed(self, locale: str, key: str, **args: Any) -> str:
        """A message whose arguments come from a small fixed set (step numbers, section names, yes/no; never
        what a person typed): formatted once per set of arguments, then served from memory. Fluent's NUMBER()
        (Babel) and the resolver cost ~20 µs a message, and the wizard formats a few every step."""
        memo = (locale, key, *sorted(args.items()))
        text = self._fixed.get(memo)
        if text is None:
            if len(self._fixed) >= FIXED_CACHE_SIZE:
                self._fixed.clear()
            text = self._fixed[memo] = self._format(locale, key, args)
        return text

    def _format(self, locale: str, key: str, args: dict[str, Any]) -> str:
        bundle = self.bundles.get(locale) or self.bundles[self.default]
        if not bundle.has_message(key):
            if self.strict:
                raise MissingTranslation(f"{locale}:{key}")
            log.error("missing translation %s:%s", locale, key)
            return key
        message = bundle.get_message(key)
        if message.value is None:
            return key
        text, errors = bundle.format_pattern(message.value, args)
        if errors:
            if self.strict:
                raise MissingTranslation(f"{locale}:{key}: {errors}")
            log.error("translation %s:%s formatted with errors: %s", locale, key, errors)
        return str(text)

    def bind(self, locale: str) -> Tr:
        return Tr(self, locale)


class Tr:
    """A translator bound to one locale; what handlers receive as `tr`."""

    __slots__ = ("locale", "translator")

    def __init__(self, translator: Translator, locale: str) -> None:
        self.translator = translator
        self.locale = locale

    def __call__(self, key: str, **args: Any) -> str:
        return self.translator.get(self.locale, key, **args)

    def fixed(self, key: str, **args: Any) -> str:
        """`Translator.fixed`: for arguments from a small fixed set only, never personal data."""
        return self.translator.fixed(self.locale, key, **args)


def document_label(tr: Tr, kind: str) -> str:
    """The name of an uploadable thing in the person's language: the photo, or a document kind."""
    return tr("apply-field-photo") if kind == "photo" else tr("apply-field-doc-" + kind.replace("_", "-"))
