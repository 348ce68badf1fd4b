"""Synthetic reports for demonstrations and load tests (`manage.py generate_demo`).

Everything made here is marked: `is_synthetic` on the report and on the districts and units it
adds, a title that starts with 【演示数据】 and a source that says so. A city-year that already has
a report (the published 2023 Huai'an report among them) is skipped, never touched, and the figure
checks never compare a published report with a made-up one.

Values follow the magnitudes of the published reference report, scaled by each city's
population and a yearly trend, and obey the catalogue's own rules where that is cheap: parts add
up to their totals, rates are computed from their counts and stay within 0–100, record counts
match the records made, and each published change is the one computed from the year before.

Nothing here writes history (simple_history): made-up rows have no one who changed them, and
their history would double every write. Bulk writes go in batches, one transaction per report.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef

from hotline import freshness
from hotline.models import (
    AnnualReport,
    AppealCategory,
    AppealCount,
    CheckOperand,
    CheckRule,
    DataSharingRequest,
    Department,
    EpisodeGuest,
    Figure,
    Indicator,
    LivestreamEpisode,
    PolicyDocument,
    Region,
    ReportEvent,
    SharingMethod,
)

TITLE_PREFIX = "【演示数据】"
SOURCE = (
    "【演示数据】generate_demo 生成的合成数据（种子 {seed}），不是任何城市公布的数字。"
    "Synthetic data made by generate_demo (seed {seed}): no city published these figures."
)
POPULATION_SOURCE = "【演示数据】虚构的常住人口。A made-up resident population."
# The published report whose magnitudes the made-up figures follow.
REFERENCE = ("huaian", 2023)
REFERENCE_POPULATION = 4_550_000
# Round resident populations of the right size; other cities get the default.
POPULATION = {
    "nanjing": 9_500_000,
    "wuxi": 7_500_000,
    "xuzhou": 9_000_000,
    "changzhou": 5_400_000,
    "suzhou": 12_900_000,
    "nantong": 7_700_000,
    "lianyungang": 4_600_000,
    "huaian": 4_550_000,
    "yancheng": 6_700_000,
    "yangzhou": 4_600_000,
    "zhenjiang": 3_200_000,
    "taizhou": 4_500_000,
    "suqian": 5_000_000,
}
DEFAULT_POPULATION = 5_000_000
DEFAULT_MAGNITUDE = {
    Indicator.Kind.COUNT: Decimal(1000),
    Indicator.Kind.RATE: Decimal("90.00"),
    Indicator.Kind.DURATION: Decimal("10.00"),
    Indicator.Kind.RATIO: Decimal("5.00"),
}
BATCH = 1000

Kind = CheckRule.Kind
Role = CheckOperand.Role
Type = AppealCount.AppealType

# Units every city has: (name after the city's, as the report writes it, kind).
CITY_UNITS = [
    ("公安局", "市公安局", Department.Kind.GOVERNMENT),
    ("住房和城乡建设局", "市住建局", Department.Kind.GOVERNMENT),
    ("卫生健康委员会", "市卫健委", Department.Kind.GOVERNMENT),
    ("交通运输局", "市交通运输局", Department.Kind.GOVERNMENT),
    ("人力资源和社会保障局", "市人社局", Department.Kind.GOVERNMENT),
    ("市场监督管理局", "市市场监管局", Department.Kind.GOVERNMENT),
    ("生态环境局", "市生态环境局", Department.Kind.GOVERNMENT),
    ("城市管理局", "市城管局", Department.Kind.GOVERNMENT),
    ("教育局", "市教育局", Department.Kind.GOVERNMENT),
    ("自然资源和规划局", "市自然资源和规划局", Department.Kind.GOVERNMENT),
    ("水利局", "市水利局", Department.Kind.GOVERNMENT),
    ("农业农村局", "市农业农村局", Department.Kind.GOVERNMENT),
    ("民政局", "市民政局", Department.Kind.GOVERNMENT),
    ("医疗保障局", "市医保局", Department.Kind.GOVERNMENT),
    ("应急管理局", "市应急管理局", Department.Kind.GOVERNMENT),
    ("数据局", "市数据局", Department.Kind.GOVERNMENT),
    ("人民政府办公室", "市政府办公室", Department.Kind.GOVERNMENT),
    ("纪委监委", "市纪委监委", Department.Kind.DISCIPLINE),
    ("人民检察院", "市检察院", Department.Kind.PROCURATORATE),
    ("供电公司", "市供电公司", Department.Kind.STATE_ENTERPRISE),
]
DISTRICT_UNITS = [
    ("纪委", Department.Kind.DISCIPLINE),
    ("公安局", Department.Kind.GOVERNMENT),
    ("住建局", Department.Kind.GOVERNMENT),
]
DISTRICT_NAMES = [
    ("演示一区", Region.Level.DISTRICT),
    ("演示二区", Region.Level.DISTRICT),
    ("演示三区", Region.Level.DISTRICT),
    ("演示四县", Region.Level.COUNTY),
    ("演示五县", Region.Level.COUNTY),
]
PURPOSES = ["专项整治", "巡察监督", "案件办理", "行业分析", "民生实事评估", "信访研判"]
APPROVALS = ["市政务服务管理办公室审批", "分管领导签批", "数据共享联席会议审定", ""]
DOCUMENT_TITLES = [
    "关于进一步提升12345热线诉求办理质效的通知",
    "12345热线{year}年度工作要点",
    "关于建立12345热线与110高效对接联动机制的实施意见",
    "12345热线知识库管理办法",
    "关于开展“政风热线”上线直播工作的通知",
    "12345热线数据共享管理暂行办法",
    "关于加强涉企诉求快速响应的通知",
    "12345热线工单办理考核细则",
]


@dataclass
class Summary:
    reports: int = 0
    figures: int = 0
    appeal_counts: int = 0
    episodes: int = 0
    guests: int = 0
    sharing_requests: int = 0
    policy_documents: int = 0
    regions: int = 0
    departments: int = 0
    skipped: list[tuple[str, int]] = field(default_factory=list)


def cities_to_fill(spec: str) -> list[Region]:
    """`13` (the first 13 cities in the province's order) or `huaian,nanjing` (by slug)."""
    cities = Region.objects.cities().order_by("order", "slug")
    if spec.strip().isdigit():
        return list(cities[: int(spec)])
    slugs = [s.strip() for s in spec.split(",") if s.strip()]
    found = {c.slug: c for c in cities.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise Region.DoesNotExist(", ".join(missing))
    return [found[s] for s in slugs]


# -- The catalogue as the generator reads it ---------------------------------------------------


@dataclass
class Rule:
    kind: str
    target: str
    parts: list[str] = field(default_factory=list)  # sum: parts; ratio/share: [numerator]
    denominator: str | None = None  # an indicator code, or "population"
    scale: int = 1
    pairs: list[tuple[str, str]] = field(default_factory=list)  # weighted average (value, weight)


@dataclass
class Catalogue:
    indicators: list[Indicator]
    rules: list[Rule]
    record_targets: dict[str, str]  # indicator code -> CheckRule.RecordSource
    rankings: list[CheckRule]
    template: dict[str, tuple[Decimal | None, int, str]]  # code -> (value, decimals, text)

    @classmethod
    def load(cls) -> Catalogue:
        indicators = list(Indicator.objects.select_related("table"))
        reference = {
            f.indicator.code: (f.value, f.decimals, f.text)
            for f in Figure.private_objects.filter(
                report__region__slug=REFERENCE[0], report__year=REFERENCE[1]
            ).select_related("indicator")
        }
        rules, record_targets, rankings = [], {}, []
        for rule in (
            CheckRule.objects.active()
            .select_related("target")
            .prefetch_related("operands__indicator")
        ):
            operands = list(rule.operands.all())

            def code(op):
                return op.indicator.code if op.indicator_id else "population"

            def by(role, ops=operands):
                return [code(op) for op in sorted(ops, key=lambda o: o.order) if op.role == role]

            if rule.kind == Kind.RECORD_COUNT:
                record_targets[rule.target.code] = rule.record_source
            elif rule.kind == Kind.RANKING:
                rankings.append(rule)
            elif rule.kind == Kind.SUM:
                rules.append(Rule(Kind.SUM, rule.target.code, parts=by(Role.PART)))
            elif rule.kind in {Kind.SHARE, Kind.RATIO}:
                numerator = by(Role.PART if rule.kind == Kind.SHARE else Role.NUMERATOR)
                [denominator] = by(Role.DENOMINATOR) or [None]
                rules.append(Rule(Kind.RATIO, rule.target.code, numerator, denominator, rule.scale))
            elif rule.kind == Kind.WEIGHTED_AVERAGE:
                pairs = list(zip(by(Role.VALUE), by(Role.WEIGHT), strict=False))
                rules.append(Rule(Kind.WEIGHTED_AVERAGE, rule.target.code, pairs=pairs))
        template = {i.code: _template(i, indicators, reference) for i in indicators}
        return cls(indicators, rules, record_targets, rankings, template)


def _template(indicator, indicators, reference) -> tuple[Decimal | None, int, str]:
    """The reference value of an indicator, or of the same column in another row ("—" in the
    reference is not a magnitude), or a default for its kind."""
    value, decimals, text = reference.get(indicator.code, (None, 0, ""))
    if value is not None or indicator.kind == Indicator.Kind.TEXT:
        return value, decimals, text or "优秀"
    for other in indicators:
        same_column = (other.column_group, other.column_label) == (
            indicator.column_group,
            indicator.column_label,
        )
        if other.table_id == indicator.table_id and same_column and other != indicator:
            value, decimals, _text = reference.get(other.code, (None, 0, ""))
            if value is not None:
                return value, decimals, ""
    default = DEFAULT_MAGNITUDE[indicator.kind]
    return default, 0 if indicator.kind == Indicator.Kind.COUNT else 2, ""


# -- Values ------------------------------------------------------------------------------------


def quantize(value, decimals: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def level(seed, city: Region, year: int) -> float:
    """How big a city's figures are in a year, relative to the reference report: its
    population, and a yearly trend walked from 2023."""
    population = POPULATION.get(city.slug, DEFAULT_POPULATION)
    walk = 0.0
    step = 1 if year >= REFERENCE[1] else -1
    for y in range(REFERENCE[1], year, step):
        growth = random.Random(f"{seed}:{city.slug}:trend:{y}").uniform(-0.06, 0.10)
        walk += math.log1p(growth) * step
    return population / REFERENCE_POPULATION * math.exp(walk)


def split(total: int, weights: list[float]) -> list[int]:
    """Whole parts in proportion to the weights that add up to the total exactly."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    if not sum(weights):
        weights = [1.0] * len(weights)
    shares = [total * w / sum(weights) for w in weights]
    parts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


class Values:
    """The figures of one made-up report, solved against the catalogue's rules."""

    def __init__(self, catalogue: Catalogue, rng: random.Random, scale: float, population):
        self.catalogue = catalogue
        self.rng = rng
        self.population = Decimal(population)
        self.kind = {i.code: i.kind for i in catalogue.indicators}
        self.decimals: dict[str, int] = {}
        self.drawn: dict[str, Decimal] = {}
        self.value: dict[str, Decimal] = {}
        self.text: dict[str, str] = {}
        for indicator in catalogue.indicators:
            self._draw(indicator, scale)

    def _draw(self, indicator, scale):
        code, kind = indicator.code, indicator.kind
        base, decimals, text = self.catalogue.template[code]
        if kind == Indicator.Kind.TEXT:
            self.text[code] = text if self.rng.random() < 0.8 else "良好"
            return
        if kind == Indicator.Kind.COUNT:
            decimals = 0
            drawn = float(base) * scale * self.rng.uniform(0.9, 1.1)
        elif kind == Indicator.Kind.RATE:
            decimals = max(decimals, 2)
            drawn = min(100.0, float(base) * self.rng.uniform(0.97, 1.03))
        else:
            decimals = max(decimals, 2) if kind == Indicator.Kind.RATIO else decimals
            drawn = float(base) * self.rng.uniform(0.85, 1.15)
        self.decimals[code] = decimals
        self.drawn[code] = quantize(max(drawn, 0), decimals)

    def fix(self, code, value):
        self.value[code] = quantize(value, self.decimals[code])

    def get(self, code) -> Decimal:
        if code == "population":
            return self.population
        return self.value.get(code, self.drawn.get(code, Decimal(0)))

    def solve(self, records: dict[str, int]) -> None:
        """Record counts first; then the sums, one at a time, the most constrained first (a
        total known from elsewhere is split among its parts; an unknown one is the sum of
        parts as drawn); then rates and weighted averages from what the sums fixed."""
        for code, source in self.catalogue.record_targets.items():
            if code in self.decimals and records.get(source) is not None:
                self.fix(code, records[source])
        sums = [r for r in self.catalogue.rules if r.kind == Kind.SUM]
        targets = {r.target for r in self.catalogue.rules}
        inner = {p for r in sums for p in r.parts}  # totals that are parts of a bigger total

        def free(rule):
            return all(p not in targets and p not in self.value for p in rule.parts)

        def priority(rule):
            if not all(p in self.value or p not in targets for p in rule.parts):
                return 9  # a part still waits for its own total
            if all(p in self.value for p in rule.parts):
                return 0
            if rule.target in self.value:
                return 1
            if any(o.target == rule.target and not free(o) for o in pending if o is not rule):
                return 8  # let the rule whose parts are totals themselves fix the total
            return 2 if rule.target in inner else 3

        pending = list(sums)
        while pending:
            rule = min(pending, key=priority)
            self._sum(rule)
            pending.remove(rule)
        for rule in self.catalogue.rules:
            if rule.kind == Kind.RATIO:
                self._ratio(rule)
            elif rule.kind == Kind.WEIGHTED_AVERAGE:
                self._weighted(rule)

    def _sum(self, rule: Rule):
        parts = [p for p in rule.parts if p in self.decimals]
        if rule.target not in self.decimals:
            return
        unfixed = [p for p in parts if p not in self.value]
        if rule.target not in self.value:
            for part in unfixed:
                self.fix(part, self.drawn[part])
            self.fix(rule.target, sum((self.value[p] for p in parts), Decimal(0)))
            return
        if not unfixed:
            return
        remainder = self.value[rule.target] - sum(
            (self.value[p] for p in parts if p in self.value), Decimal(0)
        )
        whole = all(self.kind[p] == Indicator.Kind.COUNT for p in unfixed)
        if whole:
            shares = split(max(int(remainder), 0), [float(self.drawn[p]) for p in unfixed])
        else:
            weight = sum(self.drawn[p] for p in unfixed) or Decimal(1)
            shares = [max(remainder, Decimal(0)) * self.drawn[p] / weight for p in unfixed]
        for part, share in zip(unfixed, shares, strict=True):
            self.fix(part, share)
        if not whole:  # the last part takes the rounding, so that the sum is exact
            last = unfixed[-1]
            others = sum((self.value[p] for p in parts if p != last), Decimal(0))
            self.fix(last, max(self.value[rule.target] - others, Decimal(0)))

    def _ratio(self, rule: Rule):
        [numerator] = rule.parts
        denominator = self.get(rule.denominator)
        if rule.target not in self.decimals or not denominator:
            return
        if rule.scale == 100 and numerator not in self.value:
            # A percentage: the part is at most its whole, in the drawn proportion.
            drawn_whole = self.drawn.get(rule.denominator) or denominator
            proportion = min(self.drawn[numerator] / drawn_whole, Decimal(1))
            self.fix(numerator, denominator * proportion)
        value = self.get(numerator) / denominator * rule.scale
        if self.kind[rule.target] == Indicator.Kind.RATE:
            value = min(value, Decimal(100))
        self.fix(rule.target, value)

    def _weighted(self, rule: Rule):
        weights = sum((self.get(w) for _v, w in rule.pairs), Decimal(0))
        if rule.target in self.decimals and weights:
            total = sum((self.get(v) * self.get(w) for v, w in rule.pairs), Decimal(0))
            self.fix(rule.target, total / weights)

    def figures(self) -> dict[str, tuple[Decimal | None, int, str]]:
        out = {code: (self.get(code), self.decimals[code], "") for code in self.decimals}
        out |= {code: (None, 0, text) for code, text in self.text.items()}
        return out


def change(indicator: Indicator, value, prior) -> Decimal | None:
    """The published change on last year, as the report prints it."""
    if value is None or prior is None:
        return None
    if indicator.change_kind == Indicator.ChangeKind.POINTS:
        return quantize(value - prior, 2)
    if prior == 0:
        return None
    return quantize((value / prior - 1) * 100, 2)


# -- Places: districts and units the records refer to ------------------------------------------


@dataclass
class Places:
    districts: list[Region]
    city_units: list[Department]
    units_by_region: dict[int, list[Department]]


def ensure_places(cities: Iterable[Region], summary: Summary) -> dict[int, Places]:
    """Districts and units for each city: the real ones where they exist, made-up ones
    (marked synthetic) where they do not."""
    places = {}
    for city in cities:
        districts = list(Region.objects.filter(parent=city))
        if not districts:
            districts = Region.objects.bulk_create(
                Region(
                    slug=f"{city.slug}-demo-{n}",
                    name=name,
                    name_en=f"Demo district {n}",
                    level=level_,
                    parent=city,
                    order=900 + n,
                    is_synthetic=True,
                )
                for n, (name, level_) in enumerate(DISTRICT_NAMES, start=1)
            )
            summary.regions += len(districts)
        wanted = [
            Department(
                region=city,
                name=f"{city.name}{suffix}",
                short_name=short,
                kind=kind,
                is_synthetic=True,
            )
            for suffix, short, kind in CITY_UNITS
        ] + [
            Department(region=d, name=f"{d.name}{suffix}", kind=kind, is_synthetic=True)
            for d in districts
            for suffix, kind in DISTRICT_UNITS
        ]
        regions = [city, *districts]
        existing = {(d.region_id, d.name): d for d in Department.objects.filter(region__in=regions)}
        new = [d for d in wanted if (d.region_id, d.name) not in existing]
        Department.objects.bulk_create(new)
        summary.departments += len(new)
        units = {(d.region_id, d.name): d for d in new} | existing
        by_region = defaultdict(list)
        for unit in wanted:
            by_region[unit.region_id].append(units[(unit.region_id, unit.name)])
        places[city.pk] = Places(districts, by_region[city.pk], by_region)
    return places


# -- Generating --------------------------------------------------------------------------------


def generate(
    cities: list[Region],
    years: list[int],
    *,
    sharing_requests: int = 100_000,
    seed: int = 12345,
    on_report: Callable[[int, int], None] | None = None,
) -> Summary:
    """Made-up reports for every city and year given, skipping city-years that have one."""
    summary = Summary()
    catalogue = Catalogue.load()
    years = sorted(years)
    taken = set(
        AnnualReport.private_objects.filter(region__in=cities, year__in=years).values_list(
            "region__slug", "year"
        )
    )
    plan = [(c, y) for c in cities for y in years if (c.slug, y) not in taken]
    summary.skipped = sorted(taken)
    requests = split(sharing_requests, [level(seed, c, y) for c, y in plan])
    per_report = dict(zip(plan, requests, strict=True))
    with transaction.atomic():
        places = ensure_places(cities, summary)
        freshness.changed(freshness.REFERENCE)
    methods = list(SharingMethod.objects.all())
    categories = list(AppealCategory.objects.all())
    done = 0
    for city in cities:
        prior = _stored_synthetic_figures(city, years[0] - 1)
        for year in years:
            if (city.slug, year) in taken:
                # Another run's made-up year goes on; a real report is never a base.
                prior = _stored_synthetic_figures(city, year)
                continue
            with transaction.atomic():
                prior = _make_report(
                    city,
                    year,
                    seed=seed,
                    catalogue=catalogue,
                    places=places[city.pk],
                    methods=methods,
                    categories=categories,
                    sharing_requests=per_report[(city, year)],
                    prior=prior,
                    summary=summary,
                )
                freshness.cities_changed([city.slug])  # written in bulk: no receiver saw it
            done += 1
            if on_report:
                on_report(done, len(plan))
    return summary


def _stored_synthetic_figures(city, year) -> dict[str, Decimal | None] | None:
    report = AnnualReport.private_objects.synthetic().filter(region=city, year=year).first()
    if report is None:
        return None
    return dict(report.figures.values_list("indicator__code", "value"))


def _date_in(rng, year) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def _make_report(
    city, year, *, seed, catalogue, places, methods, categories, sharing_requests, prior, summary
):
    rng = random.Random(f"{seed}:{city.slug}:{year}")
    scale = level(seed, city, year)
    population = round(POPULATION.get(city.slug, DEFAULT_POPULATION) * rng.uniform(0.99, 1.01))
    [report] = AnnualReport.private_objects.bulk_create(
        [
            AnnualReport(
                region=city,
                year=year,
                title=f"{TITLE_PREFIX}{city.name}12345热线{year}年度工作情况",
                status=AnnualReport.Status.PUBLISHED,
                population=population,
                population_source=POPULATION_SOURCE,
                source=SOURCE.format(seed=seed),
                published_at=datetime.datetime(year + 1, 3, 1, tzinfo=datetime.UTC),
                is_synthetic=True,
            )
        ]
    )
    summary.reports += 1

    episodes, guests, broadcast = _episodes(rng, report, places)
    documents = _policy_documents(rng, report, city, places)
    requests, shared_records = _sharing_requests(
        rng, report, city, places, methods, categories, sharing_requests
    )
    records = {
        CheckRule.RecordSource.EPISODES: len(episodes),
        CheckRule.RecordSource.EPISODE_APPEALS: broadcast["received"],
        CheckRule.RecordSource.EPISODE_ANSWERED: broadcast["answered"],
        CheckRule.RecordSource.EPISODE_SUPERVISED: broadcast["supervised"],
        CheckRule.RecordSource.POLICY_DOCUMENTS: len(documents),
        CheckRule.RecordSource.SHARING_RECORDS: shared_records,
    }
    values = Values(catalogue, rng, scale, population)
    # Figures no rule ties to the records, but that the records still say.
    for code, value in {
        "livestream.officials": guests["all"],
        "livestream.principal_officials": guests["principal"],
        "livestream.hot_topics": sum(e.hot_topics_published for e in episodes),
        "livestream.policy_qa": sum(e.policy_qa_published for e in episodes),
    }.items():
        if code in values.decimals:
            values.fix(code, value)
    values.solve(records)

    by_code = {i.code: i for i in catalogue.indicators}
    figures = []
    current = {}
    for code, (value, decimals, text) in values.figures().items():
        indicator = by_code[code]
        current[code] = value
        published_change = change(indicator, value, (prior or {}).get(code))
        figures.append(
            Figure(
                report=report,
                indicator=indicator,
                value=value,
                decimals=decimals,
                text=text,
                change=published_change,
                change_decimals=2 if published_change is not None else 0,
            )
        )
    Figure.private_objects.bulk_create(figures, batch_size=BATCH)
    summary.figures += len(figures)
    summary.appeal_counts += _appeal_counts(rng, report, values, places, categories)
    summary.episodes += len(episodes)
    summary.guests += guests["all"]
    summary.policy_documents += len(documents)
    summary.sharing_requests += requests
    return current


def _episodes(rng, report, places):
    count = rng.randint(40, 60)
    spacing = 365 // count
    episodes = [
        LivestreamEpisode(
            report=report,
            number=n,
            aired_on=datetime.date(report.year, 1, 3) + datetime.timedelta(days=(n - 1) * spacing),
            title=f"第{n}期 · {unit.short_name or unit.name}上线",
            appeals_received=0,
            answered_on_air=rng.randint(1, 8),
            supervised_after=rng.randint(0, 8),
            satisfaction_rate=quantize(rng.uniform(92, 100), 2),
            hot_topics_published=rng.randint(0, 3),
            policy_qa_published=rng.randint(0, 6),
        )
        for n, unit in enumerate(rng.choices(places.city_units, k=count), start=1)
    ]
    for episode in episodes:
        episode.appeals_received = episode.answered_on_air + episode.supervised_after
    LivestreamEpisode.private_objects.bulk_create(episodes, batch_size=BATCH)
    guests = []
    for episode in episodes:
        for i, unit in enumerate(rng.sample(places.city_units, rng.randint(1, 3))):
            guests.append(
                EpisodeGuest(
                    episode=episode,
                    department=unit,
                    position="局长" if i == 0 else "副局长",
                    is_principal=i == 0 and rng.random() < 0.4,
                )
            )
    EpisodeGuest.objects.bulk_create(guests, batch_size=BATCH)
    totals = {
        "received": sum(e.appeals_received for e in episodes),
        "answered": sum(e.answered_on_air for e in episodes),
        "supervised": sum(e.supervised_after for e in episodes),
    }
    return episodes, {"all": len(guests), "principal": sum(g.is_principal for g in guests)}, totals


def _policy_documents(rng, report, city, places):
    prefix = city.name.removesuffix("市")
    titles = rng.sample(DOCUMENT_TITLES, rng.randint(2, 6))
    documents = PolicyDocument.private_objects.bulk_create(
        PolicyDocument(
            report=report,
            order=n,
            title=title.format(year=report.year),
            doc_number=f"{prefix}政办发[{report.year}]{n * 7 + rng.randint(0, 6)}号",
            issued_on=_date_in(rng, report.year),
        )
        for n, title in enumerate(titles, start=1)
    )
    Through = PolicyDocument.issuers.through
    Through.objects.bulk_create(
        Through(policydocument_id=d.pk, department_id=unit.pk)
        for d in documents
        for unit in rng.sample(places.city_units, rng.randint(1, 2))
    )
    return documents


def _sharing_requests(rng, report, city, places, methods, categories, count):
    """The register of data shared, in batches; returns how many and the records shared."""
    shared = 0
    recipients = DataSharingRequest.recipients.through
    ways = DataSharingRequest.methods.through
    year = report.year
    for start in range(0, count, BATCH):
        batch = []
        for line in range(start + 1, min(start + BATCH, count) + 1):
            region = rng.choice(places.districts) if rng.random() < 0.7 else city
            has_period = rng.random() < 0.6
            period_start = datetime.date(year - rng.randint(0, 2), rng.randint(1, 12), 1)
            period_end = max(period_start, _date_in(rng, year))
            records = max(1, int(rng.lognormvariate(7, 1.6)))
            shared += records
            batch.append(
                DataSharingRequest(
                    report=report,
                    group_number=1 + (line - 1) // 3,
                    line=line,
                    region=region,
                    scope="、".join(c.name for c in rng.sample(categories, rng.randint(1, 3)))
                    + "工单",
                    period_start=period_start if has_period else None,
                    period_end=period_end if has_period else None,
                    records=records,
                    purpose=rng.choice(PURPOSES),
                    approval=rng.choice(APPROVALS),
                    delivered_on=_date_in(rng, year) if rng.random() < 0.5 else None,
                )
            )
        DataSharingRequest.private_objects.bulk_create(batch)
        recipients.objects.bulk_create(
            recipients(datasharingrequest_id=r.pk, department_id=unit.pk)
            for r in batch
            for unit in rng.sample(places.units_by_region[r.region_id], rng.randint(1, 2))
        )
        ways.objects.bulk_create(
            ways(datasharingrequest_id=r.pk, sharingmethod_id=m.pk)
            for r in batch
            for m in rng.sample(methods, rng.randint(1, 2))
        )
    return count, shared


def _appeal_counts(rng, report, values, places, categories) -> int:
    """TOP5 sources: departments share the appeals dispatched; categories split each type,
    with shares of the figure the catalogue's ranking rules take them of."""
    rows = []
    dispatched = int(values.get("appeals.total.dispatched"))
    units = rng.sample(places.city_units, min(15, len(places.city_units)))
    weights = sorted((rng.paretovariate(1.2) for _ in units), reverse=True)
    for unit, count in zip(units, split(int(dispatched * 0.7), weights), strict=True):
        rows.append(AppealCount(report=report, department=unit, count=count))
    bases = {
        Type.CONSULTATION: values.get("effectiveness.consultation.count"),
        Type.NON_CONSULTATION: values.get("effectiveness.non_consultation.count"),
    }
    by_category = defaultdict(int)
    for appeal_type, base in bases.items():
        weights = [rng.paretovariate(1.5) for _ in categories]
        for category, count in zip(categories, split(int(base), weights), strict=True):
            rows.append(_category_count(report, appeal_type, category, count, base))
            by_category[category] += count
    total = values.get("appeals.total.total")
    for category in categories:
        rows.append(_category_count(report, Type.ALL, category, by_category[category], total))
    AppealCount.private_objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _category_count(report, appeal_type, category, count, base):
    share = quantize(Decimal(count) / base * 100, 2) if base else None
    return AppealCount(
        report=report,
        appeal_type=appeal_type,
        category=category,
        count=count,
        published_share=share,
        share_decimals=2,
    )


# -- Clearing ----------------------------------------------------------------------------------


def clear() -> dict[str, int]:
    """Delete every synthetic report with its records, and the synthetic districts and units
    nothing else refers to. Nothing else is touched."""
    reports = AnnualReport.private_objects.synthetic()
    deleted = {}
    with transaction.atomic():
        cities = set(reports.values_list("region__slug", flat=True))
        # Raw deletes, child tables first: made-up rows have no history to keep, and
        # per-row delete signals would write a history row for each.
        steps = [
            (DataSharingRequest.recipients.through, "datasharingrequest__report__in"),
            (DataSharingRequest.methods.through, "datasharingrequest__report__in"),
            (DataSharingRequest, "report__in"),
            (PolicyDocument.issuers.through, "policydocument__report__in"),
            (PolicyDocument, "report__in"),
            (EpisodeGuest, "episode__report__in"),
            (LivestreamEpisode, "report__in"),
            (AppealCount, "report__in"),
            (Figure, "report__in"),
            (ReportEvent, "report__in"),
        ]
        for model, lookup in steps:
            queryset = model._default_manager.filter(**{lookup: reports.values("pk")})
            deleted[model._meta.label] = queryset._raw_delete(queryset.db)
        deleted["hotline.AnnualReport"] = reports._raw_delete(reports.db)
        units = Department.objects.filter(is_synthetic=True).filter(
            ~Exists(AppealCount.private_objects.filter(department=OuterRef("pk"))),
            ~Exists(EpisodeGuest.objects.filter(department=OuterRef("pk"))),
            ~Exists(
                DataSharingRequest.recipients.through.objects.filter(department=OuterRef("pk"))
            ),
            ~Exists(PolicyDocument.issuers.through.objects.filter(department=OuterRef("pk"))),
        )
        deleted["hotline.Department"] = units._raw_delete(units.db)
        regions = Region.objects.filter(is_synthetic=True).filter(
            ~Exists(Department.objects.filter(region=OuterRef("pk"))),
            ~Exists(DataSharingRequest.private_objects.filter(region=OuterRef("pk"))),
            ~Exists(AnnualReport.private_objects.filter(region=OuterRef("pk"))),
            ~Exists(Region.objects.filter(parent=OuterRef("pk"))),
        )
        deleted["hotline.Region"] = regions._raw_delete(regions.db)
        freshness.changed(freshness.REFERENCE)
        freshness.cities_changed(cities)
    return deleted
