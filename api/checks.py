"""The figure checks of a report, as the API serves them."""

from hotline.checks import check_report

from .serializers import CheckResultSerializer


def report_checks(report) -> dict:
    return CheckResultSerializer(check_report(report).as_dict()).data
