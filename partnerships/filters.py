"""Filters on a collection's list page, declared once per collection
(`Collection.filters`).

The reader sets them in a plain GET form (no JavaScript), so they live in the
address: a link, the pagination and the page cache all keep them. They
combine; each choice says how many rows it would list, given the other
filters as they are, counted in the database (one query per filter, however
many rows). The choices are the values the rows the reader may see have, so
a draft is never offered nor counted.

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
    reader_target,
    translation_field_name,
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
    rows a value selects, and what choices there are (one query)."""

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

    def choices(self, model, rows, others):
        """`Choices` of the values `rows` have, each counted among the rows that
        also meet `others` (a Q, or None for none)."""
        raise NotImplementedError


class Choices(list):
    """A filter's choices, and how many rows meet the other filters in all
    (with any value, or none): the list's length while this filter is unset."""

    def __init__(self, choices, matching):
        super().__init__(choices)
        self.matching = matching


def counted(rows, value, others):
    """{value: (rows in all, rows that also meet `others`)}, grouped in one query."""
    aggregates = {"total": Count("pk")}
    if others is not None:
        aggregates["matching"] = Count("pk", filter=others)
    grouped = rows.order_by().annotate(filter_value=value).values("filter_value")
    return {
        row["filter_value"]: (row["total"], row.get("matching", row["total"]))
        for row in grouped.annotate(**aggregates)
    }


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

    def choices(self, model, rows, others):
        counts = counted(rows, F(self.field), others)
        choices = [
            Choice(key, str(label), counts[value][1])
            for key, value, label in self.options(model)
            if value in counts
        ]
        return Choices(choices, sum(matching for _total, matching in counts.values()))


YEAR = re.compile(r"[1-9][0-9]{3}")


@dataclass(frozen=True)
class YearFilter(ListFilter):
    """The year of a date (an agreement's signing), latest first."""

    def parse(self, model, text):
        return int(text) if YEAR.fullmatch(text) else None

    def condition(self, value):
        return Q(**{f"{self.field}__year": value})

    def choices(self, model, rows, others):
        counts = counted(rows, ExtractYear(self.field), others)
        years = sorted((year for year in counts if year is not None), reverse=True)
        choices = [Choice(str(year), str(year), counts[year][1]) for year in years]
        return Choices(choices, sum(matching for _total, matching in counts.values()))


SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")


@dataclass(frozen=True)
class RelatedFilter(ListFilter):
    """A related item of the same partner (a project's funding channel), by its
    slug, in that item's own order and under its name in the reader's language."""

    def parse(self, model, text):
        return text if SLUG.fullmatch(text) else None

    def condition(self, value):
        return Q(**{f"{self.field}__slug": value})

    def choices(self, model, rows, others):
        # One pass over the rows, grouped by the related item, reading the
        # columns its label needs through the join the rows already make.
        related = model._meta.get_field(self.field).related_model
        display = getattr(related, "display_field", "name")
        target = reader_target()
        label = [display] + (
            [translation_field_name(display, target), "translation_review"] if target else []
        )
        columns = {f"{self.field}__{name}": name for name in ("slug", *label)}
        order = [
            f"{'-' if name.startswith('-') else ''}{self.field}__{name.lstrip('-')}"
            for name in related._meta.ordering
        ]
        matching = Count("pk") if others is None else Count("pk", filter=others)
        grouped = rows.order_by(*order).values(*columns).annotate(matching=matching)
        choices, in_all = [], 0
        for row in grouped:
            in_all += row["matching"]
            if row[f"{self.field}__slug"] is None:
                continue  # rows with no related item
            item = related(**{name: row[column] for column, name in columns.items()})
            text, stand_in = in_reader_language(item, display)
            choices.append(
                Choice(item.slug, text, row["matching"], SOURCE_LANGUAGE if stand_in else "")
            )
        return Choices(choices, in_all)


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
        # checks them against the choices. The set of choices does not depend on
        # the other filters, so a value it turns down is counted out once.
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

    def condition(self, values, leave_out=None):
        conditions = [
            f.condition(values[f.name])
            for f in self.filters
            if f.name in values and f.name != leave_out
        ]
        return reduce(and_, conditions) if conditions else None

    def choices(self, values):
        return {
            f.name: f.choices(self.model, self.rows, self.condition(values, leave_out=f.name))
            for f in self.filters
        }

    def apply(self, queryset):
        """`queryset` (the list's rows) narrowed by the valid filters."""
        condition = self.condition(self.values)
        return queryset if condition is None else queryset.filter(condition)

    @property
    def count(self):
        """How many rows the filtered list has, from the first filter's counts
        (so the list need not count them again); None for a list without filters."""
        if not self.filters:
            return None
        first = self.filters[0]
        choices = self._choices[first.name]
        if first.name not in self.values:
            return choices.matching
        value = self.form.cleaned_data[first.name]
        return next((c.count for c in choices if c.value == value), 0)

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
