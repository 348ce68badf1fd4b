"""Random and hostile query strings on the public pages: never a server error."""

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/compare/",
    "/compare.csv",
    "/episodes/",
    "/episodes.json",
    "/data-sharing/",
    "/data-sharing.csv",
    "/policies/",
    "/reports/huaian/",
    "/reports/huaian/2023/",
]
PARAMETERS = ["year", "city", "district", "department", "method", "indicator", "page", "format"]
values = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["2023", "huaian", "network", "0", "-1", "1e9", "=1+1", "\x00", "'", "%"]),
)


@given(
    path=st.sampled_from(PAGES),
    query=st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=4),
)
def test_filters_never_cause_a_server_error(client, path, query):
    response = client.get(path, query)
    assert response.status_code in (200, 404), response.status_code


@given(path=st.sampled_from(PAGES), raw=st.binary(max_size=40))
def test_query_strings_in_any_encoding_never_cause_a_server_error(client, path, raw):
    # Percent-encoded bytes that need not be UTF-8: GBK, Latin-1, broken sequences.
    response = client.get(f"{path}?year={quote_from_bytes(raw)}&city={quote_from_bytes(raw[::-1])}")
    assert response.status_code in (200, 404), response.status_code
