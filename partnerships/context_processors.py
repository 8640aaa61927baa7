from django.conf import settings


def organisation(request):
    """The publishing organisation's name, for the header, footer and titles."""
    return {
        "organisation_name": settings.ORGANISATION_NAME,
        "organisation_short_name": settings.ORGANISATION_SHORT_NAME,
    }
