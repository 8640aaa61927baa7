"""`loadcontent`: `loaddata`, and with `--if-empty` only into a database without content.

`make run` loads the Japan fixture this way, so a local database keeps what an
editor changed in its admin from one run to the next; `make reset-content`
(plain `loaddata`) reloads the fixture over it. Every content row belongs to a
partner, so a database with no partner has no content.
"""

from partnerships.models import Partner

from .loaddata import Command as LoadDataCommand


class Command(LoadDataCommand):
    help = (
        "Installs the named fixture(s) as loaddata does. With --if-empty, only into a "
        "database that has no content yet; otherwise it says so and changes nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only if the database has no partner yet; else leave its content as it is.",
        )

    def handle(self, *fixture_labels, **options):
        if options["if_empty"] and Partner.objects.using(options["database"]).exists():
            if options["verbosity"] >= 1:
                self.stdout.write(
                    "The database already has content; not reloading the fixture "
                    "(make reset-content reloads it)."
                )
            return
        super().handle(*fixture_labels, **options)
