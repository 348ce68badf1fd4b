from django.urls import path, register_converter
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from hotline.models import AnnualReport
from hotline.services.province import PROVINCE

from . import open_data_views, views


class FormatConverter:
    regex = "csv|xlsx|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")


class YearConverter:
    """A report's year, within the years a report may have: any other number is a 404 before
    a view or a query sees it."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        year = int(value)
        if year not in AnnualReport.YEARS:
            raise ValueError(value)  # no match: 404
        return year

    def to_url(self, value):
        return str(value)


class RecordNumberConverter:
    """An episode number, a register line or a record id: at most nine digits, within every
    integer column."""

    regex = "[0-9]{1,9}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(YearConverter, "year")
register_converter(RecordNumberConverter, "number")


def page(view):
    """A public page reads: GET and HEAD; any other method is a 405 that says so (Allow),
    answered before the CSRF check, which only unsafe methods would reach."""
    return csrf_exempt(require_safe(view))


app_name = "reports"

report = "reports/<slug:city>/<year:year>/"

urlpatterns = [
    path("", page(views.index), name="index"),
    path("compare/", page(views.compare), name="compare"),
    path("compare.<fmt:fmt>", page(views.compare_download), name="compare-download"),
    path("episodes/", page(views.episode_list), name="episodes"),
    path("episodes.<fmt:fmt>", page(views.episode_list_download), name="episodes-download"),
    path("data-sharing/", page(views.sharing_list), name="sharing"),
    path("data-sharing.<fmt:fmt>", page(views.sharing_list_download), name="sharing-download"),
    path("policies/", page(views.policy_list), name="policies"),
    path("policies.<fmt:fmt>", page(views.policy_list_download), name="policies-download"),
    path("reports/<slug:city>/", page(views.city), name="city"),
    path(
        "reports/<slug:city>/indicators.<fmt:fmt>", page(views.city_download), name="city-download"
    ),
    # Before a report's URL, which would read the province's slug as a city's.
    path(f"reports/{PROVINCE}/<year:year>/", page(views.province), name="province"),
    path(
        f"reports/{PROVINCE}/<year:year>.<fmt:fmt>",
        page(views.province_download),
        name="province-download",
    ),
    path(report, page(views.report), name="report"),
    path(report + "report.pdf", page(views.report_pdf), name="report-pdf"),
    path(report + "tables/<slug:code>/", page(views.table), name="table"),
    path(
        report + "tables/<slug:code>.<fmt:fmt>", page(views.table_download), name="table-download"
    ),
    # Open data (reports/open_data.py): the data dictionary, the Data Package, the catalogue.
    path(report + "data/", page(open_data_views.data_dictionary), name="data"),
    path(
        report + "data/indicators.<fmt:fmt>",
        page(open_data_views.indicators_download),
        name="indicators-download",
    ),
    path(report + "data/<slug:code>/", page(open_data_views.data_dictionary), name="table-data"),
    path(report + "datapackage.json", page(open_data_views.datapackage), name="datapackage"),
    path(report + "datapackage.zip", page(open_data_views.datapackage_zip), name="datapackage-zip"),
    path("catalog.jsonld", page(open_data_views.catalog), name="catalog"),
    path("catalog.ttl", page(open_data_views.catalog_ttl), name="catalog-ttl"),
    path("sitemap.xml", page(open_data_views.sitemap), name="sitemap"),
    path("robots.txt", page(open_data_views.robots), name="robots"),
    path(report + "episodes/<number:number>/", page(views.episode_detail), name="episode"),
    path(
        report + "data-sharing/<number:line>/", page(views.sharing_detail), name="sharing-request"
    ),
    path(report + "policies/<number:pk>/", page(views.policy_detail), name="policy"),
]
