"""sitemap.xml (django.contrib.sitemaps): the public pages and every published report's pages,
read from published reports only."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import open_data


class PagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["index", "compare", "episodes", "sharing", "policies"]

    def location(self, item):
        return reverse(f"reports:{item}")


class ReportsSitemap(Sitemap):
    """Each published report's page, its data dictionary and its city's page; last modified
    when it was published (public: a draft's edits move nothing)."""

    changefreq = "yearly"

    def items(self):
        return [
            (name, report)
            for report in open_data.published_reports()
            for name in ("report", "data")
        ]

    def location(self, item):
        name, report = item
        return reverse(f"reports:{name}", args=[report.region.slug, report.year])

    def lastmod(self, item):
        return item[1].published_at


class CitiesSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return sorted({r.region.slug for r in open_data.published_reports()})

    def location(self, slug):
        return reverse("reports:city", args=[slug])


SITEMAPS = {"pages": PagesSitemap, "reports": ReportsSitemap, "cities": CitiesSitemap}
