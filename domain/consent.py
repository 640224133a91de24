"""The consent to processing personal and health data (152-ФЗ, ст. 9 and 10).

The text itself lives in locales (`consent-text`); its version is here, so a changed text gets a new version
and a person who accepted an older one is asked again.
"""

CONSENT_VERSION = "2026-11-25.2"
RETENTION_YEARS = 5
