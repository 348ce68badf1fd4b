from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "csv|xlsx|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

app_name = "reports"

report = "reports/<slug:city>/<int:year>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("compare.<fmt:fmt>", views.compare_download, name="compare-download"),
    path("episodes/", views.episode_list, name="episodes"),
    path("episodes.<fmt:fmt>", views.episode_list_download, name="episodes-download"),
    path("data-sharing/", views.sharing_list, name="sharing"),
    path("data-sharing.<fmt:fmt>", views.sharing_list_download, name="sharing-download"),
    path("policies/", views.policy_list, name="policies"),
    path("policies.<fmt:fmt>", views.policy_list_download, name="policies-download"),
    path("reports/<slug:city>/", views.city, name="city"),
    path("reports/<slug:city>/indicators.<fmt:fmt>", views.city_download, name="city-download"),
    path(report, views.report, name="report"),
    path(report + "report.pdf", views.report_pdf, name="report-pdf"),
    path(report + "tables/<slug:code>/", views.table, name="table"),
    path(report + "tables/<slug:code>.<fmt:fmt>", views.table_download, name="table-download"),
    path(report + "episodes/<int:number>/", views.episode_detail, name="episode"),
    path(report + "data-sharing/<int:line>/", views.sharing_detail, name="sharing-request"),
    path(report + "policies/<int:pk>/", views.policy_detail, name="policy"),
]
