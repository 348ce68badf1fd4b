"""Pages, API answers and text downloads are gzip-compressed for a client that accepts it, and
the page cache stays right: a copy stored for one client is served uncompressed to a client
without gzip, and every compressible answer varies on Accept-Encoding."""

import gzip
import re

import pytest
from django.utils.cache import has_vary_header

from ..jobs import get_pdf

pytestmark = pytest.mark.django_db

URL = "/reports/huaian/2023/"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def without_token(html: bytes) -> bytes:
    return CSRF.sub(b"", html)


def test_a_page_is_compressed_for_a_client_that_accepts_gzip_and_plain_for_others(client):
    compressed = client.get(URL, **GZIP)
    assert compressed.status_code == 200
    assert compressed["Content-Encoding"] == "gzip"
    assert has_vary_header(compressed, "Accept-Encoding")
    html = gzip.decompress(compressed.content)
    assert html.startswith(b"<!DOCTYPE html>")
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(html) / 4

    # The copy the first request stored, served to a client without gzip: plain.
    plain = client.get(URL)
    assert plain["X-Page-Cache"] == "hit"
    assert "Content-Encoding" not in plain
    assert has_vary_header(plain, "Accept-Encoding")
    assert without_token(plain.content) == without_token(html)

    # And compressed again, from the same stored copy.
    again = client.get(URL, **GZIP)
    assert again["X-Page-Cache"] == "hit" and again["Content-Encoding"] == "gzip"
    assert without_token(gzip.decompress(again.content)) == without_token(html)


def test_a_client_without_gzip_first_leaves_a_copy_others_get_compressed(client):
    plain = client.get(URL, HTTP_ACCEPT_ENCODING="identity")
    assert plain["X-Page-Cache"] == "miss" and "Content-Encoding" not in plain
    compressed = client.get(URL, **GZIP)
    assert compressed["X-Page-Cache"] == "hit" and compressed["Content-Encoding"] == "gzip"
    assert without_token(gzip.decompress(compressed.content)) == without_token(plain.content)


def test_a_compressed_page_still_answers_304_to_its_etag(client):
    first = client.get(URL, **GZIP)
    # The compressed body has a weak validator of the same page (RFC 9110 §8.8.1).
    assert first["ETag"].startswith('W/"')
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"], **GZIP)
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/api/v1/sharing-requests/?city=huaian&year=2023", "application/json"),
        ("/api/v1/sharing-requests/?city=huaian&year=2023&format=csv", "text/csv"),
        (URL + "tables/sharing-register.csv", "text/csv"),
        (URL + "tables/appeals.json", "application/json"),
    ],
)
def test_api_answers_and_text_downloads_are_compressed(client, url, kind):
    compressed = client.get(url, **GZIP)
    assert compressed.status_code == 200
    assert compressed["Content-Type"].startswith(kind)
    assert compressed["Content-Encoding"] == "gzip"
    assert has_vary_header(compressed, "Accept-Encoding")
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    assert gzip.decompress(body(compressed)) == body(plain)


@pytest.mark.parametrize("url", [URL + "report.pdf", URL + "tables/sharing-register.xlsx"])
def test_formats_compressed_already_are_sent_as_they_are(client, url):
    response = get_pdf(client, url, **GZIP) if url.endswith(".pdf") else client.get(url, **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert body(response)[:4] in (b"%PDF", b"PK\x03\x04")
