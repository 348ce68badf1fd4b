"""A Python client generated from the served schema (openapi-python-client), used unmodified
against a live server, as another agency would: a schema change that breaks it fails here."""

import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "hotline_api_client"


@pytest.fixture
def generated(live_server, tmp_path, monkeypatch):
    schema = httpx.get(f"{live_server.url}/api/v1/schema/?lang=en", timeout=60)
    assert schema.status_code == 200
    (tmp_path / "openapi.yaml").write_bytes(schema.content)
    bin_dir = Path(sys.executable).parent
    monkeypatch.setenv("PATH", f"{bin_dir}:{Path(shutil.which('sh') or '/bin/sh').parent}")
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(tmp_path / "openapi.yaml"),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [n for n in sys.modules if n.startswith(PACKAGE)]:
        del sys.modules[name]
    return importlib.import_module(PACKAGE)


def load(name):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_reads_and_writes(generated, live_server, reviewer_user):
    figures_list = load("api.figures.figures_list")
    figures_create = load("api.figures.figures_create")
    reports = {
        name: load(f"api.reports.reports_{name}")
        for name in ("retrieve", "checks_retrieve", "create", "submit_create", "publish_create")
    }
    auth_token_create = load("api.auth.auth_token_create")
    models = load("models")
    anonymous = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    # The 2023 figures, filtered and paged by cursor.
    first = figures_list.sync(
        client=anonymous, city=["huaian"], year=[2023], section=["appeals"], page_size=5
    )
    assert isinstance(first, models.PaginatedFigureList)
    assert len(first.results) == 5
    assert {figure.section for figure in first.results} == {"appeals"}
    cursor = parse_qs(urlparse(first.next_).query)["cursor"][0]
    second = figures_list.sync(
        client=anonymous,
        city=["huaian"],
        year=[2023],
        section=["appeals"],
        page_size=5,
        cursor=cursor,
    )
    assert {f.id for f in first.results}.isdisjoint(f.id for f in second.results)

    # A report and its checks.
    report = reports["retrieve"].sync("huaian", 2023, client=anonymous)
    assert (report.city, report.year, report.status.value) == ("huaian", 2023, "published")
    checks = reports["checks_retrieve"].sync("huaian", 2023, client=anonymous)
    assert checks.checks_made > 0

    # CSV, which the schema describes as text.
    csv = anonymous.get_httpx_client().get(
        "/api/v1/figures/", params={"format": "csv", "city": "huaian", "year": "2023"}
    )
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text.lstrip("\ufeff").startswith("id,city,year,indicator")

    # A reviewer's token; a draft, a figure in it, submitted and published.
    token = auth_token_create.sync(
        client=anonymous,
        body=models.TokenRequestRequest(username="reviewer", password="pw-12345-test"),
    )
    staff = generated.AuthenticatedClient(
        base_url=live_server.url, token=token.token, prefix="Token", raise_on_unexpected_status=True
    )
    draft = reports["create"].sync(
        client=staff, body=models.ReportRequest(city="huaian", year=2031)
    )
    assert (draft.year, draft.status.value) == (2031, "draft")
    figure = figures_create.sync(
        client=staff,
        body=models.FigureRequest(
            city="huaian", year=2031, indicator="appeals.public.total", value="1500000"
        ),
    )
    assert figure.printed_value == "1500000"
    assert reports["submit_create"].sync("huaian", 2031, client=staff).status.value == "review"
    published = reports["publish_create"].sync("huaian", 2031, client=staff)
    assert isinstance(published, models.Report), published
    assert published.status.value == "published"
