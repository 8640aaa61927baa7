"""Backup and restore of the site: the PostgreSQL database and the media folder.

A backup is one directory, ``partnerships-<UTC time>/``, holding

- ``database.dump``: ``pg_dump --format=custom`` of the whole database,
- ``media.tar``: every file under ``MEDIA_ROOT``,
- ``manifest.json``: when, from which code revision, the applied migrations,
  and the SHA-256 of both files.

Both sides read the database and media folder from Django's settings (that is,
``DATABASE_URL`` and ``DJANGO_MEDIA_ROOT``), so they always act on what the
site uses. The management commands ``backup`` and ``restore`` call these.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "manifest.json"
STAGING = ".restoring"  # inside MEDIA_ROOT while a restore unpacks


def create_backup(parent):
    """Write a new backup directory under ``parent`` and return its path."""
    require_postgresql()
    created_at = datetime.now(UTC).replace(microsecond=0)
    target = Path(parent) / f"partnerships-{created_at:%Y%m%dT%H%M%SZ}"
    if target.exists():
        raise CommandError(f"{target} already exists; wait a second and try again.")
    # Written under a temporary name: a failed backup never looks complete.
    partial = target.with_name(f".{target.name}.partial")
    partial.mkdir(parents=True, mode=0o700)  # it holds password hashes and sessions
    try:
        run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", partial / DUMP])
        media_files = write_media_tar(partial / MEDIA)
        manifest = {
            "format": 1,
            "created_at": created_at.isoformat(),
            "revision": git_revision(),
            "django": django.get_version(),
            "database": connection.settings_dict["NAME"],
            "migrations": applied_migrations(),
            "media_files": media_files,
            "sha256": {name: sha256(partial / name) for name in (DUMP, MEDIA)},
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def restore_backup(source, force=False, log=print):
    """Restore a backup into the configured database and media folder.

    Refuses a target that holds anything unless ``force``; checks every checksum
    before touching it. The media is unpacked into a staging folder first and the
    database restored in one transaction, so a failure leaves both as they were.
    """
    require_postgresql()
    source = Path(source)
    manifest = read_manifest(source)
    media_root = Path(settings.MEDIA_ROOT)
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as error:
        raise CommandError(
            f"Nothing restored: {str(error).strip()} (create the database first: createdb)"
        ) from None
    existing_media = list(media_root.iterdir()) if media_root.is_dir() else []
    if (tables or existing_media) and not force:
        found = []
        if tables:
            found.append(f"database {connection.settings_dict['NAME']!r} has {len(tables)} tables")
        if existing_media:
            found.append(f"media folder {media_root} has {len(existing_media)} entries")
        raise CommandError(
            f"Nothing restored: the target is not empty ({'; '.join(found)}). "
            "Restoring replaces all of it: run again with --force to do so."
        )
    log(
        f"Restoring the backup of {manifest['created_at']} (revision {manifest['revision']}) "
        f"into database {connection.settings_dict['NAME']!r} and {media_root}"
    )
    staging = media_root / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with tarfile.open(source / MEDIA) as tar:
            tar.extractall(staging, filter="data")
        restore_database(source / DUMP, drop=tables)
    except CommandError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise CommandError(f"Nothing restored: {error} Database and media are unchanged.") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for entry in media_root.iterdir():
        if entry == staging:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in staging.iterdir():
        entry.rename(media_root / entry.name)
    staging.rmdir()
    connection.close()
    log(f"Restored the database and {manifest['media_files']} media files.")
    on_disk = set(on_disk_migrations())
    if unknown := set(manifest["migrations"]) - on_disk:
        log(f"Warning: the backup has migrations this code does not know: {sorted(unknown)}")
    if on_disk - set(manifest["migrations"]):
        log("This code has migrations the backup lacks: run manage.py migrate.")


def restore_database(dump, drop):
    """Replace the database's content by the dump's, all or nothing.

    pg_restore writes the SQL; psql runs it, after dropping every table the
    target had (also those the backup lacks), in a single transaction.
    """
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "restore.sql"
        run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
            + ["--file", script, dump]
        )
        quote = connection.ops.quote_name
        drops = ["--command", f"DROP TABLE {', '.join(map(quote, drop))} CASCADE"] if drop else []
        run(
            ["psql", "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction"]
            + [*drops, "--file", script],
            stdout=subprocess.DEVNULL,
        )


def read_manifest(source):
    """The backup's manifest, once every file matches its checksum."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
        expected = manifest["sha256"]
    except (OSError, ValueError, KeyError) as error:
        raise CommandError(
            f"Nothing restored: {source} is not a readable backup ({error})."
        ) from None
    for name in (DUMP, MEDIA):
        try:
            actual = sha256(source / name)
        except OSError as error:
            raise CommandError(f"Nothing restored: {error}.") from None
        if actual != expected.get(name):
            raise CommandError(
                f"Nothing restored: {source / name} does not match its checksum in the "
                "manifest; the backup is damaged."
            )
    return manifest


def write_media_tar(path):
    """Tar every file under MEDIA_ROOT (paths relative to it); return how many files."""
    media_root = Path(settings.MEDIA_ROOT)
    count = 0
    with tarfile.open(path, "w") as tar:
        if media_root.is_dir():
            for entry in sorted(media_root.iterdir()):
                if entry.name != STAGING:
                    tar.add(entry, arcname=entry.name)
            count = sum(1 for member in tar.getmembers() if member.isfile())
    return count


def applied_migrations():
    """["app.0001_initial", …]: the migrations the database records as applied."""
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def on_disk_migrations():
    return [f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations]


def git_revision():
    try:
        result = subprocess.run(
            ["git", "-C", settings.BASE_DIR, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
        )
    except OSError:
        return None
    return result.stdout.strip() or None


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def require_postgresql():
    if connection.vendor != "postgresql":
        raise CommandError(
            f"Backups are made with pg_dump, for PostgreSQL; this site's database is "
            f"{connection.vendor} (set DATABASE_URL=postgres://…)."
        )


def run(args, **kwargs):
    """Run a PostgreSQL client program against the configured database."""
    try:
        subprocess.run(list(map(str, args)), env=libpq_env(), check=True, **kwargs)
    except FileNotFoundError:
        raise CommandError(f"{args[0]} not found: install PostgreSQL's client programs.") from None
    except subprocess.CalledProcessError as error:
        raise CommandError(f"{args[0]} failed (exit status {error.returncode}).") from None


def libpq_env():
    """The environment that points pg_dump, pg_restore and psql at Django's database."""
    params = connection.settings_dict
    _, env = DatabaseClient.settings_to_cmd_args_env(params, [])
    env = {**os.environ, **(env or {}), "PGOPTIONS": "-c client_min_messages=warning"}
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")]:
        if params.get(key):
            env[variable] = str(params[key])
    env["PGDATABASE"] = params["NAME"]
    return env
