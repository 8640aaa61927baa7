from decimal import Decimal

from django import template
from django.template.defaulttags import querystring
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partnerships.richtext import RichTextField, plain_text, sanitize
from partnerships.translation import (
    NOTICE_MARKER,
    SOURCE_LANGUAGE,
    in_reader_language,
    localized_html,
)

register = template.Library()


@register.filter
def tr(obj, field_name):
    """A content field in the reader's language, English stand-ins marked.

    `{{ agreement|tr:"title" }}`: the French title on /fr/ where there is one,
    otherwise the English one in `<span lang="en">` (and the page's notice says
    that parts of it are in English).
    """
    return localized_html(obj, field_name)


def _rich_text_field(obj, field_name):
    field = obj._meta.get_field(field_name)
    return field if isinstance(field, RichTextField) else None


@register.filter
def tr_plain(obj, field_name):
    """The same text without markup, for <title>, attributes and excerpts (rich
    text loses its tags: `{{ item|tr_plain:"description"|truncatewords:40 }}`)."""
    text = obj.localized(field_name)[0]
    return plain_text(text) if _rich_text_field(obj, field_name) else text


@register.simple_tag
def rich_text(obj, field_name):
    """A rich text field (`RichTextField`) in the reader's language, sanitised
    again on the way out; English standing in for a translation is wrapped in
    `<div lang="en">` (and the page's notice says so)."""
    text, stand_in = in_reader_language(obj, field_name)
    html = mark_safe(sanitize(text))  # sanitised just now
    if not html or not stand_in:
        return html
    return format_html('<div lang="{}">{}</div>', SOURCE_LANGUAGE, html)


@register.filter
def tr_inline(obj, field_name):
    """An inline rich text field (links, bold, italic) in the reader's language,
    for use within a sentence: sanitised, no paragraph; English stand-ins marked
    like `tr`."""
    text, stand_in = in_reader_language(obj, field_name)
    html = mark_safe(sanitize(text, inline=True))  # sanitised just now
    if not html or not stand_in:
        return html
    return format_html('<span lang="{}">{}</span>', SOURCE_LANGUAGE, html)


class SentenceNode(template.Node):
    def __init__(self, nodelist, fields, plain):
        self.nodelist, self.fields, self.plain = nodelist, fields, plain

    def render(self, context):
        stand_in = False
        for obj, field_name in self.fields:
            obj = obj.resolve(context)
            if obj is not None and in_reader_language(obj, field_name.resolve(context))[1]:
                stand_in = True
        if not stand_in:
            return self.nodelist.render(context)
        with translation.override(SOURCE_LANGUAGE):
            html = self.nodelist.render(context)
        if self.plain:
            return html
        return format_html('<span lang="{}">{}</span>', SOURCE_LANGUAGE, html)


@register.tag
def sentence(parser, token):
    """An interface sentence that includes content, kept in one language.

    `{% sentence partner "name" %}{% blocktranslate … %}…{% endblocktranslate %}{% endsentence %}`
    renders in the reader's language when every named field has a translation
    in it, and otherwise wholly in English (`lang="en"`), so that no sentence
    frames an English name in another language. `plain` (last) leaves out the
    markup, for attributes and <title>. Links made inside would point at the
    English pages: compute them before, with `as`.
    """
    bits = token.split_contents()[1:]
    plain = bool(bits) and bits[-1] == "plain"
    if plain:
        bits = bits[:-1]
    if not bits or len(bits) % 2:
        raise template.TemplateSyntaxError(
            "'sentence' takes pairs of an object and a field name, then optionally 'plain'"
        )
    fields = [
        (parser.compile_filter(bits[i]), parser.compile_filter(bits[i + 1]))
        for i in range(0, len(bits), 2)
    ]
    nodelist = parser.parse(("endsentence",))
    parser.delete_first_token()
    return SentenceNode(nodelist, fields, plain)


@register.simple_tag
def person_name(person):
    """A person's name in the reader's language and name order, e.g. “M. Atsuyuki
    OIKE”, “尾池 厚之”: wholly in English when part of it has no translation."""
    stand_in = any(in_reader_language(person, name)[1] for name in ("given_name", "family_name"))
    if not stand_in:
        return _name_in_active_language(person)
    with translation.override(SOURCE_LANGUAGE):
        return format_html(
            '<span lang="{}">{}</span>', SOURCE_LANGUAGE, _name_in_active_language(person)
        )


def _name_in_active_language(person):
    name = pgettext(
        "a person's name: honorific, given name, family name",
        # Some languages leave out the honorific (Japanese): not every placeholder is due.
        # xgettext:no-python-brace-format
        "{honorific} {given_name} {family_name}",
    ).format(
        honorific=person.get_honorific_display(),
        given_name=person.localized("given_name")[0],
        family_name=person.localized("family_name")[0],
    )
    return " ".join(name.split())  # no honorific: no double space


@register.simple_tag
def as_of(records):
    """The latest day any of `records` was reviewed: what the facts shown are true as of."""
    return max(
        (record.last_reviewed_on for record in records if record.last_reviewed_on), default=None
    )


@register.simple_tag
def translation_notice():
    """Where the page says, once, that parts of it are shown in English (the
    FallbackNoticeMiddleware fills it in once the whole page is rendered)."""
    return mark_safe(NOTICE_MARKER)


def _daterange_parts(start, end):
    """[(date, its text)]: one for a single day, two for a range, month and year said once."""
    if not end or end == start:
        return [(start, date_format(start))]
    if (start.year, start.month) == (end.year, end.month):
        start_format = pgettext("start of a date range within one month", "j")
        end_format = pgettext("end of a date range within one month", "j F Y")
    elif start.year == end.year:
        start_format = pgettext("start of a date range within one year", "j F")
        end_format = pgettext("end of a date range within one year", "j F Y")
    else:
        start_format = end_format = "DATE_FORMAT"
    return [(start, date_format(start, start_format)), (end, date_format(end, end_format))]


@register.simple_tag
def daterange(start, end):
    """A visit's dates without repeating month or year: 10–13 May 2017, 2017年5月10日～13日."""
    if not start:
        return ""
    parts = _daterange_parts(start, end)
    if len(parts) == 1:
        return parts[0][1]
    return pgettext("date range", "{start}–{end}").format(start=parts[0][1], end=parts[1][1])


@register.simple_tag
def time_range(start, end):
    """`daterange` as HTML: each end its own `<time>` (a range is not a valid
    `datetime` value), e.g. <time datetime="2017-05-10">10</time>–<time …>13 May 2017</time>."""
    if not start:
        return ""
    times = [
        format_html('<time datetime="{}">{}</time>', day.isoformat(), text)
        for day, text in _daterange_parts(start, end)
    ]
    if len(times) == 1:
        return times[0]
    return format_html(
        conditional_escape(pgettext("date range", "{start}–{end}")), start=times[0], end=times[1]
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
    # One unbreakable run: “US$4 million”, “400万米ドル”, “4 millions de dollars”.
    money = format_html(
        '<span class="amount">{}</span>',
        pgettext("an amount of money in units", "US${amount} million").format(
            amount=number_format(amount, use_l10n=True, force_grouping=True)
        ),
    )
    if partner.annual_contribution_is_approximate:
        return format_html(_("about {money} per year"), money=money)
    return format_html(_("{money} per year"), money=money)


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
def linked_text_list(objects, field_name="name", more="", more_url=""):
    """“the <a>X</a> and the <a>Y</a>”: named links in a running sentence; with
    `more` (“12 other programmes”), it ends the list as a link to `more_url`."""
    parts = [
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
    if more:
        parts.append(format_html('<a href="{}">{}</a>', more_url, more))
    return _join(parts)


@register.filter
def grouped(number):
    """A count with the reader's thousands separator: 1,234, 1 234, 1.234."""
    return number_format(number, use_l10n=True, force_grouping=True)


@register.simple_tag(takes_context=True)
def page_querystring(context, parameter, number):
    """`{% querystring page=number %}` for a page parameter whose name is a
    variable: a page with two paginated lists has one parameter for each."""
    return querystring(context, **{parameter: number})
