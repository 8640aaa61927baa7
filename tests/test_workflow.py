"""The editorial workflow: edits to live records held until published, staff
previews of held changes, history with compare, revert and recover."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from partnerships.models import Agreement, PendingChange, Signatory
from tests.factories import AgreementFactory, SignatoryFactory
from tests.helpers import admin_form_data, change_url, edit, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_agreement():
    agreement = AgreementFactory(title="Memorandum of Cooperation", slug="moc")
    SignatoryFactory(agreement=agreement, name="Guy Ryder")
    return agreement


def test_an_edit_to_a_live_record_is_held(admin_client, client, live_agreement):
    response = edit(admin_client, live_agreement, title="Memorandum of Understanding")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("held" in message for message in messages)

    live_agreement.refresh_from_db()
    assert live_agreement.title == "Memorandum of Cooperation"
    for language in ["en", "ja"]:
        url = live_agreement.get_absolute_url().replace("/en/", f"/{language}/")
        text = visible_text(client.get(url))
        assert "Memorandum of Cooperation" in text
        assert "Memorandum of Understanding" not in text
    assert PendingChange.objects.for_object(live_agreement).exists()


def test_staff_preview_shows_the_held_version_under_a_banner(
    admin_client, staff_client, live_agreement
):
    edit(admin_client, live_agreement, title="Memorandum of Understanding")
    text = visible_text(staff_client.get(live_agreement.get_absolute_url()))
    assert "Memorandum of Understanding" in text
    assert "Unpublished changes — not public" in text


def test_a_preview_of_held_changes_costs_one_query_more_than_a_plain_preview(
    admin_client, staff_client, live_agreement
):
    """The live row is read for the reader's language only: the preview must
    not read its other columns back one by one."""
    plain = AgreementFactory(title="Another memorandum", slug="another")
    SignatoryFactory(agreement=plain, name="Guy Ryder")
    edit(admin_client, live_agreement, title="Memorandum of Understanding")
    counts = {}
    for agreement in (live_agreement, plain):
        staff_client.get(agreement.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(agreement.get_absolute_url()).status_code == 200
        counts[agreement.slug] = len(captured)
    assert counts["moc"] == counts["another"] + 1  # the held change itself


def test_held_inline_changes_leave_the_live_children_alone(admin_client, live_agreement):
    signatory = live_agreement.signatories.get()
    edit(admin_client, live_agreement, **{"signatories-0-name": "Gilbert F. Houngbo"})
    assert Signatory.objects.get(pk=signatory.pk).name == "Guy Ryder"


def test_publishing_held_changes_makes_them_public(admin_client, client, live_agreement):
    edit(
        admin_client,
        live_agreement,
        title="Memorandum of Understanding",
        **{"signatories-0-name": "Gilbert F. Houngbo"},
    )
    response = admin_client.post(
        reverse("admin:partnerships_agreement_changelist"),
        {"action": "publish_pending", "_selected_action": [live_agreement.pk]},
    )
    assert response.status_code == 302
    text = visible_text(client.get(live_agreement.get_absolute_url()))
    assert "Memorandum of Understanding" in text
    assert "Gilbert F. Houngbo" in text
    assert "Guy Ryder" not in text
    assert not PendingChange.objects.exists()


def test_a_signatory_added_in_a_held_change_is_inserted_on_publishing(admin_client, live_agreement):
    data = admin_form_data(admin_client.get(change_url(live_agreement)))
    data.update(
        {
            "signatories-TOTAL_FORMS": "2",
            "signatories-1-name": "Yasuhisa Shiozaki",
            "signatories-1-job_title": "Minister",
            "signatories-1-party": "Ministry of Health, Labour and Welfare",
            "signatories-1-position": "2",
        }
    )
    admin_client.post(change_url(live_agreement), data)
    assert live_agreement.signatories.count() == 1
    PendingChange.objects.get().publish()
    assert sorted(live_agreement.signatories.values_list("name", flat=True)) == [
        "Guy Ryder",
        "Yasuhisa Shiozaki",
    ]


def test_discarding_held_changes_keeps_the_live_version(admin_client, live_agreement):
    edit(admin_client, live_agreement, title="Memorandum of Understanding")
    admin_client.post(
        reverse("admin:partnerships_agreement_changelist"),
        {"action": "discard_pending", "_selected_action": [live_agreement.pk]},
    )
    assert not PendingChange.objects.exists()
    live_agreement.refresh_from_db()
    assert live_agreement.title == "Memorandum of Cooperation"


def test_the_change_form_builds_on_held_changes(admin_client, live_agreement):
    edit(admin_client, live_agreement, title="Memorandum of Understanding")
    response = admin_client.get(change_url(live_agreement))
    assert response.context["adminform"].form["title"].value() == "Memorandum of Understanding"
    assert "held for publishing" in visible_text(response)
    edit(admin_client, live_agreement, signed_in="Osaka")
    held, _children = PendingChange.objects.get().rows()
    assert (held.title, held.signed_in) == ("Memorandum of Understanding", "Osaka")


def test_the_changelist_shows_which_records_have_held_changes(admin_client, live_agreement):
    AgreementFactory(title="Another")
    edit(admin_client, live_agreement, title="Memorandum of Understanding")
    url = reverse("admin:partnerships_agreement_changelist")
    response = admin_client.get(url, {"pending": "yes"})
    assert [row.pk for row in response.context["cl"].result_list] == [live_agreement.pk]
    assert "Live · changes held" in visible_text(admin_client.get(url))


def test_editing_a_draft_changes_it_at_once(admin_client):
    draft = AgreementFactory(title="Draft memorandum", is_published=False)
    edit(admin_client, draft, title="Better draft")
    draft.refresh_from_db()
    assert draft.title == "Better draft"
    assert not PendingChange.objects.exists()


def test_save_and_publish_now_is_offered_to_publishers_above_the_form_too(
    editor_client, publisher_client, live_agreement
):
    """A publisher at the top of a live record's form finds it beside Save,
    without scrolling past every field; an editor never sees it."""
    html = publisher_client.get(change_url(live_agreement)).content.decode()
    first_field = html.index('name="title"')
    assert html.index('name="_publish"') < first_field
    assert html.count('name="_publish"') == 2  # and below the form
    assert 'name="_publish"' not in editor_client.get(change_url(live_agreement)).content.decode()


def test_a_publisher_may_save_and_publish_at_once(admin_client, live_agreement):
    edit(admin_client, live_agreement, title="Memorandum of Understanding", _publish="1")
    live_agreement.refresh_from_db()
    assert live_agreement.title == "Memorandum of Understanding"
    assert not PendingChange.objects.exists()


def test_every_save_is_a_version_and_two_versions_compare_field_by_field(admin_client):
    draft = AgreementFactory(title="First title", is_published=False)
    edit(admin_client, draft, title="Second title")
    edit(admin_client, draft, title="Third title")
    versions = Version.objects.get_for_object(draft)
    assert versions.count() == 2
    newer, older = versions
    url = reverse("admin:partnerships_agreement_compare", args=[draft.pk])
    response = admin_client.get(url, {"version_id1": older.pk, "version_id2": newer.pk})
    html = response.content.decode()
    assert "Second title" in html and "Third title" in html


def test_reverting_a_live_record_is_held_for_a_publisher(admin_client, live_agreement):
    edit(admin_client, live_agreement, _publish="1")  # a first version
    edit(admin_client, live_agreement, title="Typo title", _publish="1")
    first = Version.objects.get_for_object(live_agreement).last()  # the oldest
    url = reverse("admin:partnerships_agreement_revision", args=[live_agreement.pk, first.pk])
    data = admin_form_data(admin_client.get(url))
    assert data["title"] == "Memorandum of Cooperation"
    assert admin_client.post(url, data).status_code == 302
    live_agreement.refresh_from_db()
    assert live_agreement.title == "Typo title"
    held, _children = PendingChange.objects.get().rows()
    assert held.title == "Memorandum of Cooperation"


def test_a_deleted_record_is_recovered_with_its_signatories(admin_client, live_agreement):
    edit(admin_client, live_agreement, title="Memorandum of Cooperation", _publish="1")
    pk = live_agreement.pk
    admin_client.post(reverse("admin:partnerships_agreement_delete", args=[pk]), {"post": "yes"})
    assert not Agreement.objects.filter(pk=pk).exists()
    deleted = Version.objects.get_deleted(Agreement).get()
    url = reverse("admin:partnerships_agreement_recover", args=[deleted.pk])
    data = admin_form_data(admin_client.get(url))
    assert admin_client.post(url, data).status_code == 302
    recovered = Agreement.objects.get(pk=pk)
    assert list(recovered.signatories.values_list("name", flat=True)) == ["Guy Ryder"]


def test_saving_a_live_record_unchanged_holds_nothing(admin_client, live_agreement):
    assert edit(admin_client, live_agreement).status_code == 302
    assert not PendingChange.objects.exists()


def test_an_editors_save_and_publish_now_is_held_all_the_same(editor_client, live_agreement):
    edit(editor_client, live_agreement, title="Memorandum of Understanding", _publish="1")
    live_agreement.refresh_from_db()
    assert live_agreement.title == "Memorandum of Cooperation"
    assert PendingChange.objects.for_object(live_agreement).exists()


def test_an_editor_may_not_publish_held_changes(editor_client, live_agreement):
    edit(editor_client, live_agreement, title="Memorandum of Understanding")
    editor_client.post(
        reverse("admin:partnerships_agreement_changelist"),
        {"action": "publish_pending", "_selected_action": [live_agreement.pk]},
    )
    live_agreement.refresh_from_db()
    assert live_agreement.title == "Memorandum of Cooperation"
    assert PendingChange.objects.exists()


def test_only_publishers_recover_deleted_records(editor_client, publisher_client):
    url = reverse("admin:partnerships_agreement_recoverlist")
    assert editor_client.get(url).status_code == 403
    assert publisher_client.get(url).status_code == 200


def test_a_held_save_is_a_version_that_says_so(admin_client, live_agreement):
    edit(admin_client, live_agreement, title="Memorandum of Understanding")
    version = Version.objects.get_for_object(live_agreement).get()
    assert version.field_dict["title"] == "Memorandum of Understanding"
    assert version.revision.comment == "Changed Title. Held for publishing."


def test_japanese_edits_are_held_too(admin_client, client, live_agreement):
    edit(admin_client, live_agreement, title_ja="日本とILOの合意（案）")
    japanese_page = live_agreement.get_absolute_url().replace("/en/", "/ja/")
    assert "日本とILOの合意（案）" not in visible_text(client.get(japanese_page))
    PendingChange.objects.get().publish()
    assert "日本とILOの合意（案）" in visible_text(client.get(japanese_page))


def test_opening_a_record_with_held_changes_records_no_version(admin_client, live_agreement):
    edit(admin_client, live_agreement, title="Memorandum of Understanding")
    admin_client.get(change_url(live_agreement))
    admin_client.get(change_url(live_agreement))
    comments = [v.revision.comment for v in Version.objects.get_for_object(live_agreement)]
    assert comments == ["Changed Title. Held for publishing."]


def test_deleting_a_record_deletes_its_held_changes(admin_client, live_agreement):
    edit(admin_client, live_agreement, title="Memorandum of Understanding")
    live_agreement.delete()
    assert not PendingChange.objects.exists()
