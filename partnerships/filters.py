"""Filters on a collection's list page, declared once per collection
(`Collection.filters`).

The reader sets them in a plain GET form (no JavaScript), so they live in the
address: a link, the pagination and the page cache all keep them. They
combine; each choice says how many rows it would list, given the other
filters as they are: the database groups the rows by every filter's value at
once (one query, however many rows and filters), and the counts of each
choice, and the list's own length, are sums of those groups. The choices
are the values the rows the reader may see have, so a draft is never offered
nor counted.

A value that is not one of the choices, or a filter given twice, is a form
error shown beside the filter, which is then left out: the page answers 400
with the list as it would be without it. Only valid values reach the
database, and only pages with valid values are answered with a 200, which is
what lets the page cache keep filtered lists (`urls.py`) without letting
arbitrary addresses fill it.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .translation import (
    SOURCE_LANGUAGE,
    in_reader_language,
    read_columns,
    reader_target,
)


@dataclass(frozen=True)
class Choice:
    value: str  # as in the address: ?kind=memorandum-of-cooperation
    label: str
    count: int  # the rows it lists, with the other filters as they are
    lang: str = ""  # the label's language where English stands in for the reader's


@dataclass(frozen=True)
class ListFilter:
    """One filter of a list: its query parameter, its label, the model field it
    filters on. A subclass says which values are well-formed (no query), what
    rows a value selects, what columns a row's value (and its label) is read
    from, and what choices there are."""

    name: str  # the query parameter
    label: str  # translated
    field: str  # the model field

    def parse(self, model, text):
        """The value `text` stands for, or None if it cannot be one (so that
        nothing else reaches the database)."""
        raise NotImplementedError

    def condition(self, value):
        """The rows `value` (as `parse()` returns it) selects."""
        return Q(**{self.field: value})

    @property
    def alias(self):
        return f"filter_{self.name}"

    def columns(self, model):
        """{alias: expression}: the row's value (as `parse()` returns it) under
        `alias`, and what its label needs, for the rows to be grouped by."""
        return {self.alias: F(self.field)}

    def choices(self, model, groups):
        """[Choice] of the values the rows have, from {value: (a group of rows
        with that value, how many of them meet the other filters)}."""
        raise NotImplementedError


@dataclass(frozen=True)
class ChoiceFilter(ListFilter):
    """A field's own choices (an agreement's kind), in the field's order; or
    `values` given as (value in the address, value in the field, label)."""

    values: tuple = ()

    def options(self, model):
        if self.values:
            return list(self.values)
        field = model._meta.get_field(self.field)
        return [(str(value), value, label) for value, label in field.flatchoices]

    def parse(self, model, text):
        return next((value for key, value, _label in self.options(model) if key == text), None)

    def choices(self, model, groups):
        return [
            Choice(key, str(label), groups[value][1])
            for key, value, label in self.options(model)
            if value in groups
        ]


YEAR = re.compile(r"[1-9][0-9]{3}")


@dataclass(frozen=True)
class YearFilter(ListFilter):
    """The year of a date (an agreement's signing), latest first."""

    def parse(self, model, text):
        return int(text) if YEAR.fullmatch(text) else None

    def condition(self, value):
        return Q(**{f"{self.field}__year": value})

    def columns(self, model):
        return {self.alias: ExtractYear(self.field)}

    def choices(self, model, groups):
        years = sorted((year for year in groups if year is not None), reverse=True)
        return [Choice(str(year), str(year), groups[year][1]) for year in years]


SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")


@dataclass(frozen=True)
class RelatedFilter(ListFilter):
    """A related item of the same partner (a project's funding channel), by its
    slug, in that item's own order and under its name in the reader's language.
    Its label is read through the join the rows already make."""

    def parse(self, model, text):
        return text if SLUG.fullmatch(text) else None

    def condition(self, value):
        return Q(**{f"{self.field}__slug": value})

    def _related(self, model):
        related = model._meta.get_field(self.field).related_model
        display = getattr(related, "display_field", "name")
        return related, display, read_columns(display, reader_target())

    def columns(self, model):
        related, _display, label = self._related(model)
        names = [*label, *(name.lstrip("-") for name in related._meta.ordering)]
        return {
            self.alias: F(f"{self.field}__slug"),
            **{f"{self.alias}_{name}": F(f"{self.field}__{name}") for name in names},
        }

    def choices(self, model, groups):
        related, display, label = self._related(model)
        items = [(row, count) for slug, (row, count) in groups.items() if slug is not None]
        for name in reversed(related._meta.ordering):  # the related item's order
            key = name.lstrip("-")
            items.sort(key=lambda item: item[0][f"{self.alias}_{key}"], reverse=name[0] == "-")
        choices = []
        for row, count in items:
            item = related(**{name: row[f"{self.alias}_{name}"] for name in label})
            text, stand_in = in_reader_language(item, display)
            choices.append(
                Choice(row[self.alias], text, count, SOURCE_LANGUAGE if stand_in else "")
            )
        return choices


class FilterForm(forms.Form):
    """The filters as the reader sent them, checked against their choices."""

    def __init__(self, data, filters, choices):
        super().__init__(data, auto_id="filter-%s")
        for list_filter in filters:
            self.fields[list_filter.name] = forms.ChoiceField(
                label=list_filter.label,
                required=False,
                choices=[("", _("All")), *((c.value, c.label) for c in choices[list_filter.name])],
                error_messages={
                    "invalid_choice": _("There is no such choice: the list is shown without it.")
                },
            )

    def clean(self):
        for name in self.fields:
            if len(self.data.getlist(name)) > 1:
                self.add_error(
                    name,
                    ValidationError(
                        _("Choose one value only: the list is shown without this filter."),
                        code="several",
                    ),
                )
        return self.cleaned_data


@dataclass
class Facet:
    """One filter on the page: its field, its choices, what is selected."""

    filter: ListFilter
    field: forms.BoundField
    choices: list
    value: str  # the selected choice's value, "" for all
    remove_url: str  # the list with the other filters only

    @property
    def selected(self):
        return next((c for c in self.choices if c.value == self.value), None)

    @property
    def shown(self):
        """A filter with a single choice narrows nothing: the form leaves it out,
        unless it is set or wrong."""
        return len(self.choices) > 1 or bool(self.value) or bool(self.field.errors)


class ListFiltering:
    """The filters of one list page as the reader set them (`data`: the request's
    GET), over `rows` (the rows the reader may see), on the page at `url`."""

    def __init__(self, filters, rows, data, url):
        self.filters, self.rows, self.data, self.url = filters, rows, data, url
        self.model = rows.model
        # First the values that could be right, for the counts; then the form
        # checks them against the choices (which do not depend on the other
        # filters), and a value it turns down is counted out, from the same groups.
        given = self.well_formed()
        choices = self.choices(given)
        self.form = FilterForm(data, filters, choices)
        self.form.is_valid()
        self.values = {
            f.name: f.parse(self.model, self.form.cleaned_data[f.name])
            for f in filters
            if self.form.cleaned_data.get(f.name)
        }
        self._choices = choices if self.values == given else self.choices(self.values)

    def well_formed(self):
        values = {}
        for list_filter in self.filters:
            texts = self.data.getlist(list_filter.name)
            value = list_filter.parse(self.model, texts[0]) if len(texts) == 1 else None
            if value is not None:
                values[list_filter.name] = value
        return values

    @cached_property
    def groups(self):
        """The rows the reader may see, grouped by every filter's value at once:
        [{alias: value, …, "rows": how many}], in one query, however many rows."""
        if not self.filters:
            return []
        columns = {}
        for list_filter in self.filters:
            columns.update(list_filter.columns(self.model))
        return list(self.rows.order_by().values(**columns).annotate(rows=Count("pk")))

    def meets(self, group, values, leave_out=None):
        """Whether a group's rows meet the filters set to `values` (but `leave_out`)."""
        return all(
            group[f.alias] == values[f.name]
            for f in self.filters
            if f.name in values and f.name != leave_out
        )

    def choices(self, values):
        """{filter name: [Choice]}, each counted with the other filters as in `values`."""
        choices = {}
        for list_filter in self.filters:
            by_value = {}
            for group in self.groups:
                row, count = by_value.get(group[list_filter.alias], (group, 0))
                if self.meets(group, values, leave_out=list_filter.name):
                    count += group["rows"]
                by_value[group[list_filter.alias]] = (row, count)
            choices[list_filter.name] = list_filter.choices(self.model, by_value)
        return choices

    def apply(self, queryset):
        """`queryset` (the list's rows) narrowed by the valid filters."""
        conditions = [
            f.condition(self.values[f.name]) for f in self.filters if f.name in self.values
        ]
        return queryset.filter(reduce(and_, conditions)) if conditions else queryset

    @property
    def count(self):
        """How many rows the filtered list has, from the groups the choices were
        counted in (the list need not count them again); None without filters."""
        if not self.filters:
            return None
        return sum(group["rows"] for group in self.groups if self.meets(group, self.values))

    @property
    def has_errors(self):
        return bool(self.form.errors)

    def address(self, leave_out=None):
        """The list with the valid filters, but `leave_out`, in declared order."""
        query = urlencode(
            [
                (f.name, self.form.cleaned_data[f.name])
                for f in self.filters
                if f.name in self.values and f.name != leave_out
            ]
        )
        return f"{self.url}?{query}" if query else self.url

    @cached_property
    def facets(self):
        return [
            Facet(
                filter=f,
                field=self.form[f.name],
                choices=self._choices[f.name],
                value=self.form.cleaned_data.get(f.name, ""),
                remove_url=self.address(leave_out=f.name),
            )
            for f in self.filters
        ]

    @property
    def shown(self):
        """The filters the form offers (none when no filter could narrow the list)."""
        return [facet for facet in self.facets if facet.shown]

    @property
    def active(self):
        """The filters in force, each with the address of the list without it."""
        return [facet for facet in self.facets if facet.value]
