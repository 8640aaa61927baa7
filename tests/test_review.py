"""Review dates: what is overdue, marking it reviewed, terms, and "as of"."""

import datetime

import pytest
from django.urls import reverse

from partnerships.models import Agreement, Project, Representative
from partnerships.models.review import add_months
from tests.factories import (
    AgreementFactory,
    PartnerFactory,
    ProjectFactory,
    RepresentativeFactory,
)
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 6, 15)
NOON = datetime.datetime(2027, 6, 15, 12, 0, tzinfo=datetime.UTC)


def months_ago(months, days=0):
    return add_months(TODAY, -months) - datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 11, 28), 12, datetime.date(2027, 11, 28)),
        (datetime.date(2026, 11, 28), 24, datetime.date(2028, 11, 28)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2027, 6, 15), -13, datetime.date(2026, 5, 15)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_each_kind_has_its_default_interval(japan):
    created = japan.created_at.date()
    assert japan.agreements.get().review_due_on == add_months(created, 24)
    assert {r.review_due_on for r in japan.representatives.all()} == {add_months(created, 12)}
    assert {p.review_due_on for p in japan.projects.all()} == {add_months(created, 12)}


@pytest.fixture
def reviewed(time_machine):
    """Rows around their review dates, seen on TODAY."""
    time_machine.move_to(NOON, tick=False)
    partner = PartnerFactory(last_reviewed_on=months_ago(1))
    rows = {
        # Representatives: every 12 months.
        "rep-overdue": RepresentativeFactory(
            partner=partner, family_name="OVERDUE", last_reviewed_on=months_ago(12, days=1)
        ),
        "rep-due-today": RepresentativeFactory(
            partner=partner, family_name="DUETODAY", last_reviewed_on=months_ago(12)
        ),
        "rep-fresh": RepresentativeFactory(
            partner=partner, family_name="FRESH", last_reviewed_on=months_ago(11)
        ),
        # Agreements: every 24 months.
        "agreement-13-months": AgreementFactory(
            partner=partner, title="Thirteen months old", last_reviewed_on=months_ago(13)
        ),
        "agreement-overdue": AgreementFactory(
            partner=partner, title="Twenty-five months old", last_reviewed_on=months_ago(25)
        ),
        # A record's own interval wins over its kind's.
        "project-own-interval": ProjectFactory(
            partner=partner,
            name="Checked quarterly",
            last_reviewed_on=months_ago(4),
            review_interval_months=3,
        ),
        "project-fresh": ProjectFactory(
            partner=partner, name="Checked last month", last_reviewed_on=months_ago(1)
        ),
    }
    return rows


OVERDUE = {"rep-overdue", "agreement-overdue", "project-own-interval"}


def test_overdue_is_exactly_the_rows_past_their_review_date(reviewed):
    overdue = {
        *Representative.objects.overdue(),
        *Agreement.objects.overdue(),
        *Project.objects.overdue(),
    }
    assert overdue == {reviewed[name] for name in OVERDUE}


def test_changelist_filter_lists_exactly_the_overdue(reviewed, admin_client):
    for model in ["representative", "agreement", "project"]:
        response = admin_client.get(f"/admin/partnerships/{model}/", {"review": "overdue"})
        listed = set(response.context["cl"].result_list)
        expected = {row for name, row in reviewed.items() if name in OVERDUE}
        assert listed == {row for row in expected if row._meta.model_name == model}


def test_admin_home_panel_lists_exactly_the_overdue_with_links(reviewed, admin_client):
    response = admin_client.get(reverse("admin:index"))
    html = response.content.decode()
    panel = html[html.index('id="review-module"') :]
    panel = panel[: panel.index("</div>")]
    for name, row in reviewed.items():
        url = reverse(f"admin:partnerships_{row._meta.model_name}_change", args=[row.pk])
        assert (f'href="{url}"' in panel) == (name in OVERDUE), name
    assert 'href="/admin/partnerships/agreement/?review=overdue"' in panel


def test_mark_as_reviewed_moves_the_next_review_on(reviewed, admin_client):
    row = reviewed["project-own-interval"]
    response = admin_client.post(
        "/admin/partnerships/project/",
        {"action": "mark_reviewed", "_selected_action": [row.pk]},
        follow=True,
    )
    assert "1 item marked as reviewed today." in visible_text(response)
    row.refresh_from_db()
    assert row.last_reviewed_on == TODAY
    assert row.review_due_on == add_months(TODAY, 3)
    assert row not in Project.objects.overdue()


def test_changing_the_interval_in_the_form_moves_the_due_date(reviewed, admin_client):
    row = reviewed["agreement-13-months"]
    assert not row.is_overdue
    row.review_interval_months = 12
    row.save()
    assert row.is_overdue
    assert row in Agreement.objects.overdue()


@pytest.fixture
def terms(time_machine, japan):
    time_machine.move_to(NOON, tick=False)
    oike = japan.representatives.get(slug="atsuyuki-oike")
    gono = japan.representatives.get(slug="akiko-gono")
    Representative.objects.filter(pk=oike.pk).update(
        term_started_on=datetime.date(2024, 6, 1), term_ends_on=TODAY - datetime.timedelta(days=1)
    )
    Representative.objects.filter(pk=gono.pk).update(term_ends_on=TODAY)
    return japan


def test_a_member_whose_term_ended_is_never_shown_as_current(terms, client):
    for url in [
        terms.get_absolute_url(),
        reverse("partnerships:representative-list", args=[terms.slug]),
        "/ja/partners/japan/",
    ]:
        text = visible_text(client.get(url))
        assert "OIKE" not in text and "尾池" not in text, url
        assert "GONO" in text or "郷野" in text, url  # the term's last day is still in it


def test_editors_are_told_a_term_has_ended(terms, admin_client, staff_client):
    oike = terms.representatives.get(slug="atsuyuki-oike")
    listed = admin_client.get("/admin/partnerships/representative/", {"term": "ended"})
    assert list(listed.context["cl"].result_list) == [oike]
    assert "Term ended 14 June 2027" in visible_text(listed)

    home = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:partnerships_representative_change", args=[oike.pk]) in home

    form = admin_client.get(reverse("admin:partnerships_representative_change", args=[oike.pk]))
    assert "term ended on 14 June 2027" in visible_text(form)

    # Staff previewing the public page see the member, marked, not as current.
    preview = visible_text(staff_client.get(terms.get_absolute_url()))
    assert "Atsuyuki OIKE Term ended" in preview


def test_the_representatives_say_as_of_when_they_were_reviewed(japan, client):
    assert "As of" not in visible_text(client.get(japan.get_absolute_url()))
    Representative.objects.filter(slug="akiko-gono").update(
        last_reviewed_on=datetime.date(2026, 11, 2)
    )
    Representative.objects.filter(slug="emiko-nagasawa").update(
        last_reviewed_on=datetime.date(2026, 10, 1)
    )
    assert "As of 2 November 2026" in visible_text(client.get(japan.get_absolute_url()))
    assert "2026年11月2日現在" in visible_text(client.get("/ja/partners/japan/representatives/"))
    assert "Au 2 novembre 2026" in visible_text(client.get("/fr/partners/japan/"))
