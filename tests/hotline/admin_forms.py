"""What a browser posts back for an admin change form as the server drew it."""

from hotline.admin.base import VERSION_FIELD


def _put(data, key, value):
    if value is None:
        data[key] = ""
    elif value is True:
        data[key] = "on"
    elif value is False:
        return  # an unticked checkbox is not posted
    elif isinstance(value, list | tuple):
        data[key] = [str(v) for v in value]
    else:
        data[key] = str(value)


def form_data(response, **changes):
    """Every input of the change form (and its inlines) with the value drawn, then `changes`."""
    context = response.context
    data = {}
    form = context["adminform"].form
    for name in form.fields:
        _put(data, form.add_prefix(name), form[name].value())
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name in formset.management_form.fields:
            _put(
                data,
                formset.management_form.add_prefix(name),
                formset.management_form[name].value(),
            )
        for inline_form in formset.forms:
            for name in inline_form.fields:
                if name != "DELETE":
                    _put(data, inline_form.add_prefix(name), inline_form[name].value())
    if context.get("version_token"):
        data[VERSION_FIELD] = context["version_token"]
    data.update(changes)
    return data
