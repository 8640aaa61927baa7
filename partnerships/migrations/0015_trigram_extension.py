from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm, for the search's trigram indexes in a language without word
    boundaries (partnerships.search); nothing on SQLite."""

    dependencies = [
        ("partnerships", "0014_private_support_supporter_period_link"),
    ]

    operations = [TrigramExtension()]
