from django.core.management.base import BaseCommand

from partnerships.backups import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'backup' into the configured database and media folder. "
        "Checks its checksums first; refuses a target that is not empty unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup directory (partnerships-<UTC time>/).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the database's tables and the media folder's files if there are any.",
        )

    def handle(self, *args, backup, force, **options):
        restore_backup(backup, force=force, log=self.stdout.write)
