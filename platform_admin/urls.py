"""The console at /admin/ on the public host: the default admin site (``ConsoleSite``)."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("", admin.site.urls),
]
