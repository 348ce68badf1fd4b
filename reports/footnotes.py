"""Per-figure footnotes beyond the figures' own notes.

The figure checks (totals against their parts, shares against their counts, changes against
last year's figures) are being built on another branch. When they land, `check_footnotes`
returns their findings for a report here, as Footnote(text, source="check") per figure pk, and
every table, the PDF and the downloads show them under the table. Until then it returns
nothing: no check result is made up here.
"""

from .grid import Footnote


def check_footnotes(report, figures) -> dict[int, list[Footnote]]:
    return {}
