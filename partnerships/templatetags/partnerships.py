from django import template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def paragraphs(text):
    """Split an editor's text on blank lines, for one <p> each."""
    return [
        part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()
    ]


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


@register.filter
def text_list(items):
    """“a, b and c”, in the reader's language (Django's get_text_list)."""
    return get_text_list([str(item) for item in items], _("and"))


@register.simple_tag
def linked_text_list(objects):
    """“the <a>X</a> and the <a>Y</a>”: named links in a running sentence."""
    links = [
        format_html(
            _("the {link}"),
            link=format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj),
        )
        for obj in objects
    ]
    if len(links) < 2:
        return mark_safe("".join(links))
    separator = conditional_escape(_(", "))
    return format_html(
        _("{items} and {last}"),
        items=mark_safe(separator.join(links[:-1])),
        last=links[-1],
    )
