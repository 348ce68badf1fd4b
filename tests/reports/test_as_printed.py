"""Rows read as the report printed them: the 行政层级, the units named and their order, the TOP5
group's heading, on every surface a row is shown (pages, downloads, API). The seed text is read
here on its own, not through the fixtures."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from hotline.models import DataSharingRequest, Department, PolicyDocument
from hotline.models.records import as_printed

from .tables import parse_tables

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR, "fixtures", "seed", "huaian-12345-2023-annual-report.txt")
URL = "/reports/huaian/2023/"


def printed_register():
    """(行政层级, [共享部门]) of each printed row, the blank level cells filled down."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("序号\t行政层级\t共享部门"))
    rows, level = [], ""
    for line in lines[start + 1 :]:
        cells = line.split("\t")
        if cells[0] == "总计":
            break
        level = cells[1].strip() or level
        rows.append((level, cells[2].split("、")))
    return rows


def printed_issuers():
    """The units of document 3, as the report writes them before 印发《…》."""
    text = SEED.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "涉企非警务诉求" in line)
    return line.split("印发")[0].strip().lstrip("0123456789.、（）() ").split("、")


def test_the_seed_is_read_as_the_issue_describes_it():
    rows = printed_register()
    assert len(rows) == 22
    assert rows[0] == ("市本级", ["市审计局"])
    assert rows[6][1][0] == "省委巡视组" and rows[17][1] == ["江苏省委巡视组"]
    assert rows[21][1] == ["盱眙县委政法委", "盱眙县公安局"]
    assert printed_issuers() == ["市委营商办", "市公安局", "市行政审批局"]


def page_register(html):
    """(行政层级, [共享部门]) of each row of the register table of a page."""
    table = parse_tables(html)["sharing-register"]
    out = []
    for part, row in table.matrix():
        if part != "tbody":
            continue
        out.append((row[1].text, row[2].text.split("、")))
    return out


def test_the_report_page_prints_the_register_as_printed(client):
    assert page_register(client.get(URL).content.decode()) == printed_register()


def test_the_register_page_prints_it_as_printed(client):
    html = client.get(URL + "tables/sharing-register/").content.decode()
    assert page_register(html) == printed_register()


def test_the_register_summary_names_the_city_level_as_printed(client):
    html = client.get(URL).content.decode()
    summary = next(t for t in parse_tables(html).values() if t.caption == "按行政层级")
    labels = [row[0].text for part, row in summary.matrix() if part == "tbody"]
    assert "市本级" in labels and "淮安市" not in labels


def test_the_record_list_and_a_record_show_the_row_as_printed(client):
    text = client.get("/data-sharing/?city=huaian&year=2023").content.decode()
    assert "省委巡视组、淮阴区委巡察组、淮阴区委营商办" in text
    assert "盱眙县委政法委、盱眙县公安局" in text
    assert "<td>淮安市</td><td>2023</td>\n      <td>市本级</td>" in text
    record = client.get(URL + "data-sharing/7/").content.decode()
    # As printed, and the unit it is, by its official name.
    assert "省委巡视组（江苏省委巡视组）" in record


def body(response):
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def download_rows(client, fmt):
    content = body(client.get(URL + f"tables/sharing-register.{fmt}"))
    if fmt == "json":
        rows = json.loads(content)["rows"]
        return [(r["region"], r["recipients"]) for r in rows]
    if fmt == "csv":
        reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        table = list(reader)
    else:
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        table = [[("" if c is None else str(c)) for c in r] for r in cells]
    head = next(i for i, r in enumerate(table) if "行政层级" in r)
    level, units = table[head].index("行政层级"), table[head].index("共享部门")
    return [(r[level], r[units].split("、")) for r in table[head + 1 :] if r[units]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_register_downloads_read_as_printed(client, fmt):
    assert download_rows(client, fmt) == printed_register()


def test_the_api_keeps_identity_and_gives_the_printed_row(client):
    rows = json.loads(
        client.get("/api/v1/sharing-requests/?city=huaian&year=2023&page_size=50").content
    )["results"]
    rows.sort(key=lambda r: r["line"])
    assert [(r["level_as_printed"], r["recipients_as_printed"]) for r in rows] == (
        printed_register()
    )
    assert rows[0]["region"] == "huaian"  # the identity, as before
    assert rows[6]["recipients"][0] == "江苏省委巡视组"
    assert rows[21]["recipients"] == ["盱眙县委政法委", "盱眙县公安局"]
    document = json.loads(client.get("/api/v1/policy-documents/?city=huaian&year=2023").content)[
        "results"
    ][2]
    assert document["issuers_as_printed"] == printed_issuers()
    assert document["issuers"] == ["淮安市委营商办", "淮安市公安局", "淮安市行政审批局"]


def test_search_and_joins_still_find_the_unit(client):
    team = Department.objects.get(name="江苏省委巡视组")
    lines = DataSharingRequest.public_objects.filter(recipients=team).values_list("line", flat=True)
    assert sorted(lines) == [7, 18]
    listed = client.get(f"/data-sharing/?department={team.pk}").content.decode()
    assert "省委巡视组、淮阴区委巡察组" in listed and "江苏省委巡视组" in listed


def test_the_policy_issuers_read_in_printed_order(client):
    page = client.get(URL).content.decode()
    assert "、".join(printed_issuers()) in page
    listed = client.get("/policies/?city=huaian&year=2023").content.decode()
    assert "、".join(printed_issuers()) in listed
    rows = json.loads(body(client.get(URL + "tables/policy-documents.json")))["rows"]
    assert rows[2]["issuers"] == printed_issuers()


def test_the_top5_group_of_all_appeals_is_headed_as_printed(client):
    html = client.get(URL).content.decode()
    table = next(t for t in parse_tables(html).values() if t.name == "top5-categories")
    groups = [row[0].text for part, row in table.matrix() if part == "tbody"]
    assert list(dict.fromkeys(groups)) == ["咨询类", "非咨询类", "总计"]
    rows = json.loads(body(client.get(URL + "tables/top5-categories.json")))["rows"]
    assert list(dict.fromkeys(r["appeal_type"] for r in rows)) == ["咨询类", "非咨询类", "总计"]


def test_stale_printed_text_gives_way_to_the_links():
    """A link changed without the printed text: every linked unit still shows, by its usual
    name; a name that is not one of the unit's is not shown."""
    police, committee = (Department.objects.get(name=n) for n in ("盱眙县公安局", "盱眙县委政法委"))
    printed = "盱眙县委政法委、盱眙县公安局"
    assert [n for n, _d in as_printed(printed, [police, committee])] == printed.split("、")
    assert [n for n, _d in as_printed(printed, [police])] == ["盱眙县公安局"]
    assert [n for n, _d in as_printed("政法委、盱眙县公安局", [police, committee])] == [
        "盱眙县公安局",
        "盱眙县委政法委",
    ]
    document = PolicyDocument.private_objects.get(report__year=2023, order=3)
    assert document.issuers_as_printed == ["市委营商办", "市公安局", "市行政审批局"]
