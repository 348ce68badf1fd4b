"""Pages, API answers and text downloads are gzip-compressed for a client that accepts it, and
the page cache stays right: a copy stored for one client is served uncompressed to a client
without gzip, and every compressible answer varies on Accept-Encoding."""

import gzip
import re

import pytest
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token, get_token
from django.utils.cache import has_vary_header

from hotline import caching
from hotline.middleware import CompressionMiddleware

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


def test_a_stored_page_is_compressed_once_and_sent_as_kept(client):
    """A cached page carries no reader's secret, so every reader gets the copy compressed when
    it was stored: compressing a 100 kB page on each hit halved the cached page's throughput
    for browsers (Django pads each compression with random bytes, so copies made per hit
    differ)."""
    miss = client.get(URL, **GZIP)
    hits = [client.get(URL, **GZIP) for _ in range(3)]
    assert miss["X-Page-Cache"] == "miss"
    assert {h["X-Page-Cache"] for h in hits} == {"hit"}
    assert {h.content for h in hits} == {miss.content}
    for hit in hits:
        assert hit["Content-Encoding"] == "gzip" and hit["ETag"].startswith('W/"')
        assert int(hit["Content-Length"]) == len(hit.content)
        assert has_vary_header(hit, "Accept-Encoding")
    assert gzip.decompress(hits[0].content) == client.get(URL).content


def test_a_stored_page_with_a_readers_token_is_compressed_for_each_reader(rf):
    """A page with a form keeps each reader's own CSRF token (test_page_cache), so its
    compressed body is made for each reader, padded against BREACH, never kept."""

    def page(request):
        field = f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">'
        return HttpResponse(("<p>表单</p>" * 100 + field).encode())

    def served(request):
        CsrfViewMiddleware(lambda r: None).process_request(request)
        response = caching.fetch_or_render(
            request, caching.page_key(request, "v1"), lambda: page(request)
        )
        compressed = CompressionMiddleware(lambda r: response).process_response(request, response)
        return compressed, request.META["CSRF_COOKIE"]

    (first, first_secret), (hit, secret) = (served(rf.get(URL, **GZIP)) for _ in range(2))
    assert (first["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert hit["Content-Encoding"] == "gzip" and hit.compressed is None
    token = re.search(rb'value="([^"]+)"', gzip.decompress(hit.content))[1].decode()
    assert _unmask_cipher_token(token) == secret != first_secret


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
