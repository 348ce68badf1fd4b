import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from hotline.models import AnnualReport, Figure

from . import factories as f

pytestmark = pytest.mark.django_db

Status = AnnualReport.Status
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>")  # a Content-Security-Policy is coming


@pytest.fixture
def catalogue():
    _section, _tables, indicators = f.make_appeals_table()
    return indicators


@pytest.fixture
def report():
    return f.make_report()


def grid_url(report):
    return reverse("admin:hotline_annualreport_figures", args=[report.pk])


def cell_html(page, indicator):
    match = re.search(rf'<td id="cell-{indicator.pk}".*?</td>', page, re.S)
    assert match, f"no cell for {indicator.code}"
    return match.group(0)


def posted(response):
    """What the browser sends back for the page as drawn: every input and its hidden initial."""
    data = {}
    for cell in response.context["grid"].cells:
        form = cell.form
        for name in form.fields:
            value = form.initial.get(name, "")
            data[form.add_prefix(name)] = value
            data[form.add_initial_prefix(name)] = value
    return data


def typed(data, indicator, value=None, change=None, note=None):
    for name, text in (("value", value), ("change", change), ("note", note)):
        if text is not None:
            data[f"f{indicator.pk}-{name}"] = text
    return data


def in_language(message, language="zh-hans"):
    with translation.override(language):
        return translation.gettext(message)


def test_the_report_page_links_to_the_grid(admin_client, report):
    page = admin_client.get(reverse("admin:hotline_annualreport_change", args=[report.pk]))
    assert grid_url(report) in page.content.decode()


def test_it_lays_out_a_table_like_the_printed_one(admin_client, catalogue, report):
    page = admin_client.get(grid_url(report)).content.decode()
    table = re.search(r"<table[^>]*>\s*<caption>测试诉求办理</caption>.*?</table>", page, re.S)
    assert table
    table = re.sub(r"\s+", " ", table.group(0))
    # Corner cell and a plain column span both header rows; the group spans its columns.
    assert '<th scope="col" rowspan="2">诉求类别</th>' in table
    assert (
        '<th scope="col" rowspan="2">诉求总量<span class="hotline-unit">(件)</span></th>' in table
    )
    assert '<th scope="colgroup" colspan="2">诉求来源</th>' in table
    assert '<th scope="col">电话<span class="hotline-unit">(件)</span></th>' in table
    assert '<th scope="col">互联网<span class="hotline-unit">(件)</span></th>' in table
    assert table.index("电话") < table.index("互联网")
    assert '<th scope="row">群众诉求</th>' in table
    assert table.index("群众诉求") < table.index("企业诉求")
    assert table.count("<tr>") == 4  # two header rows, two rows
    assert table.count('<td id="cell-') == 6
    assert not INLINE_SCRIPT.search(page)


def test_a_table_without_groups_has_one_header_row(admin_client, catalogue, report):
    page = admin_client.get(grid_url(report)).content.decode()
    table = re.search(r"<caption>测试话务</caption>.*?</table>", page, re.S).group(0)
    table = re.sub(r"\s+", " ", table)
    assert "rowspan" not in table
    assert '<th scope="col">30秒人工接通率<span class="hotline-unit">(%)</span></th>' in table
    assert '<th scope="col">话务类别</th>' in table
    # 接听 has no text cell and 呼出 only the text cell: the missing ones stay empty.
    assert table.count("<td></td>") == 3


def test_a_cell_says_how_its_change_is_read(admin_client, catalogue, report):
    page = admin_client.get(grid_url(report)).content.decode()
    assert in_language("change (points)") in cell_html(page, catalogue["rate"])
    assert in_language("change (%)") in cell_html(page, catalogue["people_total"])
    assert 'name="f{}-change"'.format(catalogue["safety"].pk) not in page  # a text has none


def test_it_prefills_values_with_their_printed_decimals(admin_client, catalogue, report):
    f.make_figure(
        report,
        catalogue["rate"],
        value=Decimal("92.3"),
        decimals=2,
        change=Decimal("18.14"),
        change_decimals=2,
        note="接听口径",
    )
    f.make_figure(
        report, catalogue["people_total"], value=1438746, change=Decimal("-8.77"), change_decimals=2
    )
    f.make_figure(report, catalogue["people_web"])  # printed "—"
    f.make_figure(report, catalogue["safety"], text="优秀")
    page = admin_client.get(grid_url(report)).content.decode()

    rate = cell_html(page, catalogue["rate"])
    assert 'value="92.30"' in rate and 'value="+18.14"' in rate
    assert 'title="接听口径"' in rate and "接听口径</textarea>" in rate
    total = cell_html(page, catalogue["people_total"])
    assert 'value="1438746"' in total and 'value="-8.77"' in total
    assert 'value="—"' in cell_html(page, catalogue["people_web"])
    assert 'value="优秀"' in cell_html(page, catalogue["safety"])
    assert "value=" not in cell_html(page, catalogue["people_phone"]).split("<textarea")[0]


def test_it_saves_values_as_people_type_them(admin_client, catalogue, report):
    f.make_figure(report, catalogue["firms_total"], value=11953)
    data = posted(admin_client.get(grid_url(report)))
    typed(data, catalogue["people_total"], "1,438,746", "↓8.77%")
    typed(data, catalogue["rate"], "92.30%", "↑18.14%")
    typed(data, catalogue["duration"], "２０３", "下降12.12%")
    typed(data, catalogue["people_web"], "—")
    typed(data, catalogue["firms_total"], "")  # emptied: now not reported
    typed(data, catalogue["safety"], "优秀")
    response = admin_client.post(grid_url(report), data)
    assert response.status_code == 302, response.context and response.context["grid"].error_summary

    figures = {fig.indicator_id: fig for fig in Figure.private_objects.filter(report=report)}
    total = figures[catalogue["people_total"].pk]
    assert (total.value, total.decimals, total.change, total.change_decimals) == (
        1438746,
        0,
        Decimal("-8.77"),
        2,
    )
    rate = figures[catalogue["rate"].pk]
    assert (rate.value, rate.decimals, rate.printed_value) == (Decimal("92.3"), 2, Decimal("92.30"))
    assert rate.change == Decimal("18.14") and rate.kind == "rate"
    assert figures[catalogue["duration"].pk].value == 203
    assert figures[catalogue["duration"].pk].change == Decimal("-12.12")
    web = figures[catalogue["people_web"].pk]
    assert web.value is None and web.text == "" and not web.is_reported
    assert figures[catalogue["firms_total"].pk].value is None
    assert figures[catalogue["safety"].pk].text == "优秀"
    # Untouched empty cells get no row: "not entered" is not "printed —".
    assert catalogue["people_phone"].pk not in figures
    assert catalogue["firms_web"].pk not in figures
    assert len(figures) == 6
    assert rate.history.first().history_user.username == "admin"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("6" in message for message in messages)  # five new, one emptied


def test_unchanged_cells_are_not_saved_again(admin_client, catalogue, report):
    figure = f.make_figure(report, catalogue["people_total"], value=1, note="第一行\n第二行")
    data = posted(admin_client.get(grid_url(report)))
    data[f"f{catalogue['people_total'].pk}-note"] = "第一行\r\n第二行"  # as browsers post it
    admin_client.post(grid_url(report), data)
    assert figure.history.count() == 1


def test_the_typed_decimals_are_kept(admin_client, catalogue, report):
    f.make_figure(report, catalogue["rate"], value=Decimal("92.30"), decimals=2)
    data = typed(posted(admin_client.get(grid_url(report))), catalogue["rate"], "92.3")
    admin_client.post(grid_url(report), data)
    figure = Figure.private_objects.get(report=report, indicator=catalogue["rate"])
    assert (figure.decimals, figure.printed_value) == (1, Decimal("92.3"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_refuses_bad_cells_and_saves_nothing(admin_client, catalogue, report, language):
    admin_client.cookies["django_language"] = language
    f.make_figure(report, catalogue["people_total"], value=5)
    data = posted(admin_client.get(grid_url(report)))
    typed(data, catalogue["people_total"], "6")  # valid, but must not be saved alone
    typed(data, catalogue["rate"], "101")
    typed(data, catalogue["people_phone"], "-5")
    typed(data, catalogue["firms_phone"], "1.5")
    typed(data, catalogue["duration"], "abc")
    response = admin_client.post(grid_url(report), data)

    assert response.status_code == 200
    assert Figure.private_objects.get(report=report, indicator=catalogue["people_total"]).value == 5
    assert Figure.private_objects.filter(report=report).count() == 1
    page = response.content.decode()
    rate_message = in_language("A rate must be between 0 and 100.", language)
    negative_message = in_language("A figure cannot be negative.", language)
    whole_message = in_language("A count is a whole number.", language)
    assert rate_message in cell_html(page, catalogue["rate"])
    assert negative_message in cell_html(page, catalogue["people_phone"])
    assert whole_message in cell_html(page, catalogue["firms_phone"])
    assert "“abc”" in cell_html(page, catalogue["duration"])
    assert "errors" in cell_html(page, catalogue["rate"]).split(">")[0]
    assert "errors" not in cell_html(page, catalogue["people_total"]).split(">")[0]
    # What was typed stays in the inputs.
    assert 'value="101"' in cell_html(page, catalogue["rate"])
    # The summary names the row and the column.
    summary = re.search(r'<div class="errornote".*?</div>', page, re.S).group(0)
    assert f"群众诉求 · 诉求来源 · 电话: {negative_message}" in summary
    assert f"接听 · 30秒人工接通率: {rate_message}" in summary
    assert f'href="#cell-{catalogue["rate"].pk}"' in summary


def test_a_change_below_minus_100_is_refused(admin_client, catalogue, report):
    data = typed(
        posted(admin_client.get(grid_url(report))), catalogue["people_total"], "1", "↓120%"
    )
    page = admin_client.post(grid_url(report), data).content.decode()
    # The model escapes its % for Django, which formats constraint messages.
    message = in_language("A change cannot fall by more than 100%%.") % {}
    assert message in cell_html(page, catalogue["people_total"])
    assert not Figure.private_objects.filter(report=report).exists()


def test_a_cell_changed_meanwhile_is_not_overwritten(admin_client, catalogue, report):
    figure = f.make_figure(report, catalogue["people_total"], value=1)
    data = posted(admin_client.get(grid_url(report)))
    Figure.private_objects.filter(pk=figure.pk).update(value=2)  # someone else saved first
    typed(data, catalogue["people_total"], "3")
    response = admin_client.post(grid_url(report), data)
    assert response.status_code == 200
    figure.refresh_from_db()
    assert figure.value == 2
    assert "“2”" in cell_html(response.content.decode(), catalogue["people_total"])

    # The page is drawn again with 2 as the value shown: saving again means it.
    again = typed(posted(response), catalogue["people_total"], "3")
    assert admin_client.post(grid_url(report), again).status_code == 302
    figure.refresh_from_db()
    assert figure.value == 3


def test_a_cell_not_typed_in_keeps_what_someone_else_saved(admin_client, catalogue, report):
    figure = f.make_figure(report, catalogue["people_total"], value=1)
    data = posted(admin_client.get(grid_url(report)))
    Figure.private_objects.filter(pk=figure.pk).update(value=2)
    typed(data, catalogue["firms_total"], "4")
    assert admin_client.post(grid_url(report), data).status_code == 302
    figure.refresh_from_db()
    assert figure.value == 2


def test_inputs_missing_from_a_post_change_nothing(admin_client, catalogue, report):
    f.make_figure(report, catalogue["people_total"], value=1)
    data = typed({}, catalogue["firms_total"], "4")
    assert admin_client.post(grid_url(report), data).status_code == 302
    assert Figure.private_objects.get(report=report, indicator=catalogue["people_total"]).value == 1
    assert Figure.private_objects.get(report=report, indicator=catalogue["firms_total"]).value == 4


def test_the_grid_of_a_published_report_is_read_only(client, reviewer_user, catalogue):
    report = f.make_report(status=Status.PUBLISHED)
    with f.as_drafts(report):
        f.make_figure(report, catalogue["people_total"], value=1)
    client.force_login(reviewer_user)
    page = client.get(grid_url(report)).content.decode()
    assert 'type="submit" class="default"' not in page
    total = cell_html(page, catalogue["people_total"])
    assert "disabled" in total
    assert "csrfmiddlewaretoken" not in page.split('<form method="post" novalidate>')[1]
    data = typed({}, catalogue["people_total"], "2")
    assert client.post(grid_url(report), data).status_code == 403
    assert Figure.private_objects.get(report=report).value == 1

    page = client.get(reverse("admin:hotline_annualreport_change", args=[report.pk]))
    assert in_language("View figures") in page.content.decode()


def test_the_grid_is_read_only_without_the_change_permission(client, django_user_model, catalogue):
    report = f.make_report()
    user = django_user_model.objects.create_user("viewer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_annualreport", "view_figure"])
    )
    client.force_login(user)
    page = client.get(grid_url(report)).content.decode()
    assert "disabled" in cell_html(page, catalogue["people_total"])
    assert client.post(grid_url(report), {}).status_code == 403


def test_data_entry_edits_the_grid_of_a_draft(client, data_entry_user, catalogue, report):
    client.force_login(data_entry_user)
    data = typed(posted(client.get(grid_url(report))), catalogue["people_total"], "7")
    assert client.post(grid_url(report), data).status_code == 302
    assert Figure.private_objects.get(report=report).value == 7


def test_the_grid_needs_a_staff_login(client, report):
    response = client.get(grid_url(report))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_an_unknown_report_redirects(admin_client):
    response = admin_client.get(reverse("admin:hotline_annualreport_figures", args=[999999]))
    assert response.status_code == 302


def test_the_query_count_does_not_grow_with_indicators(
    admin_client, django_assert_num_queries, catalogue, report
):
    f.make_figure(report, catalogue["people_total"], value=1)
    admin_client.get(grid_url(report))
    # session, user, report (with region), the catalogue (indicators with tables and sections),
    # figures, and the figure checks' six: rules, operands, last year's report, figures, appeal
    # counts and record counts; and the reference version their figures' indicators are kept by
    # (hotline.reference), read from the database since this test's transaction wrote versions
    with django_assert_num_queries(12):
        admin_client.get(grid_url(report))
    _section, (table, _calls), more = f.make_appeals_table()
    for n in range(10):
        f.make_indicator(table, row_label=f"新行{n}")
    f.make_figure(report, more["rate"], value=1)
    # the same, and the indicators again: the new ones moved the reference version
    with django_assert_num_queries(13):
        response = admin_client.get(grid_url(report))
    assert len(response.context["grid"].cells) >= 2 * 9 + 10


def test_a_staff_users_grid_adds_only_the_permission_queries(
    client, data_entry_user, django_assert_num_queries, catalogue, report
):
    client.force_login(data_entry_user)
    client.get(grid_url(report))
    # session, user, the user's and the groups' permissions, report, the catalogue, figures,
    # the six of the figure checks, and the reference version (as above)
    with django_assert_num_queries(14):
        client.get(grid_url(report))
