"""`loaddata`, with every object validated as the admin validates it before it is written.

Django's own `loaddata` saves each deserialized row as it stands, without
`full_clean()`: a fixture could store what the admin refuses (a `javascript:`
link, a slug no URL can hold, an unknown choice, a title longer than its
column on SQLite). This command replaces it. It runs `full_clean()` on each
object before saving it, and turns the first problem into one `CommandError`
(printed without a traceback) naming the fixture file, the model, the row's
natural key and the field:

    Invalid fixture japan.json: partnerships.agreement ["japan", "memorandum-of-cooperation-2017"]:
    further_information_url: Enter a web address starting with http:// or https://.

Django loads all the fixtures in one transaction, so a failure writes nothing.
A row may refer only to rows already in the database or earlier in the
fixtures (the order `dumpdata` writes them in), so each object is validated
whole, its links included, before it is written.
"""

import json
import os
from itertools import islice

from django.apps import apps
from django.core import serializers
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import (
    DeserializationError,
    M2MDeserializationError,
    deserialize_fk_value,
    deserialize_m2m_values,
)
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.db import DatabaseError, router

WHOLE_RECORD = "(whole record)"


class Command(loaddata.Command):
    help = (
        "Installs the named fixture(s) in the database. Every object is validated as the "
        "admin validates it; the first invalid one stops the load and nothing is written."
    )

    def load_label(self, fixture_label):
        self.label_files = self.find_fixtures(fixture_label)
        self.files_before_label = self.fixture_count
        self.position = (None, 0)  # (file number, objects read from that file)
        self.written = set()  # (model, pk) of each row this label wrote
        try:
            super().load_label(fixture_label)
        except DeserializationError as error:
            raise self.unreadable(error) from error

    @property
    def fixture_file(self):
        """The path of the fixture file being read."""
        return self.label_files[self.fixture_count - self.files_before_label - 1][0]

    def save_obj(self, obj):
        file_number, read = self.position
        self.position = (self.fixture_count, read + 1 if file_number == self.fixture_count else 1)

        instance, model = obj.object, type(obj.object)
        if (
            instance._meta.app_config in self.excluded_apps
            or model in self.excluded_models
            or not router.allow_migrate_model(self.using, model)
        ):
            return super().save_obj(obj)  # skipped, as Django skips it

        instance._state.db = self.using
        if obj.deferred_fields:
            # A link to a row the database does not hold (yet): refuse it now,
            # rather than write the row without it and hope a later one fills it.
            raise self.invalid(
                describe(instance, obj.deferred_fields),
                {
                    field.name: [unknown_key_message(field, value)]
                    for field, value in obj.deferred_fields.items()
                },
            )

        subject = describe(instance)
        # The deserializer found the row's pk by its natural key, or the fixture
        # gave it: mark a row that exists as such, so unique checks skip itself.
        instance._state.adding = (
            instance.pk is None
            or not model._base_manager.using(self.using).filter(pk=instance.pk).exists()
        )
        if instance.pk is not None and (model, instance.pk) in self.written:
            raise self.invalid(
                subject,
                {NON_FIELD_ERRORS: ["this natural key appears twice in the fixture."]},
            )
        try:
            instance.full_clean()
        except ValidationError as error:
            raise self.invalid(subject, error.message_dict) from error

        try:
            saved = super().save_obj(obj)
        except (DatabaseError, ValueError) as error:
            raise self.invalid(subject, {NON_FIELD_ERRORS: [str(error)]}) from error
        self.written.add((model, instance.pk))
        return saved

    def invalid(self, subject, errors):
        """One readable error: fixture file, record, and each field with its messages.

        One problem fits on the line; several follow it, one a line.
        """
        problems = [
            f"{WHOLE_RECORD if name == NON_FIELD_ERRORS else name}: "
            + " ".join(str(message) for message in messages)
            for name, messages in errors.items()
        ]
        separator = " " if len(problems) == 1 else "\n  "
        return CommandError(
            f"Invalid fixture {self.fixture_name()}: {subject}:{separator}"
            + separator.join(problems)
        )

    def fixture_name(self):
        if self.fixture_file == loaddata.READ_STDIN:
            return "from standard input"
        return os.path.basename(self.fixture_file)

    def unreadable(self, error):
        """The error for a record the deserializer could not turn into an object."""
        file_number, read = self.position
        position = read if file_number == self.fixture_count else 0
        record = self.raw_record(position)
        if record is not None:
            subject, errors = diagnose(record, position, self.using, self.ignore)
            if errors:
                return self.invalid(subject, errors)
        reason = error.__cause__ or error
        return CommandError(f"Invalid fixture {self.fixture_name()}: {reason}")

    def raw_record(self, position):
        """The fixture file's record at `position`, as parsed data; None if out of reach."""
        path = self.fixture_file
        if path == loaddata.READ_STDIN:
            return None  # already read
        _name, ser_fmt, cmp_fmt = self.parse_name(os.path.basename(path))
        open_method, mode = self.compression_formats[cmp_fmt]
        try:
            with open_method(path, mode) as stream:
                deserializer = serializers.get_deserializer(ser_fmt)(stream, using=self.using)
                if not isinstance(deserializer, PythonDeserializer):
                    return None  # XML: no records as data
                records = deserializer.stream
                if self.ignore:  # records of unknown models were skipped, not counted
                    records = (record for record in records if model_of(record))
                return next(islice(records, position, None), None)
        except Exception:
            return None  # only a help to locate the record: the error is reported anyway


def model_of(record):
    """The model a fixture record names, or None."""
    try:
        return apps.get_model(record["model"])
    except (AttributeError, KeyError, LookupError, TypeError, ValueError):
        return None


def diagnose(record, position, using, ignore_unknown_fields):
    """(subject, {field: [messages]}): what keeps a fixture record from being read."""
    model = model_of(record)
    if model is None:
        label = record.get("model") if isinstance(record, dict) else None
        return f"record {position + 1}", {"model": [f"no model named {json.dumps(label)}."]}

    data, errors, unresolved = {}, {}, {}
    if "pk" in record:
        try:
            data[model._meta.pk.attname] = model._meta.pk.to_python(record["pk"])
        except ValidationError as error:
            errors["pk"] = error.messages
    fields = record.get("fields")
    for name, value in fields.items() if isinstance(fields, dict) else ():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            if ignore_unknown_fields:
                continue
            errors[name] = [
                f"{model._meta.label_lower} has no such field (--ignorenonexistent skips it)."
            ]
            continue
        try:
            if field.many_to_many:
                deserialize_m2m_values(field, value, using, handle_forward_references=False)
            elif field.many_to_one:
                try:
                    data[field.attname] = deserialize_fk_value(
                        field, value, using, handle_forward_references=False
                    )
                except Exception:
                    unresolved[field] = value  # named by its key in `describe`
                    raise
            else:
                data[field.attname] = field.to_python(value)
        except ObjectDoesNotExist:
            errors[name] = [unknown_key_message(field, value)]
        except M2MDeserializationError as error:
            missing = isinstance(error.original_exc, ObjectDoesNotExist)
            errors[name] = [unknown_key_message(field, error.pk) if missing else str(error)]
        except ValidationError as error:
            errors[name] = error.messages
        except Exception as error:  # reported, with the field it came from
            errors[name] = [str(error)]
    return describe(model(**data), unresolved), errors


def unknown_key_message(field, key):
    related = field.remote_field.model._meta.verbose_name
    return (
        f"there is no {related} {json.dumps(key, ensure_ascii=False)} in the database "
        "or earlier in the fixture."
    )


class KeyOnly:
    """Stands in for a related row the fixture names but the database lacks,
    so that the row naming it can still be described by its natural key."""

    def __init__(self, key):
        self.key = key

    def natural_key(self):
        return tuple(self.key) if isinstance(self.key, list | tuple) else (self.key,)


def describe(instance, unresolved=()):
    """How the fixture names a row: `app.model ["natural", "key"]` (or its pk)."""
    for field in unresolved:
        if field.many_to_one:
            field.set_cached_value(instance, KeyOnly(unresolved[field]))
    label = instance._meta.label_lower
    try:
        key = instance.natural_key()
    except (AttributeError, ObjectDoesNotExist):
        return f"{label} pk={json.dumps(instance.pk, default=str)}"
    return f"{label} {json.dumps(list(key), ensure_ascii=False, default=str)}"
