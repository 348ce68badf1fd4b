import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command

from hotline import roles


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the published 2023 Huai'an report, loaded as `make setup` does."""
    with django_db_blocker.unblock():
        call_command("load_fixtures", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test renders its pages afresh: the page cache is per process (LocMem) in tests."""
    from reports.caching import recent

    cache.clear()
    recent.clear()
    yield
    cache.clear()
    recent.clear()


def _staff(django_user_model, username, group_name):
    user = django_user_model.objects.create_user(username, password="pw-12345-test", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def data_entry_user(django_user_model):
    return _staff(django_user_model, "clerk", roles.DATA_ENTRY)


@pytest.fixture
def reviewer_user(django_user_model):
    return _staff(django_user_model, "reviewer", roles.REVIEWERS)


@pytest.fixture
def report_2023():
    from hotline.models import AnnualReport

    return AnnualReport.objects.get(region__slug="huaian", year=2023)
