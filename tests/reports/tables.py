"""Rendered HTML tables as a screen reader or a spreadsheet would read them.

Spans are expanded, so every cell knows its column headers (thead, top to bottom) and its row
header (th scope=row or rowgroup). Screen-reader-only text, footnote marks and units are left
out of the text, so that a cell reads as it looks: "1,438,746 ↓8.77%".
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIP_CLASSES = {"visually-hidden", "fn-ref", "unit", "hotline-unit"}
VOID = {"br", "img", "input", "meta", "link", "col", "hr", "source", "wbr"}


@dataclass
class RawCell:
    tag: str
    attrs: dict
    part: str
    text: str = ""


@dataclass
class Table:
    name: str
    caption: str = ""
    rows: list = field(default_factory=list)  # [(part, [RawCell])]

    def matrix(self):
        grid, spans = [], {}
        for r, (part, cells) in enumerate(self.rows):
            row, c = [], 0
            pending = list(cells)
            while pending or any(k[0] == r and k[1] >= c for k in spans):
                if (r, c) in spans:
                    row.append(spans.pop((r, c)))
                    c += 1
                    continue
                if not pending:
                    break
                cell = pending.pop(0)
                colspan = int(cell.attrs.get("colspan", 1))
                rowspan = int(cell.attrs.get("rowspan", 1))
                for dc in range(colspan):
                    row.append(cell)
                    for dr in range(1, rowspan):
                        spans[(r + dr, c + dc)] = cell
                c += colspan
            grid.append((part, row))
        return grid

    def header_paths(self):
        grid = self.matrix()
        heads = [row for part, row in grid if part == "thead"]
        width = max(len(row) for _p, row in grid)
        paths = []
        for j in range(width):
            path = []
            for row in heads:
                if j < len(row) and row[j].text and (not path or path[-1] != row[j].text):
                    path.append(row[j].text)
            paths.append(tuple(path))
        return paths

    def body(self):
        """(row header, {column path: cell text}, [cells]) for each body row."""
        paths = self.header_paths()
        out = []
        for part, row in self.matrix():
            if part == "thead":
                continue
            headers = [
                c.text for c in row if c.tag == "th" and c.attrs.get("scope") in ("row", None)
            ]
            by_path = {}
            for j, cell in enumerate(row):
                if j < len(paths) and cell.tag == "td":
                    by_path[paths[j]] = cell
            out.append((headers[-1] if headers else "", by_path, row))
        return out

    def cell(self, row_label, *path):
        """The one cell in the row labelled `row_label` under the column headers `path`."""
        found = [
            by_path[tuple(path)]
            for label, by_path, _row in self.body()
            if label == row_label and tuple(path) in by_path
        ]
        assert len(found) == 1, f"{self.name}: {len(found)} cells at {row_label!r} × {path!r}"
        return found[0]


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.stack, self.table, self.part, self.cell = {}, [], None, None, None
        self.skip_depth = 0
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            return
        classes = set((attrs.get("class") or "").split())
        skipping = bool(classes & SKIP_CLASSES) or tag == "sup"
        self.stack.append((tag, skipping))
        if skipping:
            self.skip_depth += 1
        if tag == "table":
            self.table = Table(attrs.get("data-table") or attrs.get("id") or str(len(self.tables)))
            self.tables[self.table.name] = self.table
        elif self.table is None:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self.part = tag
        elif tag == "tr":
            self.table.rows.append((self.part or "tbody", []))
        elif tag in ("td", "th"):
            self.cell = RawCell(tag, attrs, self.part)
            self.table.rows[-1][1].append(self.cell)
        elif tag == "caption":
            self.in_caption = True

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            open_tag, skipping = self.stack.pop()
            if skipping:
                self.skip_depth -= 1
            if open_tag == tag:
                break
        if tag in ("td", "th") and self.cell is not None:
            self.cell.text = " ".join(self.cell.text.split())
            self.cell = None
        elif tag == "table":
            self.table = None
        elif tag == "caption":
            self.in_caption = False
        elif tag in ("thead", "tbody", "tfoot"):
            self.part = None

    def handle_data(self, data):
        if self.skip_depth:
            return
        if self.cell is not None:
            self.cell.text += data
        elif self.in_caption and self.table is not None:
            self.table.caption += data.strip()


def parse_tables(html: str) -> dict[str, Table]:
    parser = _Parser()
    parser.feed(html)
    return parser.tables
