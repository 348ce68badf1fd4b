from corsheaders.middleware import CorsMiddleware

CORS_METHODS = {"GET", "HEAD", "OPTIONS"}


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """CORS for reads only: another site's page may read the API but never write through it."""

    def is_enabled(self, request):
        if request.method not in CORS_METHODS:
            return False
        if request.method == "OPTIONS":
            # A preflight asks for the method the browser means to send next.
            wanted = request.headers.get("access-control-request-method")
            if wanted is not None and wanted.upper() not in CORS_METHODS:
                return False
        return super().is_enabled(request)
