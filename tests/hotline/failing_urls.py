"""The site's URLs and one view that fails, to see what an unhandled error leaves in the log."""

from django.urls import path

from hotline.urls import urlpatterns as site


class Forced(Exception):
    pass


def fail(request):
    raise Forced("forced for the test")


urlpatterns = [path("forced-failure/", fail), *site]
