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
