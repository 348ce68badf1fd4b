"""Random and hostile input to the API's writes (hypothesis): a 400 per field, never a 500,
never a partial write."""

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from hotline.models import Department, SharingMethod

from .test_writing import MODELS, NEW, url

# What a client may send in place of a field: the wrong type, huge and odd numbers, control
# characters, spreadsheet formulas, text mangled by the wrong encoding.
hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.sampled_from(
        ["=SUM(A1:A9)", "@cmd", "\x00", "1\x00", "1e308", "NaN", "-0", "淮安ã€é«˜", "锟斤拷"]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def stored(model):
    return model._default_manager.count()


@pytest.mark.parametrize("name", ["figures", "sharing-requests"])
@given(data=st.data())
@pytest.mark.django_db
def test_hostile_writes_are_refused_per_field_or_saved_whole(data, name, data_entry, draft_2024):
    payload = dict(NEW[name])
    fields = data.draw(st.sets(st.sampled_from(sorted(payload)), min_size=1, max_size=3))
    for field in fields:
        payload[field] = data.draw(hostile)
    model = MODELS[name]
    with transaction.atomic():
        before = stored(model)
        links = (Department.sharing_requests.through.objects.count(), SharingMethod.objects.count())
        response = data_entry.post(url(name), payload, format="json")
        assert response.status_code in (201, 400, 403, 404), response.content
        if response.status_code == 201:
            assert stored(model) == before + 1
        else:
            assert stored(model) == before  # nothing half-written
            assert (
                Department.sharing_requests.through.objects.count(),
                SharingMethod.objects.count(),
            ) == links
            if response.status_code == 400:
                assert isinstance(response.json(), dict) and response.json()
        transaction.set_rollback(True)
