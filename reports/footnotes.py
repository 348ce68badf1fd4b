"""Per-figure footnotes beyond the figures' own notes: what the figure checks found.

The published value stays in the table; the footnote leads with the finding in plain words and
gives the arithmetic after it (`Discrepancy.working`, the one wording of a finding).
"""

from hotline.layout import Footnote


def check_footnotes(figures, checks) -> dict[int, list[Footnote]]:
    """Figure pk → footnotes for the figures of `figures` the checks disagree with."""
    found = checks.by_figure
    notes = {}
    for figure in figures:
        discrepancies = found.get(figure.indicator.code)
        if discrepancies:
            notes[figure.pk] = [Footnote(d.working, source="check") for d in discrepancies]
    return notes


def annotate_ranked_rows(rows, checks) -> None:
    """Give each ranked AppealCount the footnotes of the checks that disagree with it."""
    found = checks.by_appeal_count
    for row in rows:
        row.check_notes = [d.working for d in found.get(row.pk, [])]
