from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class ModelPermissionsOrReadOnly(DjangoModelPermissions):
    """Anyone reads (what they may see is the queryset's business); staff write as their model
    permissions say."""

    message = _("You do not have permission to change these records.")

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated and request.user.is_staff):
            return False
        return super().has_permission(request, view)


class CanChangeReports(ModelPermissionsOrReadOnly):
    """The workflow actions are POSTs that change a report, not creations."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }
