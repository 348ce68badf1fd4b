"""OpenAPI post-processing: every parameter says what it is."""

from django.utils.translation import gettext_lazy as _

PARAMETERS = {
    "format": _("json (the default) or csv: UTF-8 with a BOM, one row per record."),
    "id": _("Identifier of the record."),
    "code": _("Code of the entry (e.g. appeals.total.total for an indicator)."),
    "slug": _("Slug of the region (e.g. huaian)."),
    "city": _("Slug of the city (e.g. huaian)."),
    "year": _("Year the report covers."),
}


def describe_parameters(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description") and parameter["name"] in PARAMETERS:
                    parameter["description"] = str(PARAMETERS[parameter["name"]])
    return result
