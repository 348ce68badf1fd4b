"""The schema says what the API does. What every operation shares is written here once, as
post-processing of drf-spectacular's schema, rather than in a decorator per view: who may call
it, every status code it answers with and that answer's body, the real bounds of the common
parameters, the CSV it also writes, and an example from the 2023 report."""

import copy
import json
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi

from hotline.models import AnnualReport

from . import deprecations

PARAMETERS = {
    "format": _("json (the default) or csv: UTF-8 with a BOM, one row per record."),
    "id": _("Identifier of the record."),
    "code": _("Code of the entry (e.g. appeals.total.total for an indicator)."),
    "slug": _("Slug of the region (e.g. huaian)."),
    "city": _("Slug of the city (e.g. huaian)."),
    "year": _("Year the report covers."),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with the operations api.deprecations lists marked `deprecated`."""

    def is_deprecated(self) -> bool:
        view = self.view
        found = deprecations.find(getattr(view, "basename", None), getattr(view, "action", None))
        return found is not None or super().is_deprecated()


YEAR = {"type": "integer", "minimum": AnnualReport.YEARS.start, "maximum": AnnualReport.YEARS[-1]}
# The bounds the API enforces (api/pagination.py, api/renderers.py), said in the schema.
BOUNDS = {
    "year": YEAR,
    "page": {"type": "integer", "minimum": 1},
    "page_size": {"type": "integer", "minimum": 1, "maximum": 1000},
    "format": {"type": "string", "enum": ["json", "csv"]},
}

# What CleanModelSerializer's no_control_characters and plain_text refuse, said in the schema.
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# One value of a list filter (`?city=huaian,suqian`): not blank once trimmed, and no NUL.
LISTED_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"
SAFE = {"get", "head", "options"}
ERROR = "Error"
INVALID = "ValidationError"
SCHEMAS = {
    ERROR: {
        "type": "object",
        "description": _("The body of an error or of a refusal."),
        "properties": {
            "detail": {"type": "string", "description": _("What went wrong, in words.")}
        },
        "required": ["detail"],
    },
    INVALID: {
        "type": "object",
        "description": _(
            "Messages per field or query parameter, under its name; under non_field_errors for "
            "the whole request. A nested record's messages are nested the same way."
        ),
        "additionalProperties": {},
    },
}
# Every status code the API answers with beside success, and when.
ERRORS = {
    400: (INVALID, _("Invalid input: the body or a query parameter, named in the answer.")),
    401: (ERROR, _("The token or session given is not valid, or a write came without one.")),
    403: (ERROR, _("Not allowed: the account lacks the permission, or the report is not a draft.")),
    404: (ERROR, _("No such record among those you may see, or no such page or cursor.")),
    409: (ERROR, _("The write conflicts with other records, or with one saved at the same time.")),
    414: (
        None,
        _("The request line (the URL with its query) is too long: the web server refuses it."),
    ),
    415: (ERROR, _("The body is not in a media type the API reads.")),
    429: (
        ERROR,
        _("Too many requests from this address; the Retry-After header says when to retry."),
    ),
}
CSV = _(
    "The same records as CSV (UTF-8 with a BOM, a header row, one row per record); a page's "
    "links are in the Link header."
)
EXAMPLES = json.loads((Path(__file__).with_name("examples.json")).read_text(encoding="utf-8"))


def describe_parameters(result, generator, request, public):
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description") and parameter["name"] in PARAMETERS:
                    parameter["description"] = str(PARAMETERS[parameter["name"]])
    return result


def bound(parameter):
    schema = parameter.get("schema", {})
    items = schema.get("items", {})
    if schema.get("type") == "array" and items.get("type") == "string" and "enum" not in items:
        items["pattern"] = LISTED_TEXT
    bounds = BOUNDS.get(parameter["name"])
    if bounds is None:
        return
    if schema.get("type") == "array":
        schema["items"] = {**{k: v for k, v in schema["items"].items() if k != "format"}, **bounds}
    else:
        parameter["schema"] = {**bounds, **{k: v for k, v in schema.items() if k == "title"}}


def describe_answers(method, operation):
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    queried = any(p["in"] == "query" for p in parameters)
    # An operation that takes no credentials (the token's) refuses none and changes no record.
    credentials = operation.get("security", [{}]) != [{}]
    codes = {429}
    if queried or "requestBody" in operation:
        codes.add(400)
    if queried:
        codes.add(414)
    if any(p["in"] == "path" for p in parameters) or any(
        p["name"] in {"page", "cursor"} for p in parameters
    ):
        codes.add(404)
    if credentials:
        codes.add(401)  # also a public read that sends a token that is not valid
        if method not in SAFE:
            codes |= {403, 409}
    if "requestBody" in operation:
        codes.add(415)
    for code in sorted(codes):
        component, description = ERRORS[code]
        content = (
            {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}
            if component
            else {"text/html": {"schema": {"type": "string"}}}  # gunicorn's page, not the API's
        )
        responses.setdefault(str(code), {"description": str(description), "content": content})
    for response in responses.values():
        content = response.get("content", {})
        if "text/csv" in content:
            content["text/csv"] = {"schema": {"type": "string", "description": str(CSV)}}


def describe_security(method, operation):
    if method in SAFE and operation.get("security") and {} not in operation["security"]:
        operation["security"].append({})  # anyone may read


def component_of(content):
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None


def examples_by_component(result):
    """Each record's example: the answer of a GET of it (api/examples.json)."""
    found = {}
    for path, operations in result["paths"].items():
        answer = EXAMPLES.get(path, {}).get("get")
        response = operations.get("get", {}).get("responses", {}).get("200", {})
        component = component_of(response.get("content", {}))
        if answer is None or component is None:
            continue
        found[component] = answer
        if component.startswith("Paginated") and answer.get("results"):
            found[component.removeprefix("Paginated").removesuffix("List")] = answer["results"][0]
    return found


def give_examples(result, path, operation, by_component):
    given = EXAMPLES.get(path, {})
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path" and parameter["name"] in given.get("path", {}):
            parameter["example"] = given["path"][parameter["name"]]
    for code, response in operation.get("responses", {}).items():
        component = component_of(response.get("content", {}))
        if code.startswith("2") and component in by_component:
            response["content"]["application/json"]["example"] = by_component[component]
    body = operation.get("requestBody", {}).get("content", {})
    component = component_of(body)
    if component is None:
        return
    if "body" in given:
        example = given["body"]
    else:
        record = by_component.get(component.removeprefix("Patched").removesuffix("Request"))
        if record is None:
            return
        accepted = result["components"]["schemas"][component].get("properties", {})
        example = {name: value for name, value in record.items() if name in accepted}
    body["application/json"]["example"] = example


def plain_strings(result):
    """Every text the API reads refuses control characters: the schema's pattern says so."""
    for name, component in result["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            target = prop.get("items", prop) if prop.get("type") == "array" else prop
            if target.get("type") == "string" and not {"pattern", "format", "enum"} & set(target):
                target["pattern"] = PLAIN_TEXT


def describe_operations(result, generator, request, public):
    """Security, answers, bounds and examples of every operation (see the module's docstring)."""
    result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in SCHEMAS.items():
        result["components"]["schemas"][name] = copy.deepcopy(schema)
        result["components"]["schemas"][name]["description"] = str(schema["description"])
        if "properties" in schema:
            result["components"]["schemas"][name]["properties"]["detail"]["description"] = str(
                schema["properties"]["detail"]["description"]
            )
    plain_strings(result)
    by_component = examples_by_component(result)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                bound(parameter)
            describe_security(method, operation)
            describe_answers(method, operation)
            give_examples(result, path, operation, by_component)
    return result
