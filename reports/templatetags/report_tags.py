from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hotline import layout
from hotline.models.catalogue import translated
from reports import charts, formatting

register = template.Library()


@register.simple_tag
def cached_url(viewname, *args):
    """{% url %}, remembered (reports.formatting.url, which escapes it as {% url %} is)."""
    return mark_safe(formatting.url(viewname, *args))


@register.simple_tag(takes_context=True)
def grid_html(context, grid, print=None):
    """A laid-out table, with its links and downloads unless the page is printed."""
    return formatting.grid_html(grid, context["report"], print=_printed(context, print))


@register.simple_tag(takes_context=True)
def chart_html(context, chart, print=None):
    """A chart, with its numbers' table unless the page is printed."""
    return charts.chart_html(chart, print=_printed(context, print))


@register.simple_tag(takes_context=True)
def downloads_html(context, code):
    return formatting.downloads_html(context["report"], code)


@register.filter
def label(obj, field):
    """The English label when the page speaks English and one is stored, else the Chinese."""
    return translated(obj, field) if obj is not None else ""


@register.filter
def figure_text(figure):
    return formatting.figure_text(figure)


@register.filter
def figure_change(figure):
    return formatting.figure_change(figure)


@register.simple_tag
def figure_html(figure, show_unit=False, marks=(), table_code=""):
    return formatting.figure_html(figure, show_unit, marks, table_code)


@register.filter
def change_html(change):
    return formatting.change_html(change)


@register.filter
def cells_html(row, table_code):
    return formatting.cells_html(row, table_code)


@register.filter
def header_cells_html(header_row):
    return formatting.header_cells_html(header_row)


@register.filter
def num(value, decimals=None):
    return formatting.format_number(value, decimals)


register.filter("section_number", layout.section_number)


@register.filter
def is_number(figure):
    return figure is not None and figure.value is not None


@register.filter
def charts_for(charts, section_code):
    return [c for c in charts if c.section == section_code]


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def report_title(report):
    """The report's own (Chinese) title, or a title in the page's language."""
    from django.utils.translation import gettext as _

    if report.title and not (get_language() or "").startswith("en"):
        return report.title
    return _("%(city)s 12345 hotline: %(year)s annual report") % {
        "city": translated(report.region, "name"),
        "year": report.year,
    }


@register.simple_tag
def ranked_rows_html(group, counts):
    return formatting.ranked_rows_html(group, counts)


@register.simple_tag(takes_context=True)
def register_rows_html(context, requests):
    return formatting.register_rows_html(requests, context["report"], print=_printed(context, None))


def _printed(context, print) -> bool:
    """Whether the page is printed: as the tag says, else as the including template said
    (`{% include … with print=True %}`)."""
    return bool(context.get("print") if print is None else print)
