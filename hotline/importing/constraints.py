"""The models' own constraints, checked in Python on each row of a file.

Django validates a CheckConstraint or a UniqueConstraint with one query per constraint and row;
a file of 100,000 rows would make hundreds of thousands. The conditions are the ones written
in the models' Meta, evaluated here with SQL's three-valued logic (a comparison with NULL is
unknown, and a CHECK passes unless its condition is false), so the rules are written once.
Unique constraints are checked by the importer against keys loaded once per report, or per batch
for the lines it names (service.Run._loads_by_batch).
"""

import operator

from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, F, Q, UniqueConstraint

_OPERATORS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, choices: value in choices,
}


class Unsupported(Exception):
    """A condition this evaluator cannot read; the test suite checks that none is used."""


def _attname(model, name):
    if name == "pk":
        return model._meta.pk.attname
    return model._meta.get_field(name).attname


def _value(instance, value):
    if isinstance(value, F):
        return getattr(instance, _attname(type(instance), value.name))
    if hasattr(value, "resolve_expression"):
        raise Unsupported(value)
    return value


def _lookup(instance, lookup: str, value):
    name, _sep, op = lookup.partition("__")
    if op and op != "isnull" and op not in _OPERATORS:
        raise Unsupported(lookup)
    current = getattr(instance, _attname(type(instance), name))
    if op == "isnull":
        return (current is None) == bool(value)
    value = _value(instance, value)
    if current is None or value is None:
        return None
    return _OPERATORS[op or "exact"](current, value)


def evaluate(condition: Q, instance) -> bool | None:
    """True, False, or None for SQL's unknown."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, instance))
        else:
            results.append(_lookup(instance, *child))
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise Unsupported(condition.connector)
    if condition.negated and result is not None:
        result = not result
    return result


def fields_of(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= fields_of(child)
        else:
            lookup, value = child
            names.add(lookup.split("__")[0])
            if isinstance(value, F):
                names.add(value.name)
    return names


def check_constraints(model):
    return [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]


def unique_constraints(model) -> list[UniqueConstraint]:
    """The model's unique constraints, and its unique fields as constraints of one field."""
    constraints = [c for c in model._meta.constraints if isinstance(c, UniqueConstraint)]
    for field in model._meta.local_fields:
        if field.unique and not field.primary_key:
            constraints.append(UniqueConstraint(fields=[field.name], name=f"{field.name}_unique"))
    return constraints


def assert_supported(model):
    """Raise Unsupported now, not halfway through a file."""
    for constraint in model._meta.constraints:
        if getattr(constraint, "expressions", None):
            raise Unsupported(constraint.name)
        condition = getattr(constraint, "condition", None)
        if condition is not None:
            evaluate(condition, model())


def validate_checks(instance) -> list[tuple[list[str], str]]:
    """The check constraints the instance breaks: (the fields each names, its message)."""
    return [
        (sorted(fields_of(constraint.condition)), str(constraint.get_violation_error_message()))
        for constraint in check_constraints(type(instance))
        if evaluate(constraint.condition, instance) is False
    ]


def unique_key(constraint: UniqueConstraint, instance):
    """The key the instance takes in a unique constraint; None where it takes none (its
    condition is not met, or a field is NULL, which SQL never counts as a duplicate)."""
    if constraint.condition is not None and evaluate(constraint.condition, instance) is not True:
        return None
    model = type(instance)
    values = tuple(getattr(instance, _attname(model, name)) for name in constraint.fields)
    return None if None in values else values


def unique_message(constraint: UniqueConstraint, instance) -> str:
    default = UniqueConstraint.default_violation_error_message
    if constraint.violation_error_message and constraint.violation_error_message != default:
        return str(constraint.get_violation_error_message())
    error = instance.unique_error_message(type(instance), tuple(constraint.fields))
    return str(ValidationError(error).messages[0])
