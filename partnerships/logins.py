"""Admin logins, as django-axes sees them: where they come from, what a locked-out person reads."""

import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def client_ip(request):
    """The address a login came from: the one our nearest trusted proxy saw.

    Each proxy appends the address it was called from to X-Forwarded-For, so
    the last TRUSTED_PROXY_COUNT entries were written by our own proxies and
    anything further left by the client, who may have made it up.
    """
    if count := settings.TRUSTED_PROXY_COUNT:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The admin's own page saying what happened and when to try again (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "cool_off_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    response = render(
        request, "admin/login_locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    if cool_off:
        response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
