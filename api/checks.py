"""The integration point for the figure checks engine (being built on branch `checks`)."""

from django.utils.translation import gettext as _


class ChecksUnavailable(Exception):
    """The checks engine is not part of this build yet."""


def report_checks(report) -> dict:
    """The result of the report's figure checks, as a JSON-serialisable structure.

    The API serves whatever this returns at /api/v1/reports/<city>/<year>/checks/. Until the
    engine lands it raises ChecksUnavailable, which the API answers with 501: no result is made
    up in the meantime.
    """
    raise ChecksUnavailable(
        _(
            "The figure checks are not available yet: the checks engine has not been connected "
            "to the API."
        )
    )
