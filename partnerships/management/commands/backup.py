from django.conf import settings
from django.core.management.base import BaseCommand

from partnerships.backups import create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and the media folder into a new directory "
        "partnerships-<UTC time>/ with a manifest of checksums and migrations."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            default=settings.BASE_DIR / "backups",
            help="Directory to create the backup in (default: backups/ in the project).",
        )

    def handle(self, *args, to, **options):
        self.stdout.write(str(create_backup(to)))
