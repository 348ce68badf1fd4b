"""Open data: the data dictionary, the Frictionless Data Package (validated with frictionless),
schema.org and DCAT metadata, the sitemap, robots.txt and the licence, through real HTTP."""

import csv
import io
import json
import re
import zipfile
from urllib.parse import urlsplit

import frictionless
import pytest
import rdflib
import rdflib.compare
from django.conf import settings as conf
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from hotline.models import AnnualReport

from ..jobs import get_pdf
from .factories import make_report

pytestmark = pytest.mark.django_db

REPORT = "/reports/huaian/2023/"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def path(url):
    return urlsplit(url).path


def body(response) -> bytes:
    """A response's bytes, whether rendered or sent from a file (the download store)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_header(client, url):
    response = client.get(path(url))
    assert response.status_code == 200, url
    content = body(response).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(content)))


def package(client, url=REPORT + "datapackage.json"):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def extracted(client, tmp_path, url=REPORT + "datapackage.zip"):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    return tmp_path / "datapackage.json"


# -- The data package ----------------------------------------------------------------------------


def test_the_2023_package_validates_with_frictionless(client, tmp_path):
    report = frictionless.validate(str(extracted(client, tmp_path)))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    names = [task.name for task in report.tasks]
    assert names[0] == "indicators"
    assert {"appeals", "calls", "top5-departments", "sharing-register", "episodes"} <= set(names)


def test_a_download_that_stops_matching_its_schema_fails_validation(client, tmp_path):
    descriptor = extracted(client, tmp_path)
    appeals = tmp_path / "data" / "huaian-2023-appeals.csv"
    text = appeals.read_text("utf-8-sig")
    first_value = text.splitlines()[1].split(",")[4]
    appeals.write_text(text.replace(f",{first_value},", ",-5,", 1), "utf-8-sig")
    report = frictionless.validate(str(descriptor))
    assert not report.valid
    errors = report.flatten(["type", "fieldName"])
    assert ["constraint-error", _("Value")] in errors


def test_an_indicator_missing_from_the_catalogue_breaks_the_foreign_key(client, tmp_path):
    descriptor = extracted(client, tmp_path)
    calls = tmp_path / "data" / "huaian-2023-calls.csv"
    calls.write_text(
        calls.read_text("utf-8-sig").replace("calls.inbound.calls_handled", "calls.made_up"),
        "utf-8-sig",
    )
    report = frictionless.validate(str(descriptor))
    assert ["foreign-key"] in report.flatten(["type"])


def test_the_package_describes_every_csv_download_as_it_is_served(client):
    data = package(client)
    assert data["name"] == "huaian-2023"
    assert data["homepage"] == "http://testserver" + REPORT
    assert data["licenses"][0]["name"] == "other-at"
    resources = {r["name"]: r for r in data["resources"]}
    assert len(resources) == 19  # the indicators, 13 figure tables, 2 TOP5s and 3 lists
    for resource in data["resources"]:
        header = csv_header(client, resource["path"])
        assert header == [f["name"] for f in resource["schema"]["fields"]], resource["name"]
    rate = next(
        f for f in resources["top5-categories"]["schema"]["fields"] if f["type"] == "number"
    )
    assert rate["constraints"] == {"minimum": 0, "maximum": 100}
    appeals = resources["appeals"]["schema"]
    assert appeals["primaryKey"] == [_("Indicator code")]
    assert appeals["foreignKeys"] == [
        {
            "fields": [_("Indicator code")],
            "reference": {"resource": "indicators", "fields": [_("Indicator code")]},
        }
    ]
    counts = next(
        f
        for f in resources["sharing-register"]["schema"]["fields"]
        if f["type"] == "integer" and f["title"].startswith("Appeal records")
    )
    assert counts["constraints"]["minimum"] == 0


def test_the_package_and_its_files_speak_the_readers_language(client):
    client.cookies["django_language"] = "en"
    data = package(client)
    appeals = next(r for r in data["resources"] if r["name"] == "appeals")
    assert appeals["schema"]["fields"][0]["name"] == "Indicator code"
    assert csv_header(client, appeals["path"])[0] == "Indicator code"


def test_generated_reports_have_valid_packages(client, tmp_path):
    """generate_demo's made-up reports (records of every kind, episodes included) and the
    tests' own."""
    call_command(
        "generate_demo",
        cities="nanjing",
        years=1,
        until=2023,
        sharing_requests=40,
        seed=7,
        verbosity=0,
    )
    make_report("wuxi", 2022, records=4)
    for url in ["/reports/nanjing/2023/datapackage.zip", "/reports/wuxi/2022/datapackage.zip"]:
        report = frictionless.validate(str(extracted(client, tmp_path / url[9:15], url)))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_a_draft_has_no_package_dictionary_or_metadata_for_the_public(client):
    make_report("nanjing", 2022, status=AnnualReport.Status.DRAFT)
    for url in [
        "datapackage.json",
        "datapackage.zip",
        "data/",
        "data/appeals/",
        "data/indicators.csv",
    ]:
        assert client.get("/reports/nanjing/2022/" + url).status_code == 404, url
    assert "nanjing" not in client.get("/catalog.jsonld").content.decode()
    assert "nanjing" not in client.get("/sitemap.xml").content.decode()


# -- The data dictionary -------------------------------------------------------------------------


def test_the_dictionary_covers_every_column_and_indicator_of_every_download(client):
    page = client.get(REPORT + "data/").content.decode()
    data = package(client)
    for resource in data["resources"][1:]:
        section = page.split(f'id="d-{resource["name"]}"')[1].split("</section>")[0]
        header = csv_header(client, resource["path"])
        documented = re.findall(
            r'<tr data-column="[^"]+">\s*<th scope="row"><code>[^<]+</code></th><td>([^<]*)</td>',
            section,
        )
        assert documented == header, resource["name"]
    indicators = {
        row[0]
        for resource in data["resources"][1:]
        if resource["schema"].get("foreignKeys")
        for row in list(
            csv.reader(io.StringIO(body(client.get(path(resource["path"]))).decode("utf-8-sig")))
        )[1:]
    }
    assert len(indicators) > 100
    assert set(re.findall(r'data-indicator="([^"]+)"', page)) == indicators


def test_the_dictionary_says_units_decimals_changes_and_check_rules(client):
    page = client.get(REPORT + "data/calls/").content.decode()
    row = page.split('data-indicator="calls.inbound.answer_rate_30s"')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[2].startswith("%")  # unit
    assert cells[4].strip() == "2"  # printed decimals: 92.30
    with translation.override("zh-hans"):
        assert cells[5].strip() == _("Change in percentage points")
    total = client.get(REPORT + "data/appeals/").content.decode()
    row = total.split('data-indicator="appeals.total.total"')[1].split("</tr>")[0]
    assert "appeals.total.by_source" in row  # the sum rule that relates it to its parts
    assert "—" in client.get(REPORT + "data/").content.decode()


def test_the_dictionary_has_chinese_and_english_meanings(client):
    page = client.get(REPORT + "data/sharing-register/").content.decode()
    row = page.split('data-column="records"')[1].split("</tr>")[0]
    assert "共享" in row and "Appeal records shared" in row
    assert client.get(REPORT + "data/no-such-table/").status_code == 404


def test_each_tables_download_links_lead_to_its_dictionary(client):
    page = client.get(REPORT).content.decode()
    for code in ["appeals", "calls", "top5-departments", "sharing-register", "policy-documents"]:
        assert f'href="{REPORT}data/{code}/"' in page, code
    assert client.get(REPORT + "data/top5-departments/").status_code == 200


def test_the_indicators_download_is_the_dictionary_as_a_table(client):
    response = client.get(REPORT + "data/indicators.json")
    rows = {r["code"]: r for r in response.json()["rows"]}
    rate = rows["calls.inbound.answer_rate_30s"]
    assert (rate["unit"], rate["decimals"], rate["table"]) == ("%", 2, "calls")


# -- Metadata ------------------------------------------------------------------------------------


def jsonld(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_a_report_page_carries_a_schema_org_dataset(client):
    data = jsonld(client.get(REPORT).content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Dataset"
    for key in ["name", "description", "url", "license", "publisher", "creator", "citation"]:
        assert data[key], key
    assert data["temporalCoverage"] == "2023-01-01/2023-12-31"
    assert data["spatialCoverage"]["name"] == "淮安市"
    assert len(data["description"]) >= 50  # what search engines ask of a description
    formats = {d["encodingFormat"]: d["contentUrl"] for d in data["distribution"]}
    assert formats["application/zip"] == "http://testserver" + REPORT + "datapackage.zip"
    assert {"text/csv", "application/json", "application/pdf"} <= set(formats)
    for url in formats.values():
        if url.endswith(".pdf"):
            get_pdf(client, path(url))  # made by a job: 202 first, then the file
        else:
            assert client.get(path(url)).status_code == 200, url


def test_a_draft_seen_by_staff_has_no_dataset_metadata(client, reviewer_user):
    make_report("nanjing", 2022, status=AnnualReport.Status.DRAFT)
    client.force_login(reviewer_user)
    page = client.get("/reports/nanjing/2022/").content.decode()
    assert "application/ld+json" not in page


def test_the_catalogue_is_dcat_rdf_of_the_published_reports(client):
    make_report("nanjing", 2022)
    response = client.get("/catalog.jsonld")
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.content, format="json-ld")
    datasets = set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    assert datasets == {
        rdflib.URIRef("http://testserver/reports/huaian/2023/"),
        rdflib.URIRef("http://testserver/reports/nanjing/2022/"),
    }
    for dataset in datasets:
        distributions = list(graph.objects(dataset, DCAT.distribution))
        urls = {str(graph.value(d, DCAT.downloadURL)) for d in distributions}
        assert str(dataset) + "datapackage.json" in urls


def test_the_catalogue_as_turtle_says_the_same(client):
    make_report("nanjing", 2022)
    response = client.get("/catalog.ttl")
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    turtle = rdflib.Graph().parse(data=response.content, format="turtle")
    jsonld = rdflib.Graph().parse(data=client.get("/catalog.jsonld").content, format="json-ld")
    assert rdflib.compare.isomorphic(turtle, jsonld)
    assert len(set(turtle.subjects(rdflib.RDF.type, DCAT.Dataset))) == 2
    assert not any(isinstance(node, rdflib.BNode) for triple in turtle for node in triple)
    with override_settings(PAGE_CACHE_SECONDS=0):
        # Rendered again, the same bytes: unchanged data makes an unchanged file.
        assert client.get("/catalog.ttl").content == response.content


def test_sitemap_and_robots(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in robots.content.decode()
    assert "Disallow: /admin/" in robots.content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    for url in ["/", REPORT, REPORT + "data/", "/reports/huaian/"]:
        assert f"<loc>http://testserver{url}</loc>" in sitemap


def test_metadata_is_cached_like_the_report_pages(client):
    for url in ["/catalog.jsonld", "/sitemap.xml", REPORT + "datapackage.json", REPORT + "data/"]:
        first = client.get(url)
        assert first["Cache-Control"] == "public, max-age=300"
        again = client.get(url, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304, url


# -- Licence and citation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", REPORT, REPORT + "tables/calls/", "/episodes/", REPORT + "data/"]
)
def test_every_page_states_the_licence(client, url):
    page = client.get(url).content.decode()
    assert 'class="licence"' in page
    with translation.override("zh-hans"):
        assert escape(str(conf.OPEN_DATA_LICENSE_TITLE)) in page


def test_a_licence_set_by_the_owner_is_shown_everywhere(client, settings):
    settings.OPEN_DATA_LICENSE = "CC-BY-4.0"
    settings.OPEN_DATA_LICENSE_TITLE = "Creative Commons Attribution 4.0"
    settings.OPEN_DATA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
    page = client.get(REPORT).content.decode()
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page
    assert jsonld(page)["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package(client)["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]


def test_a_report_page_says_how_to_cite_it(client):
    page = client.get(REPORT).content.decode()
    citation = page.split('class="citation">')[1].split("</dd>")[0]
    assert citation.startswith(
        "淮安市12345政务服务便民热线.《淮安市12345热线2023年度工作情况》（2023）. "
        "http://testserver/reports/huaian/2023/"
    )
    assert package(client)["citation"].endswith("http://testserver/reports/huaian/2023/")
