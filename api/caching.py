"""The API's GETs answer through hotline.caching, as the public pages do: conditional (ETag,
Last-Modified, 304) and kept in the page cache by the freshness of what they show, for
everyone who sees what the public sees; private and never stored for staff who see drafts."""

from django.core.validators import slug_re

from hotline import caching, freshness

# Parameters every list reads beside its filters.
LIST_PARAMETERS = frozenset({"cursor", "page", "page_size", "ordering", "format"})


class PublicCache:
    """`cached(handler, request)` answers through the page cache (a view's own reads)."""

    def cache_scopes(self):
        """One city's data when the URL names one city, else every city's. Only a slug is a
        scope: anything else (a NUL byte, which PostgreSQL refuses) is left to the filters' 400."""
        cities = self.kwargs.get("city") or self.request.query_params.get("city", "")
        if slug_re.fullmatch(cities):
            return freshness.report_scopes(cities)
        return freshness.SITE_SCOPES

    def parameters_read(self) -> frozenset[str]:
        """The query parameters this view reads: hotline.caching drops any other."""
        filterset = getattr(self, "filterset_class", None)
        return LIST_PARAMETERS | set(filterset.base_filters if filterset else ())

    def cached(self, handler, request, *args, **kwargs):
        def render():
            response = handler(request, *args, **kwargs)
            return self.finalize_response(request, response, *args, **kwargs)

        media_type = request.accepted_media_type or ""
        return caching.respond(
            request,
            self.cache_scopes(),
            render,
            # The browsable API names the user and carries their CSRF token: never stored.
            reads=self.parameters_read(),
            store=not media_type.startswith("text/html"),
            variant=media_type,
        )


class PublicCacheListMixin(PublicCache):
    def list(self, request, *args, **kwargs):
        return self.cached(super().list, request, *args, **kwargs)


class PublicCacheMixin(PublicCacheListMixin):
    def retrieve(self, request, *args, **kwargs):
        return self.cached(super().retrieve, request, *args, **kwargs)
