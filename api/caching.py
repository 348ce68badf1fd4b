"""ETag, Last-Modified and 304 for responses that hold published data only.

Published records cannot change without their report changing (it must be reopened first, which
saves it), so the version of a report-scoped response is the (id, updated_at) of the reports it
draws on. The labels it embeds (regions, departments, the catalogue) are versioned by their
history tables. Responses that may hold drafts carry no validators: a draft's records change
without touching the report.
"""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Subquery
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language


def _latest_change(model):
    history = model.history.model._default_manager
    return Subquery(history.order_by("-history_date").values("history_date")[:1])


def reference_version(models) -> list:
    """The last change to each model, in one query (any one row can carry the subqueries)."""
    refs = {f"ref{i}": _latest_change(model) for i, model in enumerate(models)}
    row = ContentType.objects.order_by().annotate(**refs).values_list(*refs)[:1]
    return list(next(iter(row), ()))


def reports_version(reports, models) -> list:
    """(id, updated_at) of each report, and the last change to each reference model."""
    refs = {f"ref{i}": _latest_change(model) for i, model in enumerate(models)}
    rows = reports.order_by("pk").annotate(**refs).values_list("pk", "updated_at", *refs)
    return list(rows)


def _timestamps(version):
    for item in version:
        if isinstance(item, tuple | list):
            yield from _timestamps(item)
        elif hasattr(item, "timestamp"):
            yield item


class ConditionalMixin:
    """Answers 304 when the client's copy is current."""

    def cache_version(self):
        """Something that changes whenever the response would; None for no validators."""
        raise NotImplementedError

    def is_public_response(self) -> bool:
        """True when the response holds published data only."""
        return True

    def conditional(self, handler, request, *args, **kwargs):
        version = self.cache_version() if self.is_public_response() else None
        if version is None:
            response = handler(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        seed = repr((version, request.get_full_path(), request.accepted_media_type, get_language()))
        etag = f'"{hashlib.sha256(seed.encode()).hexdigest()[:32]}"'
        stamps = list(_timestamps(version))
        last_modified = int(max(stamps).timestamp()) if stamps else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = handler(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
            if request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=settings.API_CACHE_MAX_AGE)
        # A shared cache must not hand an anonymous copy to a signed-in client, or back.
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
        return response


class ConditionalListMixin(ConditionalMixin):
    def list(self, request, *args, **kwargs):
        return self.conditional(super().list, request, *args, **kwargs)


class ConditionalGetMixin(ConditionalListMixin):
    def retrieve(self, request, *args, **kwargs):
        return self.conditional(super().retrieve, request, *args, **kwargs)
