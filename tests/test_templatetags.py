"""Template tags and filters: how dates, figures and translated text are written."""

import datetime

import pytest
from django.utils import translation

from partnerships.models import Representative
from partnerships.templatetags.partnerships import daterange, person_name, time_range

MAY_10, MAY_13 = datetime.date(2017, 5, 10), datetime.date(2017, 5, 13)
APRIL_30 = datetime.date(2017, 4, 30)
DECEMBER_30, JANUARY_2 = datetime.date(2016, 12, 30), datetime.date(2017, 1, 2)


@pytest.mark.parametrize(
    ("language", "start", "end", "written"),
    [
        ("en", MAY_10, MAY_13, "10–13 May 2017"),
        ("en", APRIL_30, MAY_13, "30 April–13 May 2017"),
        ("en", DECEMBER_30, JANUARY_2, "30 December 2016–2 January 2017"),
        ("en", MAY_10, MAY_10, "10 May 2017"),
        ("en", MAY_10, None, "10 May 2017"),
        ("ja", MAY_10, MAY_13, "2017年5月10日～13日"),
        ("ja", APRIL_30, MAY_13, "2017年4月30日～5月13日"),
        ("ja", DECEMBER_30, JANUARY_2, "2016年12月30日～2017年1月2日"),
    ],
)
def test_date_range_names_month_and_year_once_where_they_are_shared(language, start, end, written):
    with translation.override(language):
        assert daterange(start, end) == written


def test_date_range_in_html_is_two_time_elements():
    with translation.override("en"):
        assert time_range(MAY_10, MAY_13) == (
            '<time datetime="2017-05-10">10</time>–<time datetime="2017-05-13">13 May 2017</time>'
        )
        assert time_range(MAY_10, None) == '<time datetime="2017-05-10">10 May 2017</time>'
    with translation.override("ja"):
        assert time_range(MAY_10, MAY_13) == (
            '<time datetime="2017-05-10">2017年5月10日</time>～'
            '<time datetime="2017-05-13">13日</time>'
        )


@pytest.mark.parametrize(
    ("language", "names", "written"),
    [
        ("en", {}, "Ms Akiko GONO"),
        ("fr", {"given_name_fr": "Akiko", "family_name_fr": "GONO"}, "Mme Akiko GONO"),
        ("ja", {"given_name_ja": "晶子", "family_name_ja": "郷野"}, "郷野 晶子"),
        # Part of the name untranslated: the whole name in English, marked so.
        ("ja", {"family_name_ja": "郷野"}, '<span lang="en">Ms Akiko GONO</span>'),
        ("fr", {}, '<span lang="en">Ms Akiko GONO</span>'),
    ],
)
def test_a_persons_name_is_written_in_the_readers_language_and_name_order(language, names, written):
    person = Representative(honorific="Ms", given_name="Akiko", family_name="GONO", **names)
    with translation.override(language):
        assert person_name(person) == written
        assert translation.get_language() == language  # the reader's language is left as it was
