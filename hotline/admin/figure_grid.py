"""All figures of one report in the shape of the printed report, to type them in.

Every table of the catalogue is shown, so that a new report can be filled in from nothing.
A Figure row is created only for a cell that was touched (a value, "—", a change or a note):
a missing row means "not entered", which is not the same as "printed —" (a row without a
value). Creating rows for every indicator on each save would claim that old reports printed
"—" for indicators added to the template later.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hotline import layout
from hotline.checks import check_report
from hotline.models import AnnualReport, Figure, Indicator, ReportLocked
from hotline.models.catalogue import translated
from hotline.outages import DATABASE_GONE, outage_message
from hotline.parsing import (
    format_change,
    format_decimal,
    is_not_reported,
    parse_change,
    parse_decimal,
)

from .base import is_editable

CHANGE_FIGURE = "hotline.change_figure"
ADD_FIGURE = "hotline.add_figure"
NOT_REPORTED = "—"

# The model field whose error an input shows.
ERROR_INPUT = {
    "value": "value",
    "text": "value",
    "decimals": "value",
    "change": "change",
    "change_decimals": "change",
    "note": "note",
}


def snapshot(figure: Figure | None):
    if figure is None:
        return None
    return (
        figure.value,
        figure.decimals,
        figure.text,
        figure.change,
        figure.change_decimals,
        figure.note,
    )


class NoteField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3, "cols": 24})

    def to_python(self, value):
        # Browsers post CRLF; unchanged notes must compare equal to the stored LF.
        return super().to_python(value).replace("\r\n", "\n")


class FigureCellForm(forms.Form):
    """One cell: the value, the published change and a note, as typed."""

    value = forms.CharField(label=gettext_lazy("value"), required=False, max_length=100)
    change = forms.CharField(
        label=gettext_lazy("year-on-year change"), required=False, max_length=40
    )
    note = NoteField(label=gettext_lazy("note"), required=False)

    def __init__(self, data=None, *, report, indicator, figure, name, editable):
        super().__init__(data, prefix=f"f{indicator.pk}", initial=self.initial_for(figure))
        self.report, self.indicator, self.figure, self.name = report, indicator, figure, name
        self.instance = None
        self.original = snapshot(figure)
        for form_field in self.fields.values():
            form_field.disabled = not editable
        self.fields["value"].widget.attrs.update({"size": 10, "aria-label": name})
        self.fields["change"].widget.attrs.update({"size": 7})
        self.fields["note"].widget.attrs["aria-label"] = _("Note on %(cell)s") % {"cell": name}

    @property
    def hidden_initials(self):
        """The values as drawn, posted back beside the inputs (see has_changed)."""
        return [(self.add_initial_prefix(name), self.initial.get(name, "")) for name in self.fields]

    def _posted(self, name, initial=False):
        key = self.add_initial_prefix(name) if initial else self.add_prefix(name)
        if key not in self.data:
            return None
        return self.fields[name].to_python(self.data[key])

    def has_changed(self):
        """Whether staff typed in this cell: what came back differs from what the page showed.

        Compared with the page as drawn, not with the database, so that a cell someone else
        saved meanwhile is left alone unless it was typed in here too. Django's own hidden
        initials would do this but echo the stale value back on a re-drawn page.
        """
        if not self.is_bound or self.fields["value"].disabled:
            return False
        for name in self.fields:
            posted = self._posted(name)
            if posted is None:
                continue
            shown = self._posted(name, initial=True)
            if shown is None:
                shown = self.fields[name].to_python(self.initial.get(name, ""))
            if posted != shown:
                return True
        return False

    @staticmethod
    def initial_for(figure):
        if figure is None:
            return {}
        if figure.text:
            value = figure.text
        elif figure.value is None:
            value = NOT_REPORTED
        else:
            value = format_decimal(figure.printed_value)
        return {
            "value": value,
            "change": format_change(figure.printed_change),
            "note": figure.note,
        }

    @property
    def is_dirty(self):
        return self.instance is not None and (
            self.instance.pk is None or snapshot(self.instance) != self.original
        )

    def clean(self):
        data = super().clean()
        self._check_not_changed_meanwhile()
        figure = self.figure or Figure(report=self.report, indicator=self.indicator)
        if self.indicator.kind == Indicator.Kind.TEXT:
            figure.value = None
            text = data.get("value", "")
            figure.text = "" if is_not_reported(text) else text
        else:
            try:
                parsed = parse_decimal(data.get("value", ""))
            except ValueError as error:
                self.add_error("value", str(error))
            else:
                figure.text = ""
                figure.value, figure.decimals = parsed or (None, figure.decimals)
        try:
            parsed = parse_change(data.get("change", ""))
        except ValueError as error:
            self.add_error("change", str(error))
        else:
            figure.change, figure.change_decimals = parsed or (None, figure.change_decimals)
        figure.note = data.get("note", "")
        if self._errors:
            return data
        try:
            # Report and indicator come from this view, not from input; checking them again
            # would cost three queries a cell (the database still holds them unique).
            figure.full_clean(exclude=["report", "indicator"])
        except ValidationError as error:
            for model_field, errors in error.update_error_dict({}).items():
                self.add_error(ERROR_INPUT.get(model_field), errors)
        else:
            self.instance = figure
        return data

    def _check_not_changed_meanwhile(self):
        for name, form_field in self.fields.items():
            shown = self._posted(name, initial=True)
            current = form_field.to_python(self.initial.get(name, ""))
            if shown is not None and shown != current:
                raise ValidationError(
                    _(
                        "Someone else changed this cell while you were typing (it is now "
                        "“%(value)s”). Check it and save again."
                    )
                    % {"value": self.initial.get("value", "")}
                )


@dataclass
class Cell:
    indicator: Indicator
    form: FigureCellForm
    table_label: str
    unit: str = ""
    discrepancies: list = field(default_factory=list)

    @property
    def has_change(self):
        return self.indicator.kind != Indicator.Kind.TEXT

    @property
    def change_label(self):
        if self.indicator.change_kind == Indicator.ChangeKind.POINTS:
            return _("change (points)")
        return _("change (%)")

    @property
    def note(self):
        return self.form.initial.get("note", "")

    @property
    def errors(self):
        form = self.form
        return [
            *form.non_field_errors(),
            *form.errors.get("value", []),
            *form.errors.get("change", []),
            *form.errors.get("note", []),
        ]


class FigureGrid:
    def __init__(self, report, *, data=None, editable=False, can_add=False, checks=None):
        self.report = report
        self.checks = checks
        self.discrepancies = checks.by_figure if checks else {}
        indicators = Indicator.objects.select_related("table__section").order_by()
        figures = Figure.private_objects.filter(report=report).order_by()
        sections = layout.lay_out(
            indicators, figures, default_row_label=translated(report.region, "name")
        )
        self.cells = []
        self.sections = [
            (section.heading, [self._table(t, data, editable, can_add) for t in section.tables])
            for section in sections
        ]

    def _table(self, table, data, editable, can_add):
        """The table as laid out, and its rows' cells with their inputs (None: no such cell)."""
        rows = []
        for row in table.rows:
            cells = [
                self._cell(table, row, cell, data, editable, can_add) if cell.indicator else None
                for cell in row.cells
            ]
            rows.append((row.label, cells))
        return table, rows

    def _cell(self, table, row, laid_out, data, editable, can_add):
        indicator, figure, column = laid_out.indicator, laid_out.figure, laid_out.column
        if figure is not None:
            # Already loaded; spares Figure.clean() and save() a query each.
            figure.indicator, figure.report = indicator, self.report
        name = " · ".join(p for p in (row.label, column.group, column.label) if p)
        form = FigureCellForm(
            data,
            report=self.report,
            indicator=indicator,
            figure=figure,
            name=name or table.title,
            editable=editable and (figure is not None or can_add),
        )
        discrepancies = self.discrepancies.get(indicator.code, [])
        cell = Cell(indicator, form, table.title, laid_out.unit, discrepancies)
        self.cells.append(cell)
        return cell

    @cached_property
    def touched(self):
        return [cell for cell in self.cells if cell.form.has_changed()]

    def is_valid(self):
        # Every touched cell is checked, not just up to the first error: all errors show at once.
        valid = [cell.form.is_valid() for cell in self.touched]
        return all(valid)

    @property
    def error_summary(self):
        return [
            (cell, f"{cell.form.name}: {message}")
            for cell in self.cells
            if cell.form.is_bound and cell.form.has_changed() and cell.form.errors
            for message in cell.errors
        ]

    def save(self) -> int:
        forms = [cell.form for cell in self.touched if cell.form.is_dirty]
        with transaction.atomic():
            AnnualReport.private_objects.select_for_update().get(
                pk=self.report.pk
            ).ensure_editable()
            self._refuse_cells_saved_meanwhile(forms)
            for form in forms:
                form.instance.save()
        return len(forms)

    def _refuse_cells_saved_meanwhile(self, forms):
        """The cells were checked against figures read before the report was locked; another
        save may have committed in between. Every save takes the report's lock first, so what
        is read now is final."""
        indicators = [form.indicator.pk for form in forms]
        current = {
            figure.indicator_id: snapshot(figure)
            for figure in Figure.private_objects.filter(
                report=self.report, indicator__in=indicators
            )
        }
        changed = [form.name for form in forms if current.get(form.indicator.pk) != form.original]
        if changed:
            raise ValidationError(
                _(
                    "Someone else saved %(cells)s while you were typing; nothing was saved. "
                    "Reload the page to see their figures, then type yours again."
                )
                % {"cells": "、".join(changed)}
            )


def figure_grid_view(model_admin, request, object_id):
    report = model_admin.get_object(request, object_id)
    if report is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_permission(request, report):
        raise PermissionDenied
    user = request.user
    editable = is_editable(report) and user.has_perm(CHANGE_FIGURE)
    can_add = editable and user.has_perm(ADD_FIGURE)
    grid_url = reverse("admin:hotline_annualreport_figures", args=[report.pk])

    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        grid = FigureGrid(report, data=request.POST, editable=True, can_add=can_add)
        if grid.is_valid():
            try:
                saved = grid.save()
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except IntegrityError:
                messages.error(
                    request,
                    _("Someone else added figures to this report meanwhile; nothing was saved."),
                )
            except DATABASE_GONE as error:
                # Nothing else may touch the database in this request: say so and start over.
                messages.error(request, outage_message(error))
                return redirect(grid_url)
            else:
                if saved:
                    messages.success(
                        request,
                        ngettext("Saved %(count)d figure.", "Saved %(count)d figures.", saved)
                        % {"count": saved},
                    )
                else:
                    messages.info(request, _("No figure was changed."))
                return redirect(grid_url)
    else:
        grid = FigureGrid(
            report, editable=editable, can_add=can_add, checks=check_report(report, drafts=True)
        )

    if editable:
        status_note = ""
    elif not is_editable(report):
        status_note = ReportLocked(report).messages[0]
    else:
        status_note = _("You may view these figures but not change them.")

    opts = model_admin.opts
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Figures of %(report)s") % {"report": report},
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "original": report,
        "report": report,
        "grid": grid,
        "editable": editable,
        "status_note": status_note,
    }
    return TemplateResponse(request, "admin/hotline/annualreport/figure_grid.html", context)
