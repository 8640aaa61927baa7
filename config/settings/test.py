"""Only what makes the tests fast and hermetic; everything else is base."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-deployment")

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# The page cache is on in every test, so a change that fails to reach a page shows.
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
PAGE_CACHE_SECONDS = 600
# Serve static files from the finders, as in development: no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# A throwaway sixth collection, registered only by tests/test_collections.py.
INSTALLED_APPS = [*INSTALLED_APPS[:-1], "tests.sixth_collection", INSTALLED_APPS[-1]]  # noqa: F405
