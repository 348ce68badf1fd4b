"""{% cached_url %} answers what {% url %} does, under whatever path the site is served."""

from django.template import Context, Template
from django.urls import set_script_prefix

TEMPLATE = Template(
    "{% load report_tags %}{% url 'reports:table-download' 'huaian' 2023 'appeals' 'csv' %} "
    "{% cached_url 'reports:table-download' 'huaian' 2023 'appeals' 'csv' %}"
)


def test_the_remembered_url_is_the_reversed_one_for_each_script_prefix():
    try:
        for prefix in ("/", "/hotline/", "/"):
            set_script_prefix(prefix)
            url, cached = TEMPLATE.render(Context()).split(" ")
            assert cached == url == f"{prefix}reports/huaian/2023/tables/appeals.csv"
    finally:
        set_script_prefix("/")


def test_the_remembered_url_is_escaped_once_as_the_tags_is():
    """The site's templates write {% cached_url %} where they wrote {% url %}: a URL with a
    character to escape (here from the path the site is served under) is escaped once."""
    try:
        set_script_prefix("/a&b/")
        url, cached = TEMPLATE.render(Context()).split(" ")
        assert cached == url == "/a&amp;b/reports/huaian/2023/tables/appeals.csv"
    finally:
        set_script_prefix("/")
