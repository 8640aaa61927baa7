from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def paragraphs(text):
    """Split an editor's text on blank lines, for one <p> each."""
    return [part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()]


@register.simple_tag
def daterange(start, end):
    """“10–13 May 2017”: a visit's dates, without repeating the month or year."""
    if not start:
        return ""
    if not end or end == start:
        return date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return _("%(start)s–%(end)s") % {
            "start": date_format(start, "j"),
            "end": date_format(end, "j F Y"),
        }
    if start.year == end.year:
        return _("%(start)s – %(end)s") % {
            "start": date_format(start, "j F"),
            "end": date_format(end, "j F Y"),
        }
    return _("%(start)s – %(end)s") % {
        "start": date_format(start, "j F Y"),
        "end": date_format(end, "j F Y"),
    }
