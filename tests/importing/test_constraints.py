"""The importer checks the models' own constraints in Python, with no query a row: it must
decide exactly as the database does, on every constraint of every record it imports."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from hotline.importing import constraints
from hotline.importing.columns import SPECS
from hotline.models import AppealCount, PolicyDocument

pytestmark = pytest.mark.django_db

MODELS = [spec.model for spec in SPECS.values()]


def samples(field):
    if isinstance(field, models.ForeignKey):
        values = [1]
    elif field.choices:
        values = [value for value, _label in field.choices]
    elif isinstance(field, models.DecimalField | models.IntegerField):
        values = [Decimal(v) for v in ("-100.5", "-100", "-1", "0", "1", "100", "100.5")]
    elif isinstance(field, models.DateField):
        values = [datetime.date(2020, 1, 1), datetime.date(2021, 1, 1)]
    else:
        values = ["", "优秀"]
    return [None, *values] if field.null else values


CASES = [
    (model, constraint) for model in MODELS for constraint in constraints.check_constraints(model)
]


@pytest.mark.parametrize(("model", "constraint"), CASES, ids=[c.name for _m, c in CASES])
def test_each_check_constraint_decides_as_the_database_does(model, constraint):
    names = sorted(constraints.fields_of(constraint.condition))
    fields = [model._meta.get_field(name) for name in names]
    checked = 0
    for values in itertools.product(*(samples(field) for field in fields)):
        instance = model(**{f.attname: v for f, v in zip(fields, values, strict=True)})
        try:
            constraint.validate(model, instance)
            database = True
        except ValidationError:
            database = False
        assert (constraints.evaluate(constraint.condition, instance) is not False) == database, (
            dict(zip(names, values, strict=True))
        )
        checked += 1
    assert checked > 1


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_constraint_of_an_imported_model_can_be_read(model):
    constraints.assert_supported(model)


def test_conditional_unique_keys_follow_their_condition():
    by_name = {c.name: c for c in constraints.unique_constraints(PolicyDocument)}
    unique = by_name["policy_unique_doc_number"]
    assert constraints.unique_key(unique, PolicyDocument(report_id=1, doc_number="")) is None
    assert constraints.unique_key(unique, PolicyDocument(report_id=1, doc_number="X")) == (1, "X")
    by_name = {c.name: c for c in constraints.unique_constraints(AppealCount)}
    count = AppealCount(report_id=1, appeal_type="all", category_id=3)
    assert constraints.unique_key(by_name["appealcount_one_per_department"], count) is None
    assert constraints.unique_key(by_name["appealcount_one_per_category"], count) == (1, "all", 3)
