"""Per-figure footnotes beyond the figures' own notes: what the figure checks found.

The published value stays in the table; the footnote shows the computed value and the
arithmetic, so readers see both.
"""

from django.utils.translation import gettext as _

from hotline.checks import check_report

from .grid import Footnote


def check_footnotes(report, figures, checks=None) -> dict[int, list[Footnote]]:
    """Figure pk → footnotes for the figures of `figures` the checks disagree with."""
    found = (checks or check_report(report)).by_figure
    notes = {}
    for figure in figures:
        discrepancies = found.get(figure.indicator.code)
        if discrepancies:
            notes[figure.pk] = [Footnote(footnote_text(d), source="check") for d in discrepancies]
    return notes


def footnote_text(discrepancy) -> str:
    return _("Figure check: published %(published)s, computed %(computed)s (%(arithmetic)s).") % {
        "published": discrepancy.published,
        "computed": discrepancy.computed,
        "arithmetic": discrepancy.arithmetic,
    }


def annotate_ranked_rows(rows, checks) -> None:
    """Give each ranked AppealCount the footnotes of the checks that disagree with it."""
    found = checks.by_appeal_count
    for row in rows:
        row.check_notes = [footnote_text(d) for d in found.get(row.pk, [])]
