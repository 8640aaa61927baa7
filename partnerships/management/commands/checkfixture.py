"""`checkfixture`: load fixtures exactly as `loaddata` would, then roll back."""

from django.db import transaction

from .loaddata import Command as LoadDataCommand


class RolledBack(Exception):
    """Undoes the trial load."""


class Command(LoadDataCommand):
    help = (
        "Checks the named fixture(s) by loading them as loaddata does, every object "
        "validated, then rolling back: the database is left as it was."
    )

    def handle(self, *fixture_labels, **options):
        try:
            with transaction.atomic(using=options["database"]):
                super().handle(*fixture_labels, **{**options, "verbosity": 0})
                raise RolledBack
        except RolledBack:
            pass
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"OK: {', '.join(fixture_labels)} ({self.loaded_object_count} objects, "
                    f"{self.fixture_count} file(s)) would load; nothing was written."
                )
            )
