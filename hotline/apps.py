import gc

from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class HotlineConfig(AppConfig):
    default = True  # the app's config, though AxesConfig below is in this module too
    name = "hotline"
    verbose_name = _("Hotline records")

    def ready(self):
        from django.conf import settings

        from hotline import freshness

        freshness.connect_receivers()
        # Python collects its young objects every 700 allocations: a page's render or an
        # export's rows then promoted thousands of objects still in use, which made full
        # collections of every object the process keeps (README "Performance").
        gc.set_threshold(settings.GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


class AxesConfig(axes_apps.AppConfig):
    """django-axes under a name staff read: its admin section was "AXES", untranslated."""

    verbose_name = _("Login protection")

    # django-axes's model names, which it does not translate to Chinese: this project's
    # catalogue does. Named here so that `make messages` keeps them.
    MODEL_NAMES = (
        gettext_noop("access attempt"),
        gettext_noop("access attempts"),
        gettext_noop("access failure"),
        gettext_noop("access failures"),
        gettext_noop("access log"),
        gettext_noop("access logs"),
        gettext_noop("access attempt expiration"),
        gettext_noop("access attempt expirations"),
    )


class TasksConfig(TasksAppConfig):
    """django-tasks' database queue under a name staff read: it was "Tasks Database Backend",
    in English, at the top of the Chinese admin."""

    verbose_name = _("Background jobs")

    MODEL_NAMES = (gettext_noop("Task Result"), gettext_noop("Task Results"))
