"""The API's JSON is written by orjson (api.renderers.JSONRenderer) for speed: it must be the
bytes REST framework's own renderer writes, for every answer and for any data an answer may
hold."""

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail

from api.renderers import JSONRenderer

from .endpoints import DETAILS, LISTS, results

JSON = "application/json"


def stock(data, media_type=JSON, context=None):
    return renderers.JSONRenderer().render(data, media_type, context or {})


texts = st.text(st.characters(exclude_categories=["Cs"]))  # JSON holds no lone surrogate
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    texts,
    texts.map(ErrorDetail),
    st.sampled_from(["\u2028", "a\u2029b", "\x00\x1f\x7f", '"\\/<>&', "淮安12345"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones())),
    st.times(),
    st.timedeltas(),
    st.uuids(),
    st.just(gettext_lazy("Published")),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.one_of(texts, st.integers(0, 99)), inner, max_size=5),
    ),
    max_leaves=30,
)


@given(documents)
def test_any_answer_is_written_as_rest_framework_writes_it(document):
    assert JSONRenderer().render(document, JSON, {}) == stock(document)


@pytest.mark.parametrize(
    "document",
    [2**64, -(2**63) - 1, {"n": [10**30]}],  # beyond orjson's integers: written as before
)
def test_what_orjson_cannot_write_is_left_to_rest_framework(document):
    assert JSONRenderer().render(document, JSON, {}) == stock(document)


def test_indented_json_is_left_to_rest_framework():
    document = {"城市": "huaian", "values": [Decimal("1.50"), datetime.date(2023, 1, 1)]}
    indented = JSONRenderer().render(document, "application/json; indent=2", {})
    assert indented == stock(document, "application/json; indent=2")
    assert indented.startswith(b'{\n  "')


@pytest.mark.django_db
def test_every_answer_of_the_api_is_the_bytes_rest_framework_writes(
    anonymous, reviewer, more_data, draft_2024
):
    for client in (anonymous, reviewer):
        answers = []
        for url in LISTS.values():
            listed = client.get(url)
            answers.append(listed)
            for row in results(listed)[:1]:
                if "id" in row and url.rstrip("/").rsplit("/", 1)[-1] in DETAILS:
                    answers.append(client.get(f"{url}{row['id']}/"))
        answers.append(client.get(LISTS["figures"] + "?year=1066"))  # a 400 naming the field
        answers.append(client.get(LISTS["figures"] + "999999999/"))  # a 404
        for answer in answers:
            assert answer["Content-Type"] == JSON
            context = answer.renderer_context
            assert isinstance(answer.accepted_renderer, JSONRenderer)
            assert answer.content == stock(answer.data, JSON, context), answer.request
