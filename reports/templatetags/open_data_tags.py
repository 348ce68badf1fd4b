"""The report page's schema.org metadata and the citation of a report (reports.open_data)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from reports import open_data

register = template.Library()

# As django.utils.html.json_script escapes, so that the data cannot close the script element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def dataset_jsonld(context, report):
    """schema.org Dataset of a published report, as a JSON-LD data block (not run as a
    script, so the Content-Security-Policy allows it); nothing for a draft."""
    if report is None or not report.is_published:
        return ""
    data = open_data.schema_org_dataset(report, context["request"].build_absolute_uri)
    text = open_data.json_text(data).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def citation(context, report):
    url = context["request"].build_absolute_uri(
        reverse("reports:report", args=[report.region.slug, report.year])
    )
    return open_data.citation(report, url)
