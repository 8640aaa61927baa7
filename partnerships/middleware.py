"""When the database is down, hung or refusing, visitors get a 503, not a 500;
and a page partly shown in English says so once."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

from .translation import NOTICE_MARKER, stood_in_for

logger = logging.getLogger(__name__)

# Seconds a client (or crawler) is asked to wait before trying again.
RETRY_AFTER = 30


def service_unavailable():
    """The static 503 page: rendered without a request, so nothing touches the database."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def server_error(request):
    """Django's 500 handler (`handler500`): a database outage met outside a view,
    such as a session saved after the response, is a 503 all the same."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return service_unavailable()
    return defaults.server_error(request)


class DatabaseUnavailableMiddleware:
    """Turn a database connection failure raised by a view into the 503 page.

    `process_exception` runs for errors raised by the view and by the rendering
    of its TemplateResponse, which is where every public page queries. The
    connection timeouts in settings make sure the error comes within seconds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        reason = (str(exception).strip().splitlines() or [""])[0]
        logger.warning(
            "Database unavailable, answered 503 for %s: %s: %s",
            request.path,
            type(exception).__name__,
            reason,
        )
        return service_unavailable()


class FallbackNoticeMiddleware:
    """Says once, near the top of a page, that parts of it are shown in English.

    Each content text that falls back to English records the reader's language
    while the page renders (`translation.record_stand_in`); the notice goes
    where the page has `{% translation_notice %}`, once everything is known.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = stood_in_for.set(set())
        try:
            response = self.get_response(request)
            languages = stood_in_for.get()
        finally:
            stood_in_for.reset(token)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        marker = NOTICE_MARKER.encode()
        if marker in response.content:
            notice = (
                loader.render_to_string("includes/translation_notice.html").encode()
                if languages
                else b""
            )
            response.content = response.content.replace(marker, notice, 1)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
