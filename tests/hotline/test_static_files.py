"""Static files: hashed names and a year of caching once collected, plain names before."""

import re

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.mark.django_db
def test_before_collectstatic_pages_link_plain_names(client):
    page = client.get("/").content.decode()
    assert 'href="/static/reports/site.css"' in page


@pytest.mark.django_db
def test_collected_files_have_hashed_names_that_browsers_keep_for_a_year(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()  # a new handler: whitenoise reads STATIC_ROOT when it starts

    page = client.get("/").content.decode()
    hashed = re.search(r'href="(/static/reports/site\.[0-9a-f]{12}\.css)"', page)
    assert hashed, "the page links site.css under its hashed name"
    response = client.get(hashed[1])
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]
    assert (
        b"".join(response.streaming_content)
        == (settings.BASE_DIR / "static/reports/site.css").read_bytes()
    )

    # A file without a hash in its name may change at the next release: kept briefly.
    plain = client.get("/static/reports/site.css")
    assert plain.status_code == 200 and "immutable" not in plain["Cache-Control"]
