"""A report table as a grid: rows × columns with grouped column headers, as printed.

Pure functions over already-fetched figures (with `indicator`, `indicator.table` and
`indicator.table.section` loaded): no queries, so that the public pages, the PDF, the downloads
and the admin can all lay a table out the same way.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from hotline.models.catalogue import translated


@dataclass(frozen=True)
class Footnote:
    """A note under a table, marked on the cells it belongs to.

    `source` says where it comes from: "note" is the figure's own note (how a merged or shifted
    cell was read); the figure checks will add "check" footnotes (see reports.footnotes).
    """

    text: str
    source: str = "note"


@dataclass
class Column:
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


@dataclass
class Cell:
    column: Column
    figure: object | None = None  # None: the template has no such cell (not "not reported")
    footnotes: list[Footnote] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)

    @property
    def show_unit(self):
        """A cell names its unit only where its column header cannot."""
        return self.figure is not None and not self.column.unit


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Grid:
    table: object
    columns: list[Column]
    header_rows: list[list[HeaderCell]]
    colgroups: list[int]  # spans of <colgroup> elements after the row-header column
    rows: list[Row]
    has_row_header: bool
    row_header: str
    footnotes: list[tuple[int, Footnote]]

    @property
    def code(self):
        return self.table.code


def _unit(indicator):
    return translated(indicator, "unit")


def build_grid(
    table,
    figures: Iterable,
    *,
    extra_footnotes: Mapping[int, list[Footnote]] | None = None,
    default_row_label: str = "",
    label: Callable = translated,
) -> Grid:
    """Lay out one table's figures.

    `extra_footnotes` maps a figure's pk to more footnotes; `default_row_label` names a row
    printed without a label under a row header (设区市: the report's city).
    """
    figures = [f for f in figures if f.indicator.table_id == table.pk]
    extra_footnotes = extra_footnotes or {}

    row_header = label(table, "row_header")
    # A lone unlabelled row under a row header is the report's own (设区市: the city).
    default_row_label = default_row_label if row_header else ""
    row_keys: dict[tuple, str] = {}
    col_keys: dict[tuple, Column] = {}
    units: dict[tuple, set] = {}
    by_cell = {}
    for figure in sorted(figures, key=lambda f: (f.indicator.row_order, f.indicator.column_order)):
        ind = figure.indicator
        row_key = (ind.row_order, ind.row_label)
        col_key = (ind.column_group, ind.column_label)
        row_keys.setdefault(row_key, label(ind, "row_label") or default_row_label)
        column = col_keys.get(col_key)
        if column is None:
            column = col_keys[col_key] = Column(
                group=label(ind, "column_group"),
                label=label(ind, "column_label"),
                unit="",
                order=ind.column_order,
            )
        column.order = min(column.order, ind.column_order)
        units.setdefault(col_key, set()).add(_unit(ind))
        by_cell[(row_key, col_key)] = figure

    ordered_cols = sorted(col_keys.items(), key=lambda kv: (kv[1].order, kv[0]))
    for key, column in ordered_cols:
        column_units = units[key]
        column.unit = next(iter(column_units)) if len(column_units) == 1 else ""
    columns = [column for _, column in ordered_cols]

    has_row_header = bool(row_header) or any(row_keys.values())

    numbers: dict[Footnote, int] = {}
    rows = []
    for row_key in sorted(row_keys):
        cells = []
        for col_key, column in ordered_cols:
            figure = by_cell.get((row_key, col_key))
            cell = Cell(column=column, figure=figure)
            if figure is not None:
                if figure.note:
                    cell.footnotes.append(Footnote(figure.note))
                cell.footnotes.extend(extra_footnotes.get(figure.pk, []))
            for footnote in cell.footnotes:
                # The same note on several cells is one footnote with one number.
                cell.marks.append(numbers.setdefault(footnote, len(numbers) + 1))
            cells.append(cell)
        rows.append(Row(label=row_keys[row_key], cells=cells))

    header_rows, colgroups = _header(columns, row_header if has_row_header else None)
    return Grid(
        table=table,
        columns=columns,
        header_rows=header_rows,
        colgroups=colgroups,
        rows=rows,
        has_row_header=has_row_header,
        row_header=row_header,
        footnotes=[(n, f) for f, n in numbers.items()],
    )


def _runs(columns):
    """Consecutive columns of the same (non-empty) group, as (group, [columns])."""
    runs = []
    for column in columns:
        if column.group and runs and runs[-1][0] == column.group:
            runs[-1][1].append(column)
        else:
            runs.append((column.group, [column]))
    return runs


def _header(columns, row_header):
    runs = _runs(columns)
    grouped = any(group for group, _ in runs)
    depth = 2 if grouped else 1
    top, second = [], []
    if row_header is not None:
        top.append(HeaderCell(label=row_header, rowspan=depth))
    for group, members in runs:
        if group:
            top.append(HeaderCell(label=group, colspan=len(members), scope="colgroup"))
            second.extend(HeaderCell(label=c.label, unit=c.unit) for c in members)
        else:
            top.append(HeaderCell(label=members[0].label, unit=members[0].unit, rowspan=depth))
    return ([top, second] if grouped else [top]), [len(members) for _, members in runs]


def build_grids(tables: Iterable, figures: list, **kwargs) -> list[Grid]:
    """Every table that has figures, in catalogue order."""
    used = {f.indicator.table_id for f in figures}
    return [build_grid(t, figures, **kwargs) for t in tables if t.pk in used]
