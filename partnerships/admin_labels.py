"""Every input in the admin has a name a screen reader reads out (axe: label).

Django leaves two kinds unnamed: the date and time boxes of a date-and-time
field, and the inputs of a changelist's editable column (`list_editable`),
which sit in a table row under a header. Both are named here.
"""

from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.utils.text import capfirst


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with a <label> that names the
    field too ("Goes live at Date:"; the field's name is for screen readers only,
    as sighted users read it beside the boxes)."""

    template_name = "admin/partnerships/widgets/labelled_split_datetime.html"

    def __init__(self, field_label="", attrs=None):
        self.field_label = field_label
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["field_label"] = capfirst(self.field_label)
        return context


class LabelledInputsMixin:
    """For a ModelAdmin: named date-and-time boxes and changelist inputs."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField) and db_field.editable:
            kwargs.setdefault("widget", LabelledSplitDateTime(db_field.verbose_name))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledRowForm(base):
            """Each editable cell named after its column and its row ("Order: Japan")."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    if not field.widget.is_hidden:
                        label = f"{capfirst(field.label)}: {self.instance}"
                        field.widget.attrs["aria-label"] = label

        LabelledRowForm.__name__ = base.__name__
        return LabelledRowForm
