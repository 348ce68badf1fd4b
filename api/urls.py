from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import routers

from . import docs, views


class Router(routers.DefaultRouter):
    """A viewset may name its records by more than one part: /reports/<city>/<year>/."""

    include_format_suffixes = False  # ?format=csv instead; indicator codes contain dots

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return getattr(viewset, "lookup_regex", None) or super().get_lookup_regex(
            viewset, lookup_prefix
        )


router = Router()
router.register("regions", views.RegionViewSet, basename="region")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("sections", views.SectionViewSet, basename="section")
router.register("tables", views.ReportTableViewSet, basename="table")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("appeal-categories", views.AppealCategoryViewSet, basename="appeal-category")
router.register("sharing-methods", views.SharingMethodViewSet, basename="sharing-method")
router.register("reports", views.ReportViewSet, basename="report")
router.register("provinces", views.ProvinceViewSet, basename="province")
router.register("figures", views.FigureViewSet, basename="figure")
router.register("appeal-counts", views.AppealCountViewSet, basename="appeal-count")
router.register("top5", views.TopFiveViewSet, basename="top5")
router.register("episodes", views.EpisodeViewSet, basename="episode")
router.register("sharing-requests", views.SharingRequestViewSet, basename="sharing-request")
router.register("policy-documents", views.PolicyDocumentViewSet, basename="policy-document")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its set-up served as a script of its own: no inline script for the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    # Redoc writes its styles as <style> elements and starts a worker from a blob at run time:
    # those are allowed here, inline scripts are not.
    path(
        "redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    path("redoc/redoc.standalone.js", docs.redoc_bundle, name="redoc-bundle"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    *router.urls,
    # Last: a URL ending in a slash that nothing above names. (One without the slash is first
    # redirected to it, as CommonMiddleware does for every URL of the site.)
    re_path(r"^[\s\S]*/$", views.not_found),
]
