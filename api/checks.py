"""The figure checks of a report, as the API serves them."""

from hotline.checks import check_report
from hotline.roles import sees_drafts

from .serializers import CheckResultSerializer


def report_checks(report, user) -> dict:
    result = check_report(report, drafts=sees_drafts(user))
    return CheckResultSerializer(result.as_dict()).data
