import pytest
from django.core.management import call_command


@pytest.fixture
def japan(db):
    """The source document's content, loaded as an operator would."""
    call_command("loaddata", "japan", verbosity=0)
    from partnerships.models import Partner

    return Partner.objects.get(slug="japan")


@pytest.fixture
def staff_client(client, django_user_model):
    """Staff who may view every kind of content, so they preview drafts."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="partnerships", codename__startswith="view_"
        )
    )
    client.force_login(user)
    return client


def member_of(group, username, django_user_model):
    """A client logged in as a new staff user in `group` (a role the
    migrations created: "Editors" or "Publishers")."""
    from django.contrib.auth.models import Group
    from django.test import Client

    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(db, django_user_model):
    """An Editor: views, adds and changes content; may not publish or delete."""
    return member_of("Editors", "an-editor", django_user_model)


@pytest.fixture
def publisher_client(db, django_user_model):
    """A Publisher: an editor who may also publish, unpublish and delete."""
    return member_of("Publishers", "a-publisher", django_user_model)


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database['NAME']})"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no page cached (the database is rolled back; the cache is not)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache_off(settings):
    """For tests of what a page itself costs, rendered every time."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def english_first():
    """Each test starts in English: a request in Japanese leaves its language active."""
    from django.utils import translation

    with translation.override("en"):
        yield
