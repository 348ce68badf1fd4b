from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from hotline.views import healthz, private_download, set_language

urlpatterns = [
    # GET and HEAD only (require_safe): anything else is a 405, not a CSRF refusal.
    path("healthz", csrf_exempt(healthz), name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("downloads/<str:key>/", private_download, name="private-download"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("reports.urls")),
]
