"""Open-data pages and files (reports.open_data): the data dictionary, the Data Package and its
ZIP, the DCAT catalogue, the sitemap and robots.txt. Thin views, cached like the report pages."""

import io
import zipfile

from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import writers

from . import downloads, extra_tables, open_data, selectors
from .sitemaps import SITEMAPS
from .views import _report, _source, _updated, report_page, site_page


def _resources(report, code=None):
    resources = open_data.report_resources(report)
    if code is None:
        return resources
    found = [r for r in resources if r.code == code]
    if not found:
        raise Http404(_("No such table."))
    return found


@report_page
def data_dictionary(request, city, year, code=None):
    report = _report(request, city, year)
    resources = _resources(report, code)
    return render(
        request,
        "reports/data_dictionary.html",
        {
            "report": report,
            "resources": resources,
            "code": code,
            "source_note": _source(report, _updated(request, report)),
        },
    )


@report_page
def indicators_download(request, city, year, fmt):
    report = _report(request, city, year)
    dataset = open_data.indicators_dataset(report, _resources(report))
    dataset.url = request.build_absolute_uri(reverse("reports:data", args=[city, year]))
    dataset.last_modified = _updated(request, report)
    return writers.response(dataset, fmt, stream=False)


def _json(data) -> HttpResponse:
    return HttpResponse(
        open_data.json_text(data).encode(), content_type="application/json; charset=utf-8"
    )


def _csv_url(request, report, resource):
    if resource.code == "indicators":
        path = reverse("reports:indicators-download", args=[report.region.slug, report.year, "csv"])
    else:
        path = reverse(
            "reports:table-download", args=[report.region.slug, report.year, resource.code, "csv"]
        )
    return request.build_absolute_uri(path)


def _homepage(request, report):
    return request.build_absolute_uri(
        reverse("reports:report", args=[report.region.slug, report.year])
    )


@report_page
def datapackage(request, city, year):
    report = _report(request, city, year)
    package = open_data.datapackage(
        report,
        _resources(report),
        path_of=lambda resource: _csv_url(request, report, resource),
        homepage=_homepage(request, report),
    )
    return _json(package)


@report_page
def datapackage_zip(request, city, year):
    """The package with its files: datapackage.json and every CSV under data/, each as its
    download writes it, so that `frictionless validate datapackage.json` reads it offline."""
    report = _report(request, city, year)
    resources = _resources(report)
    tables = {"indicators": open_data.indicators_dataset(report, resources)}
    for grid in selectors.report_grids(request.user, report):
        tables[grid.code] = downloads.grid_dataset(report, grid)
    for code in open_data.LIST_RESOURCES:
        tables[code] = extra_tables.table(request.user, report, code)[1]
    package = open_data.datapackage(
        report,
        resources,
        path_of=lambda resource: f"data/{resource.name}.csv",
        homepage=_homepage(request, report),
    )
    # Files dated when the data last changed, not when the ZIP was written: the same data
    # makes the same bytes, so a draft's edits cannot show through the archive.
    updated = _updated(request, report)
    stamp = timezone.localtime(updated).timetuple()[:6] if updated else (1980, 1, 1, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(name, content):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)

        add("datapackage.json", open_data.json_text(package))
        for resource in package["resources"]:
            csv = io.BytesIO()
            writers.write(tables[resource["name"]], "csv", csv)
            add(resource["path"], csv.getvalue())
    response = HttpResponse(out.getvalue(), content_type="application/zip")
    name = f"{report.region.slug}-{report.year}-datapackage.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@site_page
def catalog(request):
    data = open_data.dcat_catalogue(open_data.published_reports(), request.build_absolute_uri)
    response = _json(data)
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response


@site_page
def catalog_ttl(request):
    """The same catalogue as Turtle, for RDF tools that do not read JSON-LD."""
    import rdflib  # only here: the rest of the site never needs it loaded

    data = open_data.dcat_catalogue(open_data.published_reports(), request.build_absolute_uri)
    graph = rdflib.Graph().parse(data=open_data.json_text(data), format="json-ld")
    graph.bind("dcat", open_data.DCAT_CONTEXT["dcat"])
    graph.bind("dct", open_data.DCAT_CONTEXT["dct"])
    graph.bind("foaf", open_data.DCAT_CONTEXT["foaf"])
    return HttpResponse(graph.serialize(format="turtle"), content_type="text/turtle; charset=utf-8")


@site_page
def sitemap(request):
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS)


def robots(request):
    """Crawlers may read the public site; not the admin, the language switch or the API's
    browsable pages (the API is for programs, described by its schema)."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /i18n/",
        "Disallow: /api/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('reports:sitemap'))}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
