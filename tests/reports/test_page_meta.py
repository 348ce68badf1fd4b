"""Every public page describes itself to search engines, in the page's language."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/reports/huaian/2023/",
    "/reports/huaian/",
    "/compare/",
    "/episodes/",
    "/data-sharing/",
    "/policies/",
    "/reports/huaian/2023/tables/appeals/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_meta_description(client, url):
    html = client.get(url).content.decode()
    assert html.count('<meta name="description" content="') == 1
    assert '<meta name="description" content="">' not in html


def test_the_report_page_describes_the_report(client):
    html = client.get("/reports/huaian/2023/").content.decode()
    assert '<meta name="description" content="淮安市12345热线2023年度工作情况：' in html


def test_ensure_admin_speaks_chinese(capsys):
    from io import StringIO

    out = StringIO()
    call_command("ensure_admin", "--username", "chef", stdout=out)
    call_command("ensure_admin", "--username", "chef", stdout=out)
    text = out.getvalue()
    assert "已创建管理员账号“chef”" in text and "密码只显示这一次" in text
    assert "管理员账号“chef”已存在，密码未改动。" in text
