"""The test settings plus one more language, German, and nothing else.

tests/test_extra_language.py runs the i18n suite under these settings, with
the migration `makemigrations` writes for the new columns (into a copy of the
migrations named by EXTRA_LANGUAGE_MIGRATIONS): adding a language is a
settings change.
"""

import os

from .test import *  # noqa: F403

LANGUAGES = [*LANGUAGES, ("de", "Deutsch")]  # noqa: F405

_migrations = os.environ.get("EXTRA_LANGUAGE_MIGRATIONS", "extra_language_migrations")
MIGRATION_MODULES = {
    "partnerships": f"{_migrations}.partnerships",
    "sixth_collection": f"{_migrations}.sixth_collection",
}
