from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    """Liveness for a load balancer or a monitor: the process answers. It reads no database,
    so that one slow database does not take every instance out of the pool at once."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
