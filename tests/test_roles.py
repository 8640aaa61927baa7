"""Roles: Editors and Publishers, the groups the migrations create, and what
the admin lets each do, checked on the server (actions, forms, forged POSTs).

Each refused attempt leaves the database as it was: `table_rows()` before and after.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.test import RequestFactory

from partnerships.models import (
    Agreement,
    FundingChannel,
    Partner,
    PrivateSupportActivity,
    Project,
    Publishable,
    Representative,
)
from tests.factories import (
    AgreementFactory,
    FundingChannelFactory,
    PartnerFactory,
    PrivateSupportActivityFactory,
    ProjectFactory,
    RepresentativeFactory,
    SignatoryFactory,
)
from tests.helpers import admin_form_data, admin_url, table_rows, visible_text

pytestmark = pytest.mark.django_db

CONTENT = [
    "partner",
    "concern",
    "representative",
    "agreement",
    "signatory",
    "fundingchannel",
    "project",
    "privatesupportactivity",
]
PUBLISHABLE = ["partner", "representative", "agreement", "fundingchannel", "project"]
PUBLISHABLE += ["privatesupportactivity"]


def agreement_with_a_signatory(**kwargs):
    agreement = AgreementFactory(**kwargs)
    SignatoryFactory(agreement=agreement)
    return agreement


FACTORIES = {
    Partner: PartnerFactory,
    Representative: RepresentativeFactory,
    Agreement: agreement_with_a_signatory,
    FundingChannel: FundingChannelFactory,
    Project: ProjectFactory,
    PrivateSupportActivity: PrivateSupportActivityFactory,
}
every_publishable_model = pytest.mark.parametrize(
    "model", list(FACTORIES), ids=lambda model: model._meta.model_name
)


def group_permissions(name):
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def allowed(actions, models):
    return {f"partnerships.{action}_{model}" for action in actions for model in models}


EDITORS = allowed(["view", "add", "change"], CONTENT)
PUBLISHERS = allowed(["view", "add", "change", "delete"], CONTENT) | allowed(
    ["publish"], PUBLISHABLE
)


# The groups


def test_editors_view_add_and_change_all_content_and_nothing_else():
    assert group_permissions("Editors") == EDITORS


def test_publishers_may_also_delete_all_content_and_publish_what_is_publishable():
    assert group_permissions("Publishers") == PUBLISHERS


def test_every_publishable_model_has_a_publish_permission():
    models = [model for model in apps.get_models() if issubclass(model, Publishable)]
    assert len(models) >= len(PUBLISHABLE)  # and the test app's sixth collection
    for model in models:
        opts = model._meta
        assert "publish" in opts.default_permissions, "its Meta must derive from Publishable.Meta"
        permission = Permission.objects.get(
            content_type__app_label=opts.app_label, codename=f"publish_{opts.model_name}"
        )
        assert permission.name == f"Can publish {opts.verbose_name_raw}"


def run_roles_migration():
    loader = MigrationLoader(connection)
    key = next(
        key for key in loader.disk_migrations if key[0] == "partnerships" and "roles" in key[1]
    )
    operation = next(
        op for op in loader.disk_migrations[key].operations if isinstance(op, RunPython)
    )
    schema_editor = type("SchemaEditor", (), {"connection": connection})
    operation.code(loader.project_state(key).apps, schema_editor)


def test_roles_migration_run_again_resets_the_groups_to_exactly_their_permissions():
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="publish_agreement"))
    Group.objects.get(name="Publishers").permissions.clear()

    run_roles_migration()
    run_roles_migration()

    assert Group.objects.filter(name__in=["Editors", "Publishers"]).count() == 2
    assert group_permissions("Editors") == EDITORS
    assert group_permissions("Publishers") == PUBLISHERS


# The permission helper


def request_by(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_publish_permission_is_per_model(django_user_model):
    user = django_user_model.objects.create_user("project-publisher", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="publish_project"))
    request = request_by(user)
    assert admin.site.get_model_admin(Project).has_publish_permission(request)
    assert not admin.site.get_model_admin(Agreement).has_publish_permission(request)


def test_superusers_and_publishers_may_publish_editors_may_not(django_user_model, admin_user):
    editor = django_user_model.objects.create_user("an-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    publisher = django_user_model.objects.create_user("a-publisher", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publishers"))
    project_admin = admin.site.get_model_admin(Project)
    assert project_admin.has_publish_permission(request_by(admin_user))
    assert project_admin.has_publish_permission(request_by(publisher))
    assert not project_admin.has_publish_permission(request_by(editor))


# Changelist actions


def run_action(client, model, action, obj):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk], "post": "yes"},
        follow=True,
    )


@every_publishable_model
def test_editor_is_offered_neither_publishing_nor_deleting(editor_client, model):
    FACTORIES[model]()
    response = editor_client.get(admin_url(model, "changelist"))
    offered = {name for name, _ in response.context["action_form"].fields["action"].choices}
    assert "mark_translations_current" in offered
    assert not offered & {"publish", "unpublish", "delete_selected", "approve_translations"}


@every_publishable_model
@pytest.mark.parametrize(
    ("action", "is_published"),
    [("publish", False), ("unpublish", True), ("delete_selected", True)],
)
def test_editor_changelist_action_is_refused(editor_client, model, action, is_published):
    obj = FACTORIES[model](is_published=is_published)
    before = table_rows()
    response = run_action(editor_client, model, action, obj)
    assert "No action selected." in visible_text(response)
    assert table_rows() == before


@every_publishable_model
def test_publisher_publishes_and_unpublishes_with_the_actions(publisher_client, model):
    obj = FACTORIES[model](is_published=False)
    response = run_action(publisher_client, model, "publish", obj)
    assert "1 item published." in visible_text(response)
    obj.refresh_from_db()
    assert obj.is_published

    response = run_action(publisher_client, model, "unpublish", obj)
    assert "1 item unpublished." in visible_text(response)
    obj.refresh_from_db()
    assert not obj.is_published


@every_publishable_model
def test_publisher_deletes_with_the_action(publisher_client, model):
    obj = FACTORIES[model]()
    response = run_action(publisher_client, model, "delete_selected", obj)
    assert "Successfully deleted 1" in visible_text(response)
    assert not model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("factory", [RepresentativeFactory, ProjectFactory])
def test_editor_cannot_publish_from_the_editable_changelist(editor_client, factory):
    obj = factory(is_published=False)
    before = table_rows(ignore=["updated_at"])
    response = editor_client.post(
        admin_url(factory._meta.model, "changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": obj.pk,
            "form-0-position": obj.position,
            "form-0-is_published": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert table_rows(ignore=["updated_at"]) == before


# The change form, and forged POSTs to it


@every_publishable_model
def test_editor_saves_changes_to_a_draft(editor_client, model):
    obj = FACTORIES[model](is_published=False)
    url = admin_url(model, "change", obj.pk)
    response = editor_client.post(url, admin_form_data(editor_client.get(url), slug="edited"))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.slug == "edited"
    assert not obj.is_published


@every_publishable_model
def test_editor_cannot_publish_through_the_change_form(editor_client, model):
    obj = FACTORIES[model](is_published=False)
    url = admin_url(model, "change", obj.pk)
    form = admin_form_data(editor_client.get(url), is_published="on")
    before = table_rows(ignore=["updated_at"])
    assert editor_client.post(url, form).status_code == 302
    assert table_rows(ignore=["updated_at"]) == before


@every_publishable_model
def test_editor_cannot_unpublish_through_the_change_form(editor_client, model):
    obj = FACTORIES[model](is_published=True)
    url = admin_url(model, "change", obj.pk)
    form = admin_form_data(editor_client.get(url), is_published=None)  # box unticked
    before = table_rows(ignore=["updated_at"])
    assert editor_client.post(url, form).status_code == 302
    assert table_rows(ignore=["updated_at"]) == before


@every_publishable_model
def test_publisher_publishes_and_unpublishes_through_the_change_form(publisher_client, model):
    obj = FACTORIES[model](is_published=False)
    url = admin_url(model, "change", obj.pk)

    form = admin_form_data(publisher_client.get(url), is_published="on")
    assert publisher_client.post(url, form).status_code == 302
    obj.refresh_from_db()
    assert obj.is_published

    form = admin_form_data(publisher_client.get(url), is_published=None)
    assert publisher_client.post(url, form).status_code == 302
    obj.refresh_from_db()
    assert not obj.is_published


# The add form: what an editor adds is a draft


def new_partner():
    return {"name": "Atlantis", "slug": "atlantis", "title": "With Atlantis", "adjective": "A"}


def new_agreement():
    partner = PartnerFactory()
    return {
        "partner": partner.pk,
        "title": "MoU",
        "slug": "mou",
        "kind": "memorandum-of-understanding",
        "signed_on": "2024-06-10",
    }


def new_project():
    channel = FundingChannelFactory()
    return {
        "partner": channel.partner.pk,
        "funding_channel": channel.pk,
        "name": "A project",
        "slug": "a-project",
    }


NEW = {Partner: new_partner, Agreement: new_agreement, Project: new_project}
partner_agreement_and_project = pytest.mark.parametrize(
    "model", list(NEW), ids=lambda model: model._meta.model_name
)


def add(client, model, **changes):
    url = admin_url(model, "add")
    fields = NEW[model]()
    response = client.post(url, admin_form_data(client.get(url), **fields, **changes))
    assert response.status_code == 302
    return model.objects.get(slug=fields["slug"])


@partner_agreement_and_project
def test_what_an_editor_adds_is_a_draft_whatever_the_post_says(editor_client, model):
    assert not add(editor_client, model, is_published="on").is_published


@partner_agreement_and_project
def test_what_a_publisher_adds_is_published_when_ticked(publisher_client, model):
    assert add(publisher_client, model, is_published="on").is_published


# The delete page


@every_publishable_model
def test_editor_cannot_delete_from_the_delete_page(editor_client, model):
    obj = FACTORIES[model]()
    url = admin_url(model, "delete", obj.pk)
    before = table_rows()
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert table_rows() == before


@every_publishable_model
def test_publisher_deletes_from_the_delete_page(publisher_client, model):
    obj = FACTORIES[model]()
    response = publisher_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("role", ["editor_client", "publisher_client"])
def test_changelist_queries_do_not_grow_with_rows_for_either_role(
    request, django_assert_max_num_queries, role
):
    client = request.getfixturevalue(role)
    ProjectFactory.create_batch(50, partner=PartnerFactory())
    # The same bound as the superuser's (test_admin): the permission checks add no query per row.
    with django_assert_max_num_queries(12):
        response = client.get(admin_url(Project, "changelist"))
    assert "50 " in visible_text(response)
