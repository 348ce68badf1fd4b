"""Staff groups. Their names and permissions are created by migration 0002."""

from django.conf import settings
from django.http import HttpRequest

DATA_ENTRY = "数据录入员"
REVIEWERS = "审核员"
PUBLISH_PERMISSION = "hotline.publish_annualreport"
VIEW_DRAFTS_PERMISSION = "hotline.view_annualreport"


def sees_drafts(user) -> bool:
    """The one rule of who sees work in progress: staff who may view reports see drafts (on
    the site, in the API and in the figure checks); everyone else sees published reports only."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and user.has_perm(VIEW_DRAFTS_PERMISSION)
    )


def viewer(request):
    """The request's user, or None for a site request that no one can be signed in to: the
    site's requests (Django's own) are authenticated by their session alone, so one without a
    session cookie is anonymous; the API's (REST framework's) may carry a token and are
    always asked. Not reading that user spares opening its session, and the session
    middleware's marking the response Vary: Cookie once more: about 20 us of a cached
    hit's 400 in process."""
    if isinstance(request, HttpRequest) and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    return request.user


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)
