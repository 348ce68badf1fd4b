"""Every error is JSON with a message: a 400 names the field, nothing becomes a 500."""

import math

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from hotline.models import ReportLocked

from .renderers import JSONRenderer


def django_errors(error: DjangoValidationError) -> dict | list:
    """A Django ValidationError as DRF's error shape: field → messages."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, ReportLocked):  # the edit guard: not the input's fault, a 403
        exc = exceptions.PermissionDenied(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(_("Other records still refer to this one; change or delete them first."))
    elif isinstance(exc, IntegrityError):
        # full_clean() runs first; this is only a concurrent write that got there before us.
        exc = Conflict(_("The record conflicts with one saved at the same time; try again."))
    elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        wait = math.ceil(exc.wait)
        throttled = exceptions.Throttled(
            detail=ngettext(
                "Too many requests from this address; try again in %(wait)d second.",
                "Too many requests from this address; try again in %(wait)d seconds.",
                wait,
            )
            % {"wait": wait},
        )
        throttled.wait = wait  # for the Retry-After header
        exc = throttled
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if response is not None and getattr(renderer, "format", None) == "csv":
        # An error is JSON whatever format was asked for: a client reads one shape of error.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response
