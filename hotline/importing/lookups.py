"""Related records by their natural keys, never by database ids, so that a file exported from
one installation imports into another.

Each table is read once per file, the first time a row needs it (one query each), and rows
are resolved from dictionaries: a city by name, slug or English name; a report by city and
year; a region by name or slug; a department by any of its names within the report's city
(the city, its districts and counties, and the province above it); an indicator by code or by
its labels; a sharing method or an appeal category by name or code.
"""

from collections import defaultdict
from functools import cached_property

from django.utils.translation import gettext as _

from hotline.models import (
    AnnualReport,
    AppealCategory,
    Department,
    Indicator,
    Region,
    SharingMethod,
)
from hotline.parsing import normalise


def key(text) -> str:
    """How a name is compared: half-width, trimmed, case-folded, without inner spaces."""
    return "".join(normalise(text).split()).casefold()


def indicator_label(indicator) -> str:
    """表 · 行 · 列组 · 列, the way a person names a cell of the printed report."""
    parts = [indicator.table.title, indicator.row_label, indicator.column_group]
    return " · ".join(p for p in [*parts, indicator.column_label] if p)


def _full_name(record) -> str:
    return getattr(record, "name", None) or str(record)


class Index:
    """Names → records; a name shared by two records is ambiguous, not silently the first."""

    def __init__(self):
        self._by_name = defaultdict(dict)

    def add(self, record, *names):
        for name in names:
            if name:
                self._by_name[key(name)][record.pk] = record

    def find(self, text):
        """The one record of that name, None when there is none; ValueError when several."""
        found = self._by_name.get(key(text), {})
        if len(found) > 1:
            raise ValueError(
                _("“%(text)s” names more than one record (%(records)s); use a fuller name.")
                % {
                    "text": text,
                    "records": "、".join(sorted(_full_name(r) for r in found.values())),
                }
            )
        return next(iter(found.values()), None)


class Lookups:
    @cached_property
    def regions(self) -> dict:
        return {region.pk: region for region in Region.objects.order_by()}

    @cached_property
    def _region_index(self) -> Index:
        index = Index()
        for region in self.regions.values():
            index.add(region, region.slug, region.name, region.name_en)
        return index

    @cached_property
    def _city_index(self) -> Index:
        index = Index()
        for region in self.regions.values():
            if region.level == Region.Level.CITY:
                index.add(region, region.slug, region.name, region.name_en)
        return index

    def add_regions(self, regions):
        """Regions created by the file itself, for its later rows."""
        for region in regions:
            self.regions[region.pk] = region
        for cached in ("_region_index", "_city_index", "_within", "_by_city"):
            self.__dict__.pop(cached, None)

    def parent_of(self, region):
        return self.regions.get(region.parent_id)

    def city_of(self, region):
        while region is not None and region.level != Region.Level.CITY:
            region = self.parent_of(region)
        return region

    def city(self, text):
        city = self._city_index.find(text)
        if city is None:
            raise ValueError(_("“%(text)s” is not a city we know.") % {"text": text})
        return city

    def region(self, text, *, within=None):
        """A region by slug or name; within a city, only the city and the regions under it."""
        index = self._regions_within(within.pk) if within is not None else self._region_index
        region = index.find(text)
        if region is None:
            if within is not None:
                raise ValueError(
                    _("“%(text)s” is not %(city)s or a district or county of it.")
                    % {"text": text, "city": within.name}
                )
            raise ValueError(_("“%(text)s” is not a region we know.") % {"text": text})
        return region

    def _regions_within(self, city_pk):
        cache = self.__dict__.setdefault("_within", {})
        if city_pk not in cache:
            index = Index()
            for region in self.regions.values():
                if self.city_of(region) is not None and self.city_of(region).pk == city_pk:
                    index.add(region, region.slug, region.name, region.name_en)
            cache[city_pk] = index
        return cache[city_pk]

    # Reports

    @cached_property
    def _reports(self) -> dict:
        return {
            (report.region_id, report.year): report
            for report in AnnualReport.private_objects.select_related("region").order_by()
        }

    def report(self, city, year):
        report = self._reports.get((city.pk, year))
        if report is None:
            raise ValueError(
                _("%(city)s has no report for %(year)s; add it under annual reports first.")
                % {"city": city.name, "year": year}
            )
        return report

    # Departments

    @cached_property
    def _departments(self) -> list:
        return list(Department.objects.order_by())

    def _departments_of(self, city_pk):
        cache = self.__dict__.setdefault("_by_city", {})
        if city_pk not in cache:
            city = self.regions[city_pk]
            ancestors, region = set(), self.parent_of(city)
            while region is not None:
                ancestors.add(region.pk)
                region = self.parent_of(region)
            index = Index()
            for department in self._departments:
                region = self.regions[department.region_id]
                home = self.city_of(region)
                if (home is not None and home.pk == city_pk) or region.pk in ancestors:
                    department.region = region  # spares a query in str() and clean()
                    index.add(department, *department.names)
            cache[city_pk] = index
        return cache[city_pk]

    def department(self, text, *, city):
        department = self._departments_of(city.pk).find(text)
        if department is None:
            raise ValueError(
                _("“%(text)s” is not a department of %(city)s (by any of its names).")
                % {"text": text, "city": city.name}
            )
        return department

    # The catalogue and its choices

    @cached_property
    def indicators(self) -> dict:
        return {
            indicator.pk: indicator
            for indicator in Indicator.objects.select_related("table__section").order_by()
        }

    @cached_property
    def _indicator_index(self) -> Index:
        index = Index()
        for indicator in self.indicators.values():
            index.add(indicator, indicator.code, indicator_label(indicator))
        return index

    def indicator(self, text):
        indicator = self._indicator_index.find(text)
        if indicator is None:
            raise ValueError(
                _("“%(text)s” is not an indicator code or the name of a cell of the report.")
                % {"text": text}
            )
        return indicator

    def _named(self, model, attribute):
        if attribute not in self.__dict__:
            index = Index()
            for record in model.objects.order_by():
                index.add(record, record.code, record.name, record.name_en)
            self.__dict__[attribute] = index
        return self.__dict__[attribute]

    def method(self, text):
        method = self._named(SharingMethod, "_methods").find(text)
        if method is None:
            raise ValueError(_("“%(text)s” is not a sharing method we know.") % {"text": text})
        return method

    def category(self, text):
        category = self._named(AppealCategory, "_categories").find(text)
        if category is None:
            raise ValueError(_("“%(text)s” is not an appeal category we know.") % {"text": text})
        return category
