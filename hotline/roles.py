"""Staff groups. Their names and permissions are created by migration 0002."""

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


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)
