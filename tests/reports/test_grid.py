"""The public page lays a table out from fetched figures alone; footnotes from the figure checks
plug in."""

import pytest
from django.utils import translation

from hotline.layout import lay_out_table
from hotline.models import AnnualReport, Figure, ReportTable
from reports import formatting

pytestmark = pytest.mark.django_db


def public_layout(table, figures):
    return lay_out_table(table, [f.indicator for f in figures], figures)


def figures_of(code):
    return list(
        Figure.private_objects.filter(
            report__year=2023, indicator__table__code=code
        ).select_related("indicator__table__section")
    )


def test_the_grid_groups_columns_as_printed(django_assert_num_queries):
    figures = figures_of("appeals")
    table = ReportTable.objects.get(code="appeals")
    with django_assert_num_queries(0):
        grid = public_layout(table, figures)
    top, second = grid.header_rows
    assert [(h.label, h.colspan, h.rowspan, h.scope) for h in top] == [
        ("诉求类别", 1, 2, "col"),
        ("诉求总量", 1, 2, "col"),
        ("诉求来源", 3, 1, "colgroup"),
        ("在线解答", 2, 1, "colgroup"),
        ("部门办理", 1, 2, "col"),
    ]
    assert [h.label for h in second] == ["电话", "互联网", "承办转办", "民生接听员", "政策专员"]
    assert grid.colgroups == [1, 3, 2, 1]
    assert [r.label for r in grid.rows] == ["群众诉求", "企业诉求", "总计"]
    assert all(c.unit == "件" for c in grid.columns)


def test_cells_the_template_lacks_are_empty_not_dashes():
    grid = public_layout(ReportTable.objects.get(code="effectiveness"), figures_of("effectiveness"))
    consultation = grid.rows[0]
    assert consultation.cells[0].figure.value == 696197
    assert consultation.cells[2].figure is None  # 回访征集评价 is stored in the total row


def test_one_note_on_several_cells_is_one_footnote():
    grid = public_layout(ReportTable.objects.get(code="qa_desk"), figures_of("qa_desk"))
    assert len(grid.footnotes) == 1
    total = grid.rows[-1]
    assert [c.marks for c in total.cells][2:] == [[1]] * 5


def test_the_figure_checks_are_footnotes_to_the_figures_concerned(client):
    """Published value kept in the cell, computed value and arithmetic in the footnote."""
    from hotline.checks import check_report
    from reports import footnotes

    figures = figures_of("calls")
    found = footnotes.check_footnotes(figures, check_report(figures[0].report, drafts=False))
    talk = next(f for f in figures if f.indicator.code == "calls.total.avg_talk_s")
    wait = next(f for f in figures if f.indicator.code == "calls.inbound.avg_wait_s")
    assert set(found) == {talk.pk}
    assert "(203 × 1,421,313 + 89 × 155,517) ÷ 1,576,830 = 191.76" in found[talk.pk][0].text
    html = client.get("/reports/huaian/2023/").content.decode()
    assert 'class="footnote footnote-check">' in html
    assert "191.76" in html and wait.pk not in found


def test_numbers_and_changes_are_written_for_the_language():
    figure = Figure.private_objects.select_related("indicator").get(
        report__year=2023, indicator__code="calls.inbound.answer_rate_30s"
    )
    with translation.override("zh-hans"):
        assert formatting.format_number(1438746) == "1,438,746"
        assert formatting.figure_text(figure) == "92.30"
    with translation.override("en"):
        assert formatting.change_text(figure) == "↑18.14 pp"
        assert formatting.figure_change(figure).spoken == "up on last year by"


def test_the_ranked_tables_carry_their_check_footnotes(client):
    html = client.get("/reports/huaian/2023/").content.decode()
    assert "302,015 + 153,544 = 455,559" in html
    assert "128,080 ÷ 754,502 = 16.98%" in html
    assert html.count('class="check-mark"') >= 2


def test_a_table_written_in_python_escapes_every_text_it_shows(client, reviewer_user):
    """The table is written by reports.formatting.grid_html, not a template: its title, row
    label, reading note and footnote are escaped as the template escaped them."""
    from tests.hotline import factories as f

    hostile = '<script>alert("x")</script>&'
    report = f.make_report()  # a draft, which staff see
    table = f.make_table(title=hostile, row_header="行", note=f"{hostile}\nsecond line")
    indicator = f.make_indicator(table, row_label=hostile)
    f.make_figure(report, indicator, value=1, decimals=0, note=hostile)
    client.force_login(reviewer_user)
    url = f"/reports/{report.region.slug}/{report.year}/tables/{table.code}/"
    html = client.get(url).content.decode()
    assert "<script>alert" not in html
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"
    assert f'<caption id="cap-{table.code}">{escaped}</caption>' in html
    assert f'<th scope="row">{escaped}</th>' in html
    assert f"{escaped}<br>second line</p>" in html  # the note's lines kept
    assert f'class="footnote footnote-note">{escaped}</li>' in html
    assert f'href="/reports/{report.region.slug}/{report.year}/tables/{table.code}.csv"' in html


def test_a_register_without_requests_says_so_and_its_rows_are_escaped(client, reviewer_user):
    """The register's rows are written by reports.formatting.register_rows_html."""
    from hotline.models import DataSharingRequest
    from tests.hotline import factories as f

    report = f.make_report()  # a draft, which staff see
    client.force_login(reviewer_user)
    url = f"/reports/{report.region.slug}/{report.year}/tables/sharing-register/"
    assert '<tr><td colspan="6">未报告数据共享。</td></tr>' in client.get(url).content.decode()
    DataSharingRequest.private_objects.create(
        report=report, group_number=2, line=1, region=report.region, scope="<i>范围</i>", records=7
    )
    html = client.get(url).content.decode()
    assert '<td class="num">②</td>' in html and "未报告数据共享" not in html
    assert f'<a href="/reports/{report.region.slug}/{report.year}/data-sharing/1/">' in html
    assert "&lt;i&gt;范围&lt;/i&gt;</a>" in html and "<i>范围" not in html


@pytest.mark.parametrize(
    "text",
    ['<script>alert("x")</script>', "a & b's", "&amp;", 12.5, None, "淮安<市>"],
)
def test_the_markup_writers_escape_as_django_does(text):
    """reports.formatting.escape (the tables', charts' and register's) writes what Django's
    escape() writes, a SafeString's text included, without its lazy-argument check."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    assert formatting.escape(text) == escape(text)
    assert formatting.escape(mark_safe(str(text))) == escape(mark_safe(str(text)))


def test_a_table_laid_out_in_english_has_the_english_labels():
    figures = figures_of("appeals")
    table = ReportTable.objects.get(code="appeals")
    with translation.override("en"):
        grid = public_layout(table, figures)
    indicator = figures[0].indicator
    shown = {(c.group, c.label) for c in grid.columns}
    assert (indicator.column_group_en or indicator.column_group,
            indicator.column_label_en or indicator.column_label) in shown  # fmt: skip
    with translation.override("zh-hans"):
        grid = public_layout(table, figures)
    assert (indicator.column_group, indicator.column_label) in {
        (c.group, c.label) for c in grid.columns
    }


# The rows of the TOP5 categories as the template wrote them before ranked_rows_html.
RANKED_ROWS_TEMPLATE = (
    "{% load report_tags %}{% for count in counts %}<tr>{% if forloop.first %}"
    '<th scope="rowgroup" rowspan="{{ counts|length }}">{{ appeal_type }}</th>{% endif %}'
    '<td class="num">{{ forloop.counter }}</td><th scope="row">{{ count.category|label:"name" }}'
    '</th><td class="num"><span class="value">{{ count.count|num }}</span></td><td class="num">'
    "{% if count.published_share is not None %}{{ count.printed_share|num }}{% else %}—"
    '{% endif %}{% for note in count.check_notes %}<sup class="check-mark" title="{{ note }}">'
    "⚠</sup>{% endfor %}</td></tr>{% endfor %}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_ranked_rows_are_written_as_the_template_wrote_them(language):
    """reports.formatting.ranked_rows_html writes the TOP5 categories' rows of a report's
    page: byte for byte the template's, with a share not published, a hostile name and the
    checks' marks among them."""
    from django.template import Context, Template

    from hotline.checks import check_report
    from reports.footnotes import annotate_ranked_rows
    from reports.selectors.report import top_categories

    report = AnnualReport.public_objects.get(region__slug="huaian", year=2023)
    groups = top_categories(report)
    annotate_ranked_rows(
        [c for _group, rows in groups for c in rows], check_report(report, drafts=False)
    )
    counts = [c for _group, rows in groups for c in rows]
    assert any(getattr(c, "check_notes", None) for c in counts)
    counts[0].published_share = None
    counts[1].category.name = counts[1].category.name_en = '<b>"x"</b> & y'
    with translation.override(language):
        for group, rows in groups:
            context = Context({"appeal_type": group, "counts": rows})
            assert formatting.ranked_rows_html(group, rows) == Template(
                RANKED_ROWS_TEMPLATE
            ).render(context)
