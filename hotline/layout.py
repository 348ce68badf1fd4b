"""The one layout of the printed report's tables: sections, row labels, grouped columns, cells.

The public report page, the admin's figure grid and the report workbook all lay their tables out
here, so the three cannot disagree. Pure functions over already-fetched indicators (with their
`table` and `table.section`) and figures: no queries. Two uses:

- `lay_out(indicators, figures)`: every indicator given, each cell with its figure or none; the
  figure grid and the workbook pass the whole catalogue, so that a new year can be filled in;
- `lay_out_figures(figures)`: only the cells that have figures (the public page); a table or a
  section without any is left out.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hotline.models.catalogue import is_english, translated

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """一 … 九十九, as the printed report numbers its sections."""
    tens, ones = divmod(number, 10)
    if not tens:
        return CHINESE_DIGITS[ones]
    prefix = CHINESE_DIGITS[tens] if tens > 1 else ""
    return prefix + "十" + (CHINESE_DIGITS[ones] if ones else "")


def section_number(section) -> str:
    """一、 as printed; 1. in English (and past what Chinese numerals the report would use)."""
    if not is_english() and 0 < section.number < 100:
        return f"{chinese_numeral(section.number)}、"
    return f"{section.number}. "


def section_heading(section) -> str:
    """一、企业群众诉求办理 as printed; 1. Appeal handling in English."""
    return section_number(section) + translated(section, "title")


@dataclass(frozen=True)
class Footnote:
    """A note under a table, marked on the cells it belongs to.

    `source` says where it comes from: "note" is the figure's own note (how a merged or shifted
    cell was read), "check" what the figure checks found (see reports.footnotes).
    """

    text: str
    source: str = "note"


@dataclass
class Column:
    key: tuple[str, str]  # (column_group, column_label) as stored: the workbook's marker
    group: str
    label: str
    unit: str  # the unit shared by every cell of the column, "" when mixed or none
    order: int


@dataclass
class HeaderCell:
    label: str
    unit: str = ""
    colspan: int = 1
    rowspan: int = 1
    scope: str = "col"
    start: int = 0  # the index of the first column it heads (the corner: 0 too)


@dataclass
class Cell:
    column: Column
    indicator: object | None = None  # None: the catalogue has no such cell
    figure: object | None = None  # None: no figure (not entered), not "printed —"
    footnotes: list[Footnote] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)  # the footnotes' numbers

    @property
    def unit(self) -> str:
        """The unit the cell names itself: only where its column's header cannot."""
        if self.indicator is None or self.column.unit:
            return ""
        return translated(self.indicator, "unit")


@dataclass
class Row:
    key: str  # row_label as stored: the workbook's marker
    label: str  # as shown: translated, or the default label of an unlabelled row
    cells: list[Cell]


@dataclass
class Table:
    table: object
    columns: list[Column]
    rows: list[Row]
    row_header: str
    has_row_header: bool
    column_headers: list[list[HeaderCell]]  # one row, or two when some columns are grouped
    colgroups: list[int]  # spans of the column groups after the row-header column
    footnotes: list[tuple[int, Footnote]]

    @property
    def code(self) -> str:
        return self.table.code

    @property
    def title(self) -> str:
        return translated(self.table, "title")

    @property
    def grouped(self) -> bool:
        return len(self.column_headers) > 1

    @property
    def header_rows(self) -> list[list[HeaderCell]]:
        """The column headers with the row header's corner cell spanning them."""
        if not self.has_row_header:
            return self.column_headers
        corner = HeaderCell(label=self.row_header, rowspan=len(self.column_headers))
        first, *rest = self.column_headers
        return [[corner, *first], *rest]


@dataclass
class Section:
    section: object
    heading: str
    tables: list[Table]


def lay_out(
    indicators: Iterable,
    figures: Iterable = (),
    *,
    default_row_label: str = "",
    footnotes: Mapping[int, list[Footnote]] | None = None,
) -> list[Section]:
    """The tables of `indicators`, by section, in the order of the printed report.

    `figures` are matched to their indicators by `indicator_id`; `footnotes` maps a figure's pk
    to more footnotes than its own note; `default_row_label` names a row printed without a label
    under a row header (设区市: the report's city).
    """
    by_table = defaultdict(list)
    tables, table_of = {}, {}
    for indicator in indicators:
        tables.setdefault(indicator.table_id, indicator.table)
        by_table[indicator.table_id].append(indicator)
        table_of[indicator.pk] = indicator.table_id
    # Each table is given its own figures: looking through all of them for each table was a
    # fifth of laying out a report.
    figures_of = defaultdict(list)
    for figure in figures:
        figures_of[table_of.get(figure.indicator_id)].append(figure)
    sections: dict[int, Section] = {}
    for table in sorted(tables.values(), key=lambda t: (t.section.number, t.order, t.code)):
        laid_out = lay_out_table(
            table,
            by_table[table.pk],
            figures_of[table.pk],
            default_row_label=default_row_label,
            footnotes=footnotes,
        )
        section = table.section
        if section.pk not in sections:
            sections[section.pk] = Section(section, section_heading(section), [])
        sections[section.pk].tables.append(laid_out)
    return list(sections.values())


def lay_out_figures(figures: Iterable, **kwargs) -> list[Section]:
    """Only the cells that have figures (each figure with its indicator, table and section)."""
    figures = list(figures)
    return lay_out([f.indicator for f in figures], figures, **kwargs)


def lay_out_table(
    table,
    indicators: Iterable,
    figures: Iterable = (),
    *,
    default_row_label: str = "",
    footnotes: Mapping[int, list[Footnote]] | None = None,
) -> Table:
    """One table: a row per row label, a column per (group, label), a cell per indicator."""
    table_pk = table.pk
    indicators = [i for i in indicators if i.table_id == table_pk]
    by_indicator = {f.indicator_id: f for f in figures}
    footnotes = footnotes or {}
    english = is_english()
    row_header = translated(table, "row_header", english)
    # A lone unlabelled row under a row header is the report's own (设区市: the city).
    default_row_label = default_row_label if row_header else ""

    rows: dict[str, Row] = {}
    row_order: dict[str, int] = {}
    columns: dict[tuple, Column] = {}
    units: dict[tuple, set] = defaultdict(set)
    for indicator in indicators:
        row_key = indicator.row_label
        if row_key not in rows:
            label = translated(indicator, "row_label", english) or default_row_label
            rows[row_key] = Row(key=row_key, label=label, cells=[])
        row_order[row_key] = min(row_order.get(row_key, indicator.row_order), indicator.row_order)
        column_key = (indicator.column_group, indicator.column_label)
        column = columns.get(column_key)
        if column is None:
            column = columns[column_key] = Column(
                key=column_key,
                group=translated(indicator, "column_group", english),
                label=translated(indicator, "column_label", english),
                unit="",
                order=indicator.column_order,
            )
        column.order = min(column.order, indicator.column_order)
        units[column_key].add(translated(indicator, "unit", english))

    ordered_columns = sorted(columns.values(), key=lambda c: (c.order, c.key))
    for column in ordered_columns:
        # In the header when the whole column shares it, else in each cell.
        column.unit = next(iter(units[column.key])) if len(units[column.key]) == 1 else ""
    position = {column.key: index for index, column in enumerate(ordered_columns)}
    ordered_rows = sorted(rows.values(), key=lambda r: (row_order[r.key], r.key))
    for row in ordered_rows:
        row.cells = [Cell(column) for column in ordered_columns]
    for indicator in indicators:
        cell = rows[indicator.row_label].cells[
            position[(indicator.column_group, indicator.column_label)]
        ]
        cell.indicator = indicator
        cell.figure = by_indicator.get(indicator.pk)

    numbers: dict[Footnote, int] = {}
    for row in ordered_rows:
        for cell in row.cells:
            figure = cell.figure
            if figure is None:
                continue
            note = translated(figure, "note", english)
            if note:
                cell.footnotes.append(Footnote(note))
            cell.footnotes.extend(footnotes.get(figure.pk, []))
            # The same note on several cells is one footnote with one number.
            cell.marks = [numbers.setdefault(f, len(numbers) + 1) for f in cell.footnotes]

    column_headers, colgroups = _headers(ordered_columns)
    return Table(
        table=table,
        columns=ordered_columns,
        rows=ordered_rows,
        row_header=row_header,
        has_row_header=bool(row_header) or any(row.label for row in ordered_rows),
        column_headers=column_headers,
        colgroups=colgroups,
        footnotes=[(number, footnote) for footnote, number in numbers.items()],
    )


def _headers(columns):
    """Header rows and colgroup spans: a group heads its adjacent columns, in a second row;
    a column without a group spans both rows."""
    runs = []  # (group, first column's index, [columns])
    for index, column in enumerate(columns):
        if column.group and runs and runs[-1][0] == column.group:
            runs[-1][2].append(column)
        else:
            runs.append((column.group, index, [column]))
    grouped = any(group for group, _start, _members in runs)
    depth = 2 if grouped else 1
    top, second = [], []
    for group, start, members in runs:
        if group:
            top.append(HeaderCell(group, colspan=len(members), scope="colgroup", start=start))
            second.extend(
                HeaderCell(c.label, unit=c.unit, start=start + offset)
                for offset, c in enumerate(members)
            )
        else:
            column = members[0]
            top.append(HeaderCell(column.label, unit=column.unit, rowspan=depth, start=start))
    return ([top, second] if grouped else [top]), [len(members) for _g, _s, members in runs]
