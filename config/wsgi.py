import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()


def load_ahead():
    """What each process would otherwise load on its first requests: every
    language's catalogue and URL patterns. Under gunicorn's preload_app this runs
    once, before the workers are forked, so a worker that replaces another
    answers its first reader as fast as its last."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            get_resolver().reverse_dict  # noqa: B018 (populates this language's patterns)


load_ahead()
