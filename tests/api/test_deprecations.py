"""A deprecated operation says so: in every answer's headers (RFC 9745's Deprecation, RFC 8594's
Sunset, a Link to the documentation) and in the schema. None is deprecated today; these tests
deprecate one for their own run."""

from datetime import date

import pytest
import yaml
from django.core.management import call_command

from api import deprecations

pytestmark = pytest.mark.django_db

FIGURES = deprecations.Deprecated("figure", "list", date(2026, 12, 1), sunset=date(2027, 12, 31))


@pytest.fixture
def figures_deprecated(monkeypatch):
    monkeypatch.setattr(deprecations, "DEPRECATED", (FIGURES,))


def test_every_answer_of_a_deprecated_operation_says_so(anonymous, figures_deprecated):
    for query in ["", "?format=csv", "?page_size=0"]:  # JSON, CSV, and a 400
        response = anonymous.get(f"/api/v1/figures/{query}")
        assert response["Deprecation"] == "@1796083200", query  # 2026-12-01, UTC
        assert response["Sunset"] == "Fri, 31 Dec 2027 00:00:00 GMT"
        assert response["Link"] == '</api/v1/docs/>; rel="deprecation"'
    assert anonymous.get("/api/v1/figures/").status_code == 200


def test_other_operations_are_not_deprecated(anonymous, figures_deprecated, report_2023):
    figure = report_2023.figures.first()
    assert "Deprecation" not in anonymous.get(f"/api/v1/figures/{figure.pk}/")
    assert "Deprecation" not in anonymous.get("/api/v1/regions/")


def test_no_operation_is_deprecated_today(anonymous):
    assert deprecations.DEPRECATED == ()
    assert "Deprecation" not in anonymous.get("/api/v1/figures/")


def test_the_schema_marks_the_deprecated_operation(tmp_path, figures_deprecated):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(path))
    paths = yaml.safe_load(path.read_text())["paths"]
    assert paths["/api/v1/figures/"]["get"]["deprecated"] is True
    assert "deprecated" not in paths["/api/v1/figures/"]["post"]
    assert "deprecated" not in paths["/api/v1/figures/{id}/"]["get"]
