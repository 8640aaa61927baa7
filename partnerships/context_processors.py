from urllib.parse import urlencode

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def organisation(request):
    """The publishing organisation's name, for the header, footer and titles."""
    language = get_language()
    names, short_names = settings.ORGANISATION_NAMES, settings.ORGANISATION_SHORT_NAMES
    return {
        "organisation_name": names.get(language) or names[settings.LANGUAGE_CODE],
        "organisation_short_name": short_names.get(language) or short_names[settings.LANGUAGE_CODE],
        "organisation_url": settings.ORGANISATION_URL,
    }


def language_versions(request):
    """This page in every language (switcher, hreflang alternates) and its canonical URL."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "partnerships":
        return {}
    page = request.GET.get("page")
    path = request.path + (f"?page={page}" if page and page.isdigit() and page != "1" else "")
    # The switcher also keeps the page's own parameters (a list's filters, a
    # search's words); the canonical and alternate addresses are the unfiltered list's.
    own = getattr(match.func, "cached_parameters", ())
    kept = [(name, request.GET[name]) for name in request.GET if name in own and request.GET[name]]
    switch_path = f"{path}{'&' if '?' in path else '?'}{urlencode(kept)}" if kept else path
    current = get_language()
    versions = [
        {
            "code": code,
            "name": name,
            "url": translate_url(switch_path, code),
            "absolute_url": request.build_absolute_uri(translate_url(path, code)),
            "is_current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    default = next(v for v in versions if v["code"] == settings.LANGUAGE_CODE)
    return {
        "language_versions": versions,
        "canonical_url": request.build_absolute_uri(path),
        "default_language_url": default["absolute_url"],
    }
