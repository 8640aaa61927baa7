from decimal import Decimal

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partnerships.translation import (
    SOURCE_LANGUAGE,
    english_only_note,
    in_reader_language,
    localized_html,
)

register = template.Library()


@register.filter
def tr(obj, field_name):
    """A content field in the reader's language, English stand-ins marked.

    `{{ agreement|tr:"title" }}`: the Japanese title on /ja/ where there is one,
    otherwise the English one in `<span lang="en">` with an "English only" note.
    """
    return localized_html(obj, field_name)


@register.filter
def tr_inline(obj, field_name):
    """Like `tr` without the note: for a value inside a sentence or a composite
    (pair it with `english_only` where a note is due)."""
    return localized_html(obj, field_name, note=False)


@register.simple_tag
def english_only(obj, *field_names):
    """One "English only" note for a block whose fields fell back to English."""
    if any(in_reader_language(obj, name)[1] for name in field_names):
        return english_only_note()
    return ""


@register.filter
def tr_plain(obj, field_name):
    """The same text without markup, for <title> and attributes."""
    return obj.localized(field_name)[0]


@register.simple_tag
def paragraphs(obj, field_name):
    """A long content field as paragraphs (split on blank lines), marked like `tr`."""
    text, stand_in = in_reader_language(obj, field_name)
    parts = [
        part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()
    ]
    html = format_html_join("\n", "<p>{}</p>", ((part,) for part in parts))
    if not parts or not stand_in:
        return html
    return format_html(
        '<div lang="{}" class="untranslated"><p class="untranslated__note">{}</p>{}</div>',
        SOURCE_LANGUAGE,
        english_only_note(),
        html,
    )


@register.simple_tag
def daterange(start, end):
    """A visit's dates without repeating month or year: 10–13 May 2017, 2017年5月10日～13日."""
    if not start:
        return ""
    if not end or end == start:
        return date_format(start)
    if (start.year, start.month) == (end.year, end.month):
        start_format = pgettext("start of a date range within one month", "j")
        end_format = pgettext("end of a date range within one month", "j F Y")
    elif start.year == end.year:
        start_format = pgettext("start of a date range within one year", "j F")
        end_format = pgettext("end of a date range within one year", "j F Y")
    else:
        start_format = end_format = "DATE_FORMAT"
    return pgettext("date range", "{start}–{end}").format(
        start=date_format(start, start_format), end=date_format(end, end_format)
    )


@register.simple_tag
def annual_contribution(partner):
    """“about US$4 million per year” / “年間約400万米ドル”.

    The unit is the catalogue's: English counts in millions, Japanese in 万 (10,000).
    """
    if partner.annual_contribution_usd is None:
        return ""
    scale = Decimal(pgettext("the number of US dollars in one unit of the amount", "1000000"))
    amount = (Decimal(partner.annual_contribution_usd) / scale).normalize()
    if amount == amount.to_integral():
        amount = amount.quantize(Decimal(1))  # 4E+1 → 40
    money = pgettext("an amount of money in units", "US${amount} million").format(
        amount=number_format(amount, use_l10n=True, force_grouping=True)
    )
    if partner.annual_contribution_is_approximate:
        return _("about {money} per year").format(money=money)
    return _("{money} per year").format(money=money)


def _join(parts):
    """Safe HTML parts as “a, b and c”, with the reader's separators."""
    if len(parts) < 2:
        return mark_safe("".join(parts))
    separator = conditional_escape(_(", "))
    return format_html(
        _("{items} and {last}"),
        items=mark_safe(separator.join(parts[:-1])),
        last=parts[-1],
    )


@register.simple_tag
def text_list(objects, field_name="name"):
    """“a, b and c” of a content field, each in the reader's language where it can be."""
    return _join([conditional_escape(tr(obj, field_name)) for obj in objects])


@register.simple_tag
def linked_text_list(objects, field_name="name"):
    """“the <a>X</a> and the <a>Y</a>”: named links in a running sentence."""
    return _join(
        [
            format_html(
                _("the {link}"),
                link=format_html(
                    '<a href="{}">{}</a>',
                    obj.get_absolute_url(),
                    localized_html(obj, field_name),
                ),
            )
            for obj in objects
        ]
    )
